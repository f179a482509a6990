//! What the kind table generates in `body`: the `kind` constants, the `Body` enum, the list of
//! kinds, parsing by kind and version, and the per-kind facts (name, version, authorship).

/// The consumer of [`super::kinds::for_each_kind`] that declares the bodies.
macro_rules! declare_bodies {
    ($($variant:ident $name:literal $konst:ident $who:ident $routes:tt $versions:tt)*) => {
        /// Event kinds, as they appear in the envelope's `kind`.
        pub mod kind {
            $(pub const $konst: &str = $name;)*
        }

        /// A parsed, validated body of the current version.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Body {
            $($variant($variant),)*
        }

        /// Every kind of the table, in its order.
        pub const KINDS: &[KindInfo] = &[
            $(KindInfo { name: $name, authorship: Authorship::$who, versions: versions!($versions) },)*
        ];

        impl Body {
            /// Reads `fields` as the body of `kind` at `version` (not validated yet).
            fn read(kind: &str, version: u64, fields: Fields<'_>) -> Result<Body, ValidationError> {
                match kind {
                    $($name => read_version!($variant, kind, version, fields, $versions),)*
                    _ => Err(ValidationError::UnknownKind(crate::ids::truncate(kind))),
                }
            }

            /// Whether `kind` is a kind this build knows (at any version).
            pub fn known_kind(kind: &str) -> bool {
                matches!(kind, $($name)|*)
            }

            /// The body's kind, as the envelope's `kind`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Body::$variant(_) => $name,)*
                }
            }

            /// The version this crate writes for the body's kind.
            pub fn current_version(&self) -> u64 {
                match self {
                    $(Body::$variant(_) => current!($versions),)*
                }
            }

            /// Who may author the body's kind.
            pub fn authorship(&self) -> Authorship {
                match self {
                    $(Body::$variant(_) => Authorship::$who,)*
                }
            }

            /// The township a case or tip record names (every one names its township); `None`
            /// for the other kinds.
            pub fn office_township(&self) -> Option<&crate::ids::UnitId> {
                match self {
                    $(Body::$variant(b) => office_township!($who, b),)*
                }
            }

            fn validate(&self) -> Result<(), ValidationError> {
                match self {
                    $(Body::$variant(b) => b.validate(),)*
                }
            }

            /// The JSON body of the current version, without its `"v"`.
            fn fields_value(&self) -> Value {
                match self {
                    $(Body::$variant(b) => to_json(b),)*
                }
            }
        }
    };
}

/// The versions of a row, the current one first.
macro_rules! versions {
    ({ $cur:literal $(as $curty:ty)? $(, $old:literal as $oldty:ty)* }) => {
        &[$cur $(, $old)*]
    };
}

/// The current version of a row.
macro_rules! current {
    ({ $cur:literal $($rest:tt)* }) => {
        $cur
    };
}

/// Reads one version of a kind into its `Body` variant, upgrading an older one.
macro_rules! read_version {
    ($variant:ident, $kind:ident, $version:ident, $fields:ident, { $cur:literal $(as $curty:ty)? $(, $old:literal as $oldty:ty)* }) => {
        match $version {
            $cur => Ok(Body::$variant(read_current!($variant, $kind, $fields $(, $curty)?))),
            $($old => Ok(Body::$variant(typed::<$oldty>($kind, $fields)?.into())),)*
            _ => Err(ValidationError::UnsupportedVersion { kind: $kind.into(), version: $version }),
        }
    };
}

/// The current version, read into its struct or through its own wire form.
macro_rules! read_current {
    ($variant:ident, $kind:ident, $fields:ident) => {
        typed::<$variant>($kind, $fields)?
    };
    ($variant:ident, $kind:ident, $fields:ident, $wire:ty) => {
        typed::<$wire>($kind, $fields)?.into()
    };
}

/// An office record's `township` field.
macro_rules! office_township {
    (Office, $b:ident) => {
        Some(&$b.township)
    };
    ($other:ident, $b:ident) => {{
        let _ = $b;
        None
    }};
}

pub(super) use {current, declare_bodies, office_township, read_current, read_version, versions};

//! The values that cross the SQL layer: [`Arg`] (a statement's argument, borrowed where it can
//! be), [`Value`] (a column read back, owned), a [`Row`] of them and [`FromValue`], reading a
//! column into a Rust value whichever engine stored it.

use std::borrow::Cow;

use super::StoreError;

/// An argument of a statement. Each engine binds it to the parameter's type (see the module
/// `store::sql`).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Null,
    Int(i64),
    /// Bound as a signed 64-bit integer; past `i64::MAX` it is refused, not wrapped.
    UInt(u64),
    Real(f64),
    Bool(bool),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
}

impl Arg<'_> {
    /// What kind of argument this is, for an error.
    pub fn kind(&self) -> &'static str {
        match self {
            Arg::Null => "null",
            Arg::Int(_) | Arg::UInt(_) => "an integer",
            Arg::Real(_) => "a real",
            Arg::Bool(_) => "a boolean",
            Arg::Text(_) => "text",
            Arg::Blob(_) => "bytes",
        }
    }

    /// The argument as a signed integer (a `bool` as 0 or 1), if it is one that fits.
    pub fn integer(&self) -> Option<i64> {
        match *self {
            Arg::Int(i) => Some(i),
            Arg::UInt(u) => i64::try_from(u).ok(),
            Arg::Bool(b) => Some(i64::from(b)),
            _ => None,
        }
    }
}

macro_rules! arg_from {
    ($variant:ident: $($t:ty => $conv:expr),+ $(,)?) => {
        $(impl<'a> From<$t> for Arg<'a> {
            fn from(v: $t) -> Arg<'a> {
                #[allow(clippy::redundant_closure_call)]
                Arg::$variant(($conv)(v))
            }
        })+
    };
}

arg_from!(Int: i64 => |v| v, i32 => i64::from, u32 => i64::from, &i64 => |v: &i64| *v);
arg_from!(UInt: u64 => |v| v, &u64 => |v: &u64| *v, usize => |v: usize| v as u64);
arg_from!(Real: f64 => |v| v);
arg_from!(Bool: bool => |v| v, &bool => |v: &bool| *v);
arg_from!(Text: &'a str => Cow::Borrowed, &'a String => |v: &'a String| Cow::Borrowed(v.as_str()), String => Cow::Owned);
arg_from!(Blob: &'a [u8] => Cow::Borrowed, &'a Vec<u8> => |v: &'a Vec<u8>| Cow::Borrowed(v.as_slice()), Vec<u8> => Cow::Owned);

impl<'a, const N: usize> From<&'a [u8; N]> for Arg<'a> {
    fn from(v: &'a [u8; N]) -> Arg<'a> {
        Arg::Blob(Cow::Borrowed(v.as_slice()))
    }
}

impl<'a, const N: usize> From<[u8; N]> for Arg<'a> {
    fn from(v: [u8; N]) -> Arg<'a> {
        Arg::Blob(Cow::Owned(v.to_vec()))
    }
}

impl<'a, T: Into<Arg<'a>>> From<Option<T>> for Arg<'a> {
    fn from(v: Option<T>) -> Arg<'a> {
        v.map_or(Arg::Null, Into::into)
    }
}

/// A column as read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    /// PostgreSQL's `boolean` (SQLite has none: its flags read as [`Value::Int`]).
    Bool(bool),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Bool(_) => "a boolean",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

/// One row of a result: its columns in the order the query names them.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` read as a `T`. A column that is missing or of another type is
    /// [`StoreError::Corrupt`]: the store's own rows always read as what they hold.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, StoreError> {
        let value = self.0.get(i).ok_or_else(|| StoreError::corrupt("a row", format!("no column {i}")))?;
        T::from_value(value).ok_or_else(|| StoreError::corrupt("a row", format!("column {i} is {}, not {}", value.kind(), T::WHAT)))
    }

    /// Column `i` as text borrowed from the row (`None` for NULL), for text parsed in place.
    pub fn text(&self, i: usize) -> Result<Option<&str>, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(s)) => Ok(Some(s)),
            Some(Value::Null) => Ok(None),
            other => Err(StoreError::corrupt("a row", format!("column {i} is {}, not text", other.map_or("missing", Value::kind)))),
        }
    }

    /// Column `i` as bytes borrowed from the row.
    pub fn bytes(&self, i: usize) -> Result<&[u8], StoreError> {
        match self.0.get(i) {
            Some(Value::Blob(b)) => Ok(b),
            other => Err(StoreError::corrupt("a row", format!("column {i} is {}, not bytes", other.map_or("missing", Value::kind)))),
        }
    }

    /// Column `i` taken out of the row (no copy), for large text and bytes.
    pub fn take(&mut self, i: usize) -> Value {
        self.0.get_mut(i).map(|v| std::mem::replace(v, Value::Null)).unwrap_or(Value::Null)
    }
}

/// A Rust value a column reads as.
pub trait FromValue: Sized {
    /// What it is, for an error.
    const WHAT: &'static str;
    fn from_value(value: &Value) -> Option<Self>;
}

impl FromValue for i64 {
    const WHAT: &'static str = "an integer";
    fn from_value(value: &Value) -> Option<i64> {
        match *value {
            Value::Int(i) => Some(i),
            _ => None,
        }
    }
}

macro_rules! from_integer {
    ($($t:ty),+) => {
        $(impl FromValue for $t {
            const WHAT: &'static str = concat!("an integer in ", stringify!($t));
            fn from_value(value: &Value) -> Option<$t> {
                i64::from_value(value).and_then(|i| <$t>::try_from(i).ok())
            }
        })+
    };
}
from_integer!(u64, i32, u32, usize);

impl FromValue for bool {
    const WHAT: &'static str = "a flag";
    fn from_value(value: &Value) -> Option<bool> {
        match *value {
            Value::Bool(b) => Some(b),
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    const WHAT: &'static str = "a real";
    fn from_value(value: &Value) -> Option<f64> {
        match *value {
            Value::Real(r) => Some(r),
            // As rusqlite reads an integer stored in a real column.
            Value::Int(i) => Some(i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    const WHAT: &'static str = "text";
    fn from_value(value: &Value) -> Option<String> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    const WHAT: &'static str = "bytes";
    fn from_value(value: &Value) -> Option<Vec<u8>> {
        match value {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl<const N: usize> FromValue for [u8; N] {
    const WHAT: &'static str = "bytes of a fixed length";
    fn from_value(value: &Value) -> Option<[u8; N]> {
        match value {
            Value::Blob(b) => b.as_slice().try_into().ok(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const WHAT: &'static str = T::WHAT;
    fn from_value(value: &Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_reads_from_either_engines_form() {
        for (value, flag) in [(Value::Int(1), true), (Value::Int(0), false), (Value::Bool(true), true), (Value::Bool(false), false)] {
            assert_eq!(Row(vec![value]).get::<bool>(0).ok(), Some(flag));
        }
        assert!(Row(vec![Value::Int(2)]).get::<bool>(0).is_err(), "only 0 and 1 are flags");
    }

    #[test]
    fn a_value_of_another_type_is_corrupt_not_converted() {
        let row = Row(vec![Value::Text("7".into()), Value::Int(-1), Value::Null, Value::Blob(vec![1, 2])]);
        assert!(matches!(row.get::<i64>(0), Err(StoreError::Corrupt { .. })));
        assert!(row.get::<u64>(1).is_err(), "a negative integer is no u64");
        assert_eq!(row.get::<Option<i64>>(2).ok(), Some(None));
        assert!(row.get::<i64>(2).is_err(), "null is not an integer");
        assert!(row.get::<[u8; 3]>(3).is_err() && row.get::<[u8; 2]>(3).ok() == Some([1, 2]));
        assert!(row.get::<i64>(9).is_err(), "no such column");
        assert_eq!((row.text(0).ok(), row.text(2).ok(), row.bytes(3).ok()), (Some(Some("7")), Some(None), Some(&[1u8, 2][..])));
        assert!(row.text(1).is_err() && row.bytes(0).is_err() && row.text(9).is_err());
    }

    #[test]
    fn arguments_keep_their_kind() {
        let id = [7u8; 16];
        let args = crate::args![1i64, 2u64, true, "x", &id, None::<i64>, Some("y")];
        assert_eq!(args[1], Arg::UInt(2));
        assert_eq!(args[2].integer(), Some(1));
        assert_eq!(args[4], Arg::Blob(Cow::Borrowed(&id[..])));
        assert_eq!((args[5].clone(), args[6].kind()), (Arg::Null, "text"));
        assert_eq!(Arg::UInt(u64::MAX).integer(), None, "past i64 is refused, not wrapped");
    }
}

//! JSON read strictly where a hash or a request depends on it: an object may not repeat a key, and
//! may not use a key serde_json reserves for itself, so that every text has exactly one reading.
//!
//! serde_json's own `Value` keeps the last of repeated keys, and (with its `raw_value` feature,
//! which this workspace enables) reads an object whose first key is
//! `$serde_json::private::RawValue` as the JSON text in its value, parsed afresh with a new
//! recursion budget. Event bodies and request maps are read through [`value`] and [`unique_map`]
//! instead, which refuse both. Nesting stays bounded by serde_json's recursion limit (128).

use serde::Deserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;
use std::fmt;

/// Keys with this prefix are serde_json's private markers, never data.
pub const RESERVED_PREFIX: &str = "$serde_json::private::";

/// Deserialises a JSON value, refusing repeated and reserved keys at any depth
/// (`#[serde(deserialize_with = "strict_json::value")]`).
pub fn value<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
    deserializer.deserialize_any(StrictValue)
}

/// Parses `text` as one JSON value with the rules of [`value`].
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let v = value(&mut deserializer)?;
    deserializer.end()?;
    Ok(v)
}

/// Deserialises a map whose keys are all distinct (a repeated key is an error, not the last
/// one winning).
pub fn unique_map<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: de::Deserialize<'de> + Ord + fmt::Debug,
    V: de::Deserialize<'de>,
{
    struct UniqueMap<K, V>(std::marker::PhantomData<(K, V)>);
    impl<'de, K: de::Deserialize<'de> + Ord + fmt::Debug, V: de::Deserialize<'de>> Visitor<'de> for UniqueMap<K, V> {
        type Value = BTreeMap<K, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object with distinct keys")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            while let Some((key, value)) = access.next_entry::<K, V>()? {
                if map.contains_key(&key) {
                    return Err(de::Error::custom(format_args!("duplicate key {key:?}")));
                }
                map.insert(key, value);
            }
            Ok(map)
        }
    }
    deserializer.deserialize_map(UniqueMap(std::marker::PhantomData))
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictValue)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("not a finite number"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(StrictValue)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(access.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = access.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if key.starts_with(RESERVED_PREFIX) {
                return Err(de::Error::custom(format_args!("the key {key:?} is reserved")));
            }
            if map.contains_key(&key) {
                return Err(de::Error::custom(format_args!("duplicate key {:?}", crate::ids::truncate(&key))));
            }
            let value = access.next_value_seed(StrictValue)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_text_one_reading() {
        assert_eq!(from_str(r#"{"b":[1,{"c":null}],"a":"x"}"#).expect("valid"), json!({"a": "x", "b": [1, {"c": null}]}));
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"a":{"b":1,"c":2,"b":3}}"#,
            r#"[{"k":1},{"k":1,"k":1}]"#,
            r#"{"$serde_json::private::RawValue":"{\"a\":1}"}"#,
            r#"{"v":1,"$serde_json::private::Number":"1"}"#,
        ] {
            assert!(from_str(text).is_err(), "{text}");
        }
    }

    #[test]
    fn serde_json_alone_reads_these_differently() {
        // Why this module exists: the last repeated key wins, and the reserved key is unwrapped.
        let last_wins: Value = serde_json::from_str(r#"{"a":1,"a":2}"#).expect("parses");
        assert_eq!(last_wins, json!({"a": 2}));
        let unwrapped: Value = serde_json::from_str(r#"{"$serde_json::private::RawValue":"[1,2]"}"#).expect("parses");
        assert_eq!(unwrapped, json!([1, 2]));
    }

    #[test]
    fn nesting_is_still_bounded_and_numbers_still_checked() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(from_str(&deep).is_err());
        assert!(from_str("[1e400]").is_err());
        assert!(from_str("[NaN]").is_err());
        assert!(from_str(r#""\ud800""#).is_err());
        assert_eq!(from_str("[1.5, -3, 18446744073709551615]").expect("numbers"), json!([1.5, -3, u64::MAX]));
    }

    #[test]
    fn unique_maps_refuse_a_repeated_key() {
        #[derive(Debug, serde::Deserialize)]
        struct Holder {
            #[serde(deserialize_with = "unique_map")]
            m: BTreeMap<String, u64>,
        }
        assert_eq!(serde_json::from_str::<Holder>(r#"{"m":{"a":1,"b":2}}"#).expect("distinct").m.len(), 2);
        assert!(serde_json::from_str::<Holder>(r#"{"m":{"a":1,"a":2}}"#).is_err());
    }
}

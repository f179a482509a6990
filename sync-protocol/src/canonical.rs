//! The canonical encoding that event hashes are computed over: JSON Canonicalization Scheme
//! (RFC 8785) restricted to integers, so that every implementation produces the same bytes.
//!
//! Rules (docs/protocol.md repeats them for other clients): objects have their keys sorted by
//! their UTF-16 code units (for the ASCII keys of this protocol: byte order), no white space,
//! strings escaped as RFC 8785 says, numbers only as integers within ±(2^53 − 1). A float, NaN
//! or a larger integer is refused rather than rounded, so there is never a second spelling.

use std::io::Write;

use serde_json::Value;

use crate::error::ValidationError;

/// The largest integer that every JSON implementation represents exactly.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// How deep a value may nest; deeper input is refused before it can exhaust a stack.
pub const MAX_DEPTH: usize = 32;

/// Appends the canonical encoding of `value` to `out`.
pub fn encode_into(value: &Value, out: &mut Vec<u8>) -> Result<(), ValidationError> {
    encode(value, out, 0)
}

/// The canonical encoding of `value`.
pub fn to_vec(value: &Value) -> Result<Vec<u8>, ValidationError> {
    let mut out = Vec::with_capacity(256);
    encode(value, &mut out, 0)?;
    Ok(out)
}

fn encode(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), ValidationError> {
    if depth > MAX_DEPTH {
        return Err(ValidationError::TooDeep(MAX_DEPTH));
    }
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => encode_number(n, out)?,
        Value::String(s) => encode_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                encode(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // serde_json's map is a BTreeMap (the `preserve_order` feature is off), so keys come
            // in byte order; for keys below U+E000 that is also RFC 8785's UTF-16 order, and the
            // map's order is taken as it is (every key of this protocol is ASCII).
            out.push(b'{');
            if map.keys().all(|k| k.chars().all(|c| c < '\u{E000}')) {
                for (i, (key, item)) in map.iter().enumerate() {
                    member(i, key, item, out, depth)?;
                }
            } else {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
                for (i, key) in keys.into_iter().enumerate() {
                    member(i, key, &map[key], out, depth)?;
                }
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// The `i`-th member of an object, `key: item`, with the comma before all but the first.
fn member(i: usize, key: &str, item: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), ValidationError> {
    if i > 0 {
        out.push(b',');
    }
    encode_string(key, out);
    out.push(b':');
    encode(item, out, depth + 1)
}

fn encode_number(n: &serde_json::Number, out: &mut Vec<u8>) -> Result<(), ValidationError> {
    let in_range = |v: i64| (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).contains(&v);
    match n.as_i64() {
        Some(v) if in_range(v) => {
            push_text(out, v);
            Ok(())
        }
        _ => Err(ValidationError::NonCanonicalNumber(n.to_string())),
    }
}

/// Appends the text of `value` (an integer, an id) in place, with no string allocated for it (a
/// track holds hundreds of numbers).
pub fn push_text(out: &mut Vec<u8>, value: impl std::fmt::Display) {
    // Writing to a `Vec` never fails.
    let _ = write!(out, "{value}");
}

/// Appends the canonical encoding of the string `s`.
pub fn encode_str_into(s: &str, out: &mut Vec<u8>) {
    encode_string(s, out)
}

fn encode_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    for ch in s.chars() {
        match ch {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\u{08}' => out.extend_from_slice(b"\\b"),
            '\u{0C}' => out.extend_from_slice(b"\\f"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 => out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes()),
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn enc(v: Value) -> String {
        String::from_utf8(to_vec(&v).expect("canonical")).expect("utf8")
    }

    #[test]
    fn keys_are_sorted_and_white_space_removed() {
        assert_eq!(enc(json!({"b": 1, "a": [true, null, "x"]})), r#"{"a":[true,null,"x"],"b":1}"#);
    }

    #[test]
    fn strings_are_escaped_as_rfc_8785_says() {
        assert_eq!(enc(json!("a\"b\\c\n\u{1}é€😀")), "\"a\\\"b\\\\c\\n\\u0001é€😀\"");
        assert_eq!(enc(json!("\u{7f}")), "\"\u{7f}\"");
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // U+FF21 (fullwidth A) sorts before U+1F600 in UTF-8 but after it in UTF-16 (surrogates).
        assert_eq!(enc(json!({"\u{1F600}": 1, "\u{FF21}": 2})), "{\"\u{1F600}\":1,\"\u{FF21}\":2}");
    }

    proptest::proptest! {
        /// Keys taken in the map's order where no key reaches U+E000 are the keys sorted by UTF-16
        /// code units, as for any other keys: the encoding is the same as sorting every object.
        #[test]
        fn objects_encode_as_with_their_keys_sorted_by_utf16(keys in proptest::collection::vec("[a-c_é\u{FF21}\u{1F600}]{0,3}", 0..6)) {
            let map: serde_json::Map<String, Value> = keys.iter().enumerate().map(|(i, k)| (k.clone(), json!(i))).collect();
            let mut sorted: Vec<&String> = map.keys().collect();
            sorted.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            let members: Vec<String> = sorted.iter().map(|k| format!("{}:{}", enc(json!(k)), map[*k])).collect();
            proptest::prop_assert_eq!(enc(Value::Object(map.clone())), format!("{{{}}}", members.join(",")));
        }
    }

    #[test]
    fn floats_and_unsafe_integers_are_refused() {
        for v in [json!(1.5), json!(9_007_199_254_740_992_i64), json!(u64::MAX), json!(-9_007_199_254_740_992_i64)] {
            assert!(to_vec(&v).is_err(), "{v}");
        }
        assert_eq!(enc(json!(-9_007_199_254_740_991_i64)), "-9007199254740991");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut v = json!(0);
        for _ in 0..40 {
            v = json!([v]);
        }
        assert_eq!(to_vec(&v), Err(ValidationError::TooDeep(MAX_DEPTH)));
    }
}

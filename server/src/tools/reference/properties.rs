//! Reading a feature's `properties` one field at a time, so that every missing, invalid and
//! unknown property of a feature is reported, not only the first one.

use geojson::JsonObject;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;

use super::problem::Problem;

/// A feature's properties with the problems found so far.
pub struct Props<'a> {
    map: &'a JsonObject,
    read: BTreeSet<&'static str>,
    pub problems: Vec<Problem>,
}

impl<'a> Props<'a> {
    /// `kind` is read by the caller, so it is never unknown.
    pub fn new(map: &'a JsonObject) -> Props<'a> {
        Props { map, read: BTreeSet::from(["kind"]), problems: Vec::new() }
    }

    /// A required property; `None` (and a problem) when it is missing or of the wrong form.
    pub fn req<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        self.read.insert(name);
        match self.map.get(name) {
            None | Some(serde_json::Value::Null) => {
                self.problems.push(Problem::MissingProperty(name));
                None
            }
            Some(_) => self.opt(name),
        }
    }

    /// An optional property: `None` when absent or null (and a problem when of the wrong form).
    pub fn opt<T: DeserializeOwned>(&mut self, name: &'static str) -> Option<T> {
        self.read.insert(name);
        let value = self.map.get(name).filter(|v| !v.is_null())?;
        match serde_json::from_value(value.clone()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.invalid(name, e.to_string());
                None
            }
        }
    }

    /// A required property read as text, then converted by `parse`.
    pub fn req_with<T>(&mut self, name: &'static str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text: String = self.req(name)?;
        self.convert(name, &text, parse)
    }

    /// An optional property read as text, then converted by `parse`.
    pub fn opt_with<T>(&mut self, name: &'static str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let text: String = self.opt(name)?;
        self.convert(name, &text, parse)
    }

    fn convert<T>(&mut self, name: &'static str, text: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        parse(text).map_err(|reason| self.invalid(name, reason)).ok()
    }

    pub fn invalid(&mut self, name: &'static str, reason: impl Into<String>) {
        self.problems.push(Problem::InvalidProperty { name, reason: reason.into() });
    }

    /// Reports every property that was never read (the format denies unknown properties), in
    /// name order, and returns all the problems.
    pub fn finish(mut self) -> Vec<Problem> {
        let unknown = self.map.keys().filter(|k| !self.read.contains(k.as_str())).map(|k| Problem::UnknownProperty(k.clone()));
        self.problems.extend(unknown.collect::<Vec<_>>());
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: serde_json::Value) -> JsonObject {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn every_missing_invalid_and_unknown_property_is_reported() {
        let map = object(json!({ "kind": "unit", "a": 1, "b": "x", "extra": true, "more": null, "n": null }));
        let mut props = Props::new(&map);
        assert_eq!(props.req::<i64>("a"), Some(1));
        assert_eq!(props.req::<i64>("b"), None);
        assert_eq!(props.req::<String>("c"), None);
        assert_eq!(props.req::<String>("n"), None, "null counts as missing");
        assert_eq!(props.opt::<String>("d"), None);
        assert_eq!(props.req_with("b", |s| if s == "y" { Ok(()) } else { Err(format!("{s} is not y")) }), None);
        let rules: Vec<_> = props.finish().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            rules,
            [
                "properties.b is invalid: invalid type: string \"x\", expected i64",
                "properties.c is missing",
                "properties.n is missing",
                "properties.b is invalid: x is not y",
                "properties.extra is not a property of this kind",
                "properties.more is not a property of this kind",
            ]
        );
    }
}

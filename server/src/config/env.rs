//! Environment variables for every configuration key, derived from the keys themselves: the key
//! `auth.per_ip.burst` is `PATROLSYNC_AUTH_PER_IP_BURST`. No variable is written by hand, so a
//! new key has one the moment it exists.
//!
//! The keys are read off the default configuration serialised as JSON (an unset optional key is
//! a `null` there, so it is listed too); a variable's text is read as the type of its key's
//! default (a number, a boolean, else text). Lists of tables (`[[counties]]`, `[[officials]]`)
//! have no variable: they are written in the file.

use serde_json::Value;

use super::{Config, ConfigError};

/// The prefix of every variable.
pub const PREFIX: &str = "PATROLSYNC_";

/// One configuration key: its dotted path (`auth.per_ip.burst`), its variable and its default.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub path: String,
    pub env: String,
    pub default: Value,
}

/// The variable of the key at `path`.
pub fn env_name(path: &str) -> String {
    format!("{PREFIX}{}", path.replace('.', "_").to_uppercase())
}

/// Every key of [`Config`], in the order of its fields.
pub fn keys() -> Vec<Key> {
    let mut keys = Vec::new();
    // A struct of plain values always serialises.
    let defaults = serde_json::to_value(Config::default()).unwrap_or(Value::Null);
    walk(&defaults, "", &mut keys);
    keys
}

fn walk(value: &Value, path: &str, keys: &mut Vec<Key>) {
    match value {
        Value::Object(fields) => {
            for (name, field) in fields {
                let path = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                walk(field, &path, keys);
            }
        }
        // Lists of tables (`[[counties]]`, `[[officials]]`) are set in the file only.
        Value::Array(_) => {}
        leaf => keys.push(Key { path: path.to_owned(), env: env_name(path), default: leaf.clone() }),
    }
}

/// Sets, in `table` (the file's settings), every key whose variable `get` finds.
pub fn apply(table: &mut toml::Table, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    for key in keys() {
        let Some(text) = get(&key.env) else { continue };
        let value = typed(&key, text)?;
        let (parents, last) = match key.path.rsplit_once('.') {
            Some((parents, last)) => (parents.split('.').collect::<Vec<_>>(), last),
            None => (Vec::new(), key.path.as_str()),
        };
        let mut at = &mut *table;
        for part in parents {
            let entry = at.entry(part).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            at = entry.as_table_mut().ok_or_else(|| ConfigError::Range { name: "config", why: format!("{part} is not a section") })?;
        }
        at.insert(last.to_owned(), value);
    }
    Ok(())
}

/// `text` as the type of `key`'s default.
fn typed(key: &Key, text: String) -> Result<toml::Value, ConfigError> {
    let bad = |text: String| ConfigError::Env { name: key.env.clone(), value: text };
    Ok(match &key.default {
        Value::Bool(_) => toml::Value::Boolean(text.trim().parse().map_err(|_| bad(text))?),
        Value::Number(n) if n.is_f64() => toml::Value::Float(text.trim().parse().map_err(|_| bad(text))?),
        Value::Number(_) => toml::Value::Integer(text.trim().parse().map_err(|_| bad(text))?),
        Value::String(_) | Value::Null => toml::Value::String(text),
        Value::Array(_) | Value::Object(_) => return Err(bad(text)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_key_has_its_own_variable() {
        let keys = keys();
        assert!(keys.len() > 30, "{} keys", keys.len());
        let names: BTreeSet<&str> = keys.iter().map(|k| k.env.as_str()).collect();
        assert_eq!(names.len(), keys.len(), "two keys share a variable");
        let find = |path: &str| keys.iter().find(|k| k.path == path).map(|k| k.env.clone());
        assert_eq!(find("auth.per_ip.burst").as_deref(), Some("PATROLSYNC_AUTH_PER_IP_BURST"));
        assert_eq!(find("blob_dir").as_deref(), Some("PATROLSYNC_BLOB_DIR"), "an unset optional key is listed");
        assert_eq!(find("checks.geofence.margin_m").as_deref(), Some("PATROLSYNC_CHECKS_GEOFENCE_MARGIN_M"));
    }

    #[test]
    fn every_variable_sets_its_key_to_a_value_of_its_type() {
        for key in keys() {
            // Values of the key's type other than its default (an enum takes one of its names).
            let candidates = match &key.default {
                Value::Bool(b) => vec![(!b).to_string()],
                Value::Number(n) if n.is_f64() => vec![(n.as_f64().unwrap_or(0.0) + 1.5).to_string()],
                Value::Number(n) => vec![(n.as_u64().unwrap_or(0) + 1).to_string()],
                _ => {
                    let engine = serde_json::to_value(crate::config::StoreKind::Postgres).expect("serialises");
                    vec!["some/text".to_owned(), "json".to_owned(), engine.as_str().unwrap_or_default().to_owned()]
                }
            };
            let changed = candidates.iter().any(|text| {
                let mut table = toml::Table::new();
                apply(&mut table, |name| (name == key.env).then(|| text.clone())).expect("applies");
                let Ok(config) = toml::Value::Table(table).try_into::<Config>() else { return false };
                let value = serde_json::to_value(&config).expect("serialises");
                key.path.split('.').fold(&value, |v, part| &v[part]) != &key.default
            });
            assert!(changed, "{} does not set {}", key.env, key.path);
        }
    }

    /// A key's default as docs/configuration.md shows it.
    fn shown(default: &Value) -> String {
        match default {
            Value::Null => "(unset)".to_owned(),
            other => format!("`{other}`"),
        }
    }

    #[test]
    fn docs_configuration_md_lists_every_key_with_its_variable_and_default() {
        let doc = include_str!("../../../docs/configuration.md");
        let rows: Vec<Vec<&str>> = doc
            .lines()
            .filter(|l| l.starts_with("| `"))
            .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect::<Vec<_>>())
            .filter(|cells| cells.len() == 4)
            .collect();
        let keys = keys();
        let mut wrong = Vec::new();
        for key in &keys {
            let expected = [format!("`{}`", key.path), format!("`{}`", key.env), shown(&key.default)];
            if !rows.iter().any(|r| r[..3] == expected && !r[3].is_empty()) {
                wrong.push(format!("| {} | {} | {} | … |", expected[0], expected[1], expected[2]));
            }
        }
        assert!(wrong.is_empty(), "docs/configuration.md lacks (or has another variable or default for):\n{}", wrong.join("\n"));
        for row in rows {
            let path = row[0].trim_matches('`');
            assert!(keys.iter().any(|k| k.path == path), "docs/configuration.md lists {path}, which is no key");
        }
    }

    #[test]
    fn a_variable_that_is_not_of_its_keys_type_is_refused_by_name() {
        let mut table = toml::Table::new();
        let refused = apply(&mut table, |name| (name == "PATROLSYNC_WORKERS").then(|| "many".to_owned()));
        assert!(matches!(refused, Err(ConfigError::Env { name, .. }) if name == "PATROLSYNC_WORKERS"));
    }
}

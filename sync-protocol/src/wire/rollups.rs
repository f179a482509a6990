//! `GET /v1/rollups`: a city or province official's week across their counties, one roll-up per
//! county: the query, the reply, and the officials' roles (docs/reports.md).

use serde::{Deserialize, Deserializer, Serialize};

use crate::compliance::Rollup;
use crate::values::IsoWeek;

/// A deployment-level role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficialRole {
    /// A city bureau (市局): the counties listed.
    City,
    /// A province department (省厅): the counties listed, or every county of the deployment.
    Province,
}

/// The query: the week (default: this week) and, optionally, some of the official's counties.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    pub week: Option<IsoWeek>,
    /// County codes, comma-separated in the query string (`counties=yunshan,baiyun`); each must be
    /// one of the official's (else 404).
    #[serde(default, deserialize_with = "comma_separated")]
    pub counties: Option<Vec<String>>,
}

/// `a,b` as `["a", "b"]`, each trimmed; an empty code (`a,,b`, or nothing) is refused.
fn comma_separated<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let text = String::deserialize(d)?;
    let codes: Vec<String> = text.split(',').map(|c| c.trim().to_owned()).collect();
    if codes.iter().any(String::is_empty) {
        return Err(serde::de::Error::custom(format!("counties: an empty county code in {text:?}")));
    }
    Ok(Some(codes))
}

/// The roll-ups of one week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollups {
    pub week: IsoWeek,
    /// The server's clock when they were made (Unix ms).
    pub as_of: i64,
    pub official: String,
    pub role: OfficialRole,
    pub counties: Vec<CountyRollup>,
}

/// One county's week, as its county section reads it in `GET /v1/compliance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountyRollup {
    pub code: String,
    pub name: String,
    pub rollup: Rollup,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Result<RollupQuery, serde_json::Error> {
        let pairs: serde_json::Map<String, serde_json::Value> =
            text.split('&').filter(|p| !p.is_empty()).filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_owned(), v.into())).collect();
        serde_json::from_value(serde_json::Value::Object(pairs))
    }

    #[test]
    fn the_counties_are_a_list_of_codes_and_an_empty_one_is_refused() -> Result<(), serde_json::Error> {
        assert_eq!(query("")?, RollupQuery::default());
        assert_eq!(query("counties=yunshan, baiyun")?.counties, Some(vec!["yunshan".to_owned(), "baiyun".to_owned()]));
        assert_eq!(query("week=2026-W48")?.week, Some("2026-W48".parse().map_err(serde::de::Error::custom)?));
        for bad in ["counties=", "counties=a,,b", "counties=a,", "county=a"] {
            assert!(query(bad).is_err(), "{bad}");
        }
        Ok(())
    }
}

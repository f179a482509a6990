//! `[console]`: the office console's optional base map (docs/console.md).

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The `[console]` settings: an optional tile server for the map's base layer. Without one the
/// map draws the county's own reference data on a blank background.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleSettings {
    /// A tile URL template with `{z}`, `{x}` and `{y}` (and optionally `{s}`), e.g. a provincial
    /// 天地图 service on the county intranet: `https://tiles.example.gov.cn/{z}/{x}/{y}.png`.
    pub tile_url: Option<String>,
    /// The tiles are in GCJ-02 (a Chinese commercial map): the console shifts the county's
    /// WGS 84 geometry onto them.
    pub tile_gcj02: bool,
    /// The attribution shown on the map for the tiles.
    pub tile_attribution: String,
}

impl ConsoleSettings {
    /// The tile server's origin (`scheme://host[:port]`), which the console's
    /// Content-Security-Policy allows images from; an error when the template is not an
    /// `http(s)` URL with `{z}`, `{x}` and `{y}`.
    pub fn tile_origin(&self) -> Result<Option<String>, ConfigError> {
        let Some(url) = &self.tile_url else { return Ok(None) };
        let bad = |why: &str| ConfigError::Range { name: "console.tile_url", why: format!("{url:?}: {why}") };
        let rest = url.strip_prefix("https://").map(|r| ("https", r)).or_else(|| url.strip_prefix("http://").map(|r| ("http", r)));
        let Some((scheme, rest)) = rest else { return Err(bad("not an http or https URL")) };
        if !["{z}", "{x}", "{y}"].iter().all(|p| url.contains(p)) {
            return Err(bad("the template needs {z}, {x} and {y}"));
        }
        let host = rest.split('/').next().unwrap_or("");
        let plain = |c: char| c.is_ascii_alphanumeric() || ".-:[]{}".contains(c);
        if host.is_empty() || !host.chars().all(plain) || url.chars().any(|c| c.is_whitespace() || c == ';' || c == '\'' || c == '"') {
            return Err(bad("the host is not a plain host name"));
        }
        // A `{s}` subdomain placeholder in the host becomes a CSP wildcard.
        let host = match host.split_once("{s}.") {
            Some(("", domain)) => format!("*.{domain}"),
            _ => host.to_owned(),
        };
        if host.contains('{') {
            return Err(bad("only a leading {s}. may be a placeholder in the host"));
        }
        Ok(Some(format!("{scheme}://{host}")))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    #[test]
    fn a_tile_template_gives_the_origin_the_console_may_load_images_from() {
        let tiles = |url: &str| ConsoleSettings { tile_url: Some(url.into()), ..ConsoleSettings::default() }.tile_origin();
        assert_eq!(ConsoleSettings::default().tile_origin().expect("none"), None);
        assert_eq!(tiles("https://t.example.cn:8443/map/{z}/{x}/{y}.png").expect("ok").as_deref(), Some("https://t.example.cn:8443"));
        assert_eq!(tiles("http://{s}.tiles.lan/{z}/{x}/{y}").expect("ok").as_deref(), Some("http://*.tiles.lan"));
        for bad in
            ["ftp://x/{z}/{x}/{y}", "https://x/{z}/{x}", "https://x y/{z}/{x}/{y}", "https://a;b/{z}/{x}/{y}", "https:///{z}/{x}/{y}"]
        {
            assert!(tiles(bad).is_err(), "{bad}");
        }
        let config: Config = toml::from_str("[console]\ntile_url = \"ftp://x\"\n").expect("parse");
        assert!(config.validate().is_err(), "checked at start");
    }
}

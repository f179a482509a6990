//! The console's files (`server/console/`), compiled into the binary, and the headers every one
//! of them is served with: a Content-Security-Policy without inline scripts or styles, no framing,
//! no sniffing, no referrer.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use include_dir::{Dir, include_dir};

use crate::config::{ConfigError, ConsoleSettings};
use crate::http::AppState;
use crate::http::error::ApiError;

/// Every file of the console, as committed (no build step: the vendored map library is its
/// released, minified file).
static FILES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/console");

/// The console as this server serves it: its start page with the settings filled in, and the
/// policy its pages run under.
pub struct Console {
    index: String,
    csp: String,
}

impl Console {
    /// The console for `settings` (the tile server's origin joins the images the policy allows).
    pub fn new(settings: &ConsoleSettings) -> Result<Console, ConfigError> {
        let origin = settings.tile_origin()?;
        let csp = policy(origin.as_deref());
        let page = FILES.get_file("index.html").and_then(|f| f.contents_utf8()).unwrap_or_default();
        let index = page
            .replace("{{tile_url}}", &attribute(settings.tile_url.as_deref().unwrap_or("")))
            .replace("{{tile_gcj02}}", if settings.tile_gcj02 { "true" } else { "false" })
            .replace("{{tile_attribution}}", &attribute(&settings.tile_attribution));
        Ok(Console { index, csp })
    }
}

/// The policy: scripts, styles and connections to this origin only; images also from the tile
/// server and `data:` (the map library's own icons); nothing may frame the console.
fn policy(tiles: Option<&str>) -> String {
    let images = tiles.map(|t| format!(" {t}")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{images}; connect-src 'self'; \
         font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
}

/// `text` safe inside a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `GET /`: the console's single page (its views are `#/…` fragments of it).
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    let console = &state.console;
    with_headers(HttpResponse::Ok(), &console.csp, "text/html; charset=utf-8").body(console.index.clone())
}

/// `GET /console/{file}`: a script, style sheet or image of the console; 404 for anything else.
pub async fn file(state: web::Data<AppState>, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.match_info().get("file").unwrap_or("");
    let file = FILES.get_file(path).filter(|_| path != "index.html" && !path.contains("..")).ok_or(ApiError::NotFound)?;
    let kind = content_type(path).ok_or(ApiError::NotFound)?;
    Ok(with_headers(HttpResponse::Ok(), &state.console.csp, kind).body(file.contents()))
}

fn with_headers(mut reply: actix_web::HttpResponseBuilder, csp: &str, kind: &'static str) -> actix_web::HttpResponseBuilder {
    reply
        .insert_header((header::CONTENT_TYPE, kind))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(csp).unwrap_or(HeaderValue::from_static("default-src 'none'")),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header(("cross-origin-opener-policy", "same-origin"))
        // Files change with the binary: the browser asks again each time (cheap on an intranet).
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    reply
}

/// The type of a console file by its extension; files of other types are not served.
fn content_type(path: &str) -> Option<&'static str> {
    Some(match path.rsplit_once('.')?.1 {
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => return None,
    })
}

/// Paths of every served file, for the test that each is reachable and typed.
pub fn paths() -> Vec<String> {
    fn walk(dir: &Dir<'static>, out: &mut Vec<String>) {
        out.extend(dir.files().map(|f| f.path().to_string_lossy().into_owned()));
        dir.dirs().for_each(|d| walk(d, out));
    }
    let mut out = Vec::new();
    walk(&FILES, &mut out);
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_console_file_has_a_type_and_the_page_no_inline_script() {
        for path in paths() {
            if path == "index.html" || path.ends_with("LICENSE") {
                continue;
            }
            assert!(content_type(&path).is_some(), "{path} would not be served");
        }
        let console = Console::new(&ConsoleSettings::default()).expect("console");
        assert!(!console.index.contains("<script>") && !console.index.contains("style="), "inline script or style in index.html");
        assert!(!console.index.contains("{{"), "a setting left unfilled");
        assert!(console.csp.contains("script-src 'self';") && !console.csp.contains("unsafe"));
    }

    #[test]
    fn the_tile_server_is_allowed_for_images_only_and_its_url_is_escaped() {
        let settings = ConsoleSettings {
            tile_url: Some("https://t.example.cn/{z}/{x}/{y}.png?a=1&b=2".into()),
            tile_gcj02: true,
            tile_attribution: "天地图 \"省\"".into(),
        };
        let console = Console::new(&settings).expect("console");
        assert!(console.csp.contains("img-src 'self' data: blob: https://t.example.cn;"), "{}", console.csp);
        assert!(console.csp.contains("connect-src 'self';"));
        assert!(console.index.contains("?a=1&amp;b=2") && console.index.contains("天地图 &quot;省&quot;"));
    }
}

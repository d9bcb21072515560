//! The dashboard at `GET /`: one page, a script and a style sheet, compiled into the
//! binary so it works offline and needs no build step. The page only reads the
//! `/__sandbox/*` control endpoints the bindings use (see [`crate::emulator`]).

use crate::http::Answer;

const INDEX_HTML: &str = include_str!("index.html");
const APP_JS: &str = include_str!("app.js");
const STYLE_CSS: &str = include_str!("style.css");

/// The page itself.
pub(crate) fn page() -> Answer {
    text(INDEX_HTML, "text/html; charset=utf-8")
}

/// A file under `/__sandbox/dashboard/`, if it is one of the page's.
pub(crate) fn asset(name: &str) -> Option<Answer> {
    match name {
        "app.js" => Some(text(APP_JS, "text/javascript; charset=utf-8")),
        "style.css" => Some(text(STYLE_CSS, "text/css; charset=utf-8")),
        _ => None,
    }
}

fn text(body: &'static str, content_type: &str) -> Answer {
    // The page changes with the binary; never serve a stale copy from a cache.
    Answer::text(200, content_type, body).with_header("Cache-Control", "no-store")
}

//! Cache headers. Hashed build assets (`/pkg/shop.<hash>.wasm`) never change under their
//! name, so browsers may keep them for a year; other static files for a day; pages, which
//! show the shopper's own cart, never in a shared cache.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const ONE_DAY: &str = "public, max-age=86400";
const PRIVATE: &str = "private, no-cache";

/// `shop.3f9a1c.wasm` has a hash segment; `shop.wasm` does not.
pub fn is_hashed_asset(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/pkg/") else {
        return false;
    };
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1].iter().any(|p| {
            p.len() >= 8
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

pub async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    if !res.status().is_success() || res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if is_html || path.starts_with("/api/") || path.starts_with("/_fn/") {
        PRIVATE
    } else if is_hashed_asset(&path) || path.starts_with("/media/") {
        // Product photos are named by their content's hash too.
        IMMUTABLE
    } else {
        ONE_DAY
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    res
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn recognises_hashed_build_assets() {
        assert!(is_hashed_asset("/pkg/shop.Xy3kD9fQ2aBc.wasm"));
        assert!(is_hashed_asset("/pkg/shop.Xy3kD9fQ2aBc.js"));
        assert!(!is_hashed_asset("/pkg/shop.wasm"));
        assert!(!is_hashed_asset("/pkg/shop.css"));
        assert!(!is_hashed_asset("/images/products/mug.svg"));
    }
}

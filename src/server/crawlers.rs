//! What search engines' crawlers read besides the pages: `/robots.txt` and the sitemap
//! (`/sitemap.xml`, and `/sitemaps/{n}.xml` once it is an index). Served by handlers, not
//! from `public/`, because both name the configured public URL.

use crate::error::ShopError;
use crate::server::services::sitemap;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Crawlers may keep these for an hour: a new product shows up in the sitemap within it,
/// and a crawler asks for it far less often anyway.
const CACHE_CONTROL: &str = "public, max-age=3600";

/// Paths crawlers are asked to leave alone: the API, server functions, and each shopper's
/// own cart, checkout and orders (those pages also say `noindex`).
pub const DISALLOWED: [&str; 5] = ["/api/", "/_fn/", "/cart", "/checkout", "/orders/"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/robots.txt", get(robots_txt))
        .route("/sitemap.xml", get(sitemap_xml))
        .route("/sitemaps/{file}", get(sitemap_file))
}

/// The robots.txt for a shop at `public_url`.
pub fn robots(public_url: &str) -> String {
    let mut text = String::from("User-agent: *\n");
    for path in DISALLOWED {
        text.push_str(&format!("Disallow: {path}\n"));
    }
    text.push_str(&format!(
        "\nSitemap: {}/sitemap.xml\n",
        public_url.trim_end_matches('/')
    ));
    text
}

async fn robots_txt(State(state): State<AppState>) -> Response {
    cacheable(
        "text/plain; charset=utf-8",
        robots(&state.config.public_url),
    )
}

async fn sitemap_xml(State(state): State<AppState>) -> Result<Response, ShopError> {
    let xml = sitemap::sitemap(&state.db, &state.config.public_url).await?;
    Ok(cacheable("application/xml", xml))
}

/// `/sitemaps/{n}.xml`: anything but a file number the index lists is a 404.
async fn sitemap_file(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ShopError> {
    let n = file
        .strip_suffix(".xml")
        .filter(|n| !n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or(ShopError::NotFound)?;
    let xml = sitemap::sitemap_file(&state.db, &state.config.public_url, n).await?;
    Ok(cacheable("application/xml", xml))
}

fn cacheable(content_type: &'static str, body: String) -> Response {
    let mut res = body.into_response();
    let headers = res.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_names_the_sitemap_and_the_private_paths() {
        let text = robots("https://shop.example/");
        assert!(text.starts_with("User-agent: *\n"));
        for path in DISALLOWED {
            assert!(text.contains(&format!("\nDisallow: {path}\n")), "{path}");
        }
        assert!(text.ends_with("\nSitemap: https://shop.example/sitemap.xml\n"));
    }
}

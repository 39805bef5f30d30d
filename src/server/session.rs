//! The storefront's cart session: a random id the server issues as a cookie on the first
//! visit, so the server renders the right cart and shoppers without JavaScript have one.
//! It is the same kind of id, in the same table, as the REST API's `session_id`.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;

pub const COOKIE_NAME: &str = "shop_session";
/// A year: the cart outlives the browser session.
const MAX_AGE_SECS: u32 = 365 * 24 * 60 * 60;

/// The session of the current request, put in the request's extensions by [`issue_session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId(pub String);

/// 128 random bits as 32 hex characters.
pub fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Only ids the shop could have issued are accepted, so a forged cookie cannot name an
/// arbitrary (for example an API client's) cart.
fn is_well_formed(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn session_from_cookies(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == COOKIE_NAME && is_well_formed(value))
        .map(|(_, value)| value.to_owned())
}

/// Middleware: finds the session cookie or makes a new id, and sets the cookie on pages and
/// server-function answers (not on images or scripts).
pub async fn issue_session(mut req: Request, next: Next) -> Response {
    let existing = session_from_cookies(req.headers());
    let is_new = existing.is_none();
    let id = existing.unwrap_or_else(new_session_id);
    req.extensions_mut().insert(SessionId(id.clone()));
    let mut res = next.run(req).await;
    if is_new && wants_cookie(&res) {
        let cookie =
            format!("{COOKIE_NAME}={id}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

fn wants_cookie(res: &Response) -> bool {
    // Pages are HTML; server-function answers are redirects (no-JS forms) or JSON.
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    content_type.starts_with("text/html")
        || content_type.starts_with("application/json")
        || res.status().is_redirection()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_128_bits_of_hex_and_differ() {
        let a = new_session_id();
        let b = new_session_id();
        assert!(is_well_formed(&a) && is_well_formed(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn cookie_is_found_among_others_and_forgeries_are_ignored() {
        let id = new_session_id();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("a=1; {COOKIE_NAME}={id}; b=2")).unwrap(),
        );
        assert_eq!(session_from_cookies(&headers), Some(id));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("shop_session=default"),
        );
        assert_eq!(session_from_cookies(&headers), None);
    }
}

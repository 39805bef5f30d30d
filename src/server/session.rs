//! The storefront's cart session: a random id the server issues as a cookie on the first
//! visit, so the server renders the right cart and shoppers without JavaScript have one.
//! It is the same kind of id, in the same table, as the REST API's `session_id`. A signed-in
//! customer's cart is their account's instead (see [`crate::server::auth`]).

use crate::server::auth::{cookie_name, AuthSession};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The guest cart cookie's name (with `__Host-` in front over https).
pub const COOKIE_NAME: &str = "shop_session";
/// A year: the cart outlives the browser session.
const MAX_AGE_SECS: u32 = 365 * 24 * 60 * 60;

/// The cart of the current request, put in the request's extensions by [`issue_session`]:
/// the account's when signed in, else the browser's guest cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionId(pub String);

/// The browser's guest cart (its cookie), signed in or not: signing in merges it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestCart(pub String);

/// 128 random bits as 32 hex characters.
pub fn new_session_id() -> String {
    crate::server::services::random_hex()
}

/// The guest cart cookie as this shop sets it.
#[derive(Clone)]
pub struct CartCookie {
    name: Arc<str>,
    secure: bool,
}

impl CartCookie {
    pub fn new(https: bool) -> Self {
        Self {
            name: cookie_name(COOKIE_NAME, https).into(),
            secure: https,
        }
    }

    /// `Set-Cookie` for the guest cart `id`.
    pub fn set(&self, id: &str) -> Option<HeaderValue> {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={id}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Lax{secure}",
            self.name
        ))
        .ok()
    }

    fn is_set_by(&self, res: &Response) -> bool {
        res.headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| {
                v.strip_prefix(&*self.name)
                    .is_some_and(|rest| rest.starts_with('='))
            })
    }
}

/// Only ids the shop could have issued are accepted, so a forged cookie cannot name an
/// arbitrary (for example an API client's) cart.
fn is_well_formed(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn session_from_cookies(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, value)| *found == name && is_well_formed(value))
        .map(|(_, value)| value.to_owned())
}

/// Middleware: finds the guest cart cookie or makes a new id, and sets the cookie on pages
/// and server-function answers (not on images or scripts) unless the handler set another.
/// Runs inside the sign-in layer: a signed-in customer's cart is their account's.
pub async fn issue_session(
    State(cookie): State<CartCookie>,
    mut req: Request,
    next: Next,
) -> Response {
    let existing = session_from_cookies(req.headers(), &cookie.name);
    let is_new = existing.is_none();
    let guest = existing.unwrap_or_else(new_session_id);
    let account_cart = req
        .extensions()
        .get::<AuthSession>()
        .and_then(|auth| auth.user.as_ref())
        .map(|user| user.cart_key.clone());
    let cart = account_cart.unwrap_or_else(|| guest.clone());
    req.extensions_mut().insert(SessionId(cart));
    req.extensions_mut().insert(GuestCart(guest.clone()));
    let mut res = next.run(req).await;
    if is_new && wants_cookie(&res) && !cookie.is_set_by(&res) {
        if let Some(value) = cookie.set(&guest) {
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
        assert_eq!(session_from_cookies(&headers, COOKIE_NAME), Some(id));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("shop_session=default"),
        );
        assert_eq!(session_from_cookies(&headers, COOKIE_NAME), None);
    }
}

//! The one gate in front of everything under `/admin` (pages and form posts) and every admin
//! server function (`/_fn/admin/…`): the role is checked on the server for every request.
//! Signed out: the sign-in page. A customer: 404 for pages (the admin does not exist for
//! them), 403 for calls. Admin server functions check the role again themselves
//! ([`crate::server::context::require_admin`]).

use crate::error::ShopError;
use crate::model::account::paths;
use crate::server::auth::AuthSession;
use crate::server::services::accounts::ADMIN;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Where the admin lives.
pub const ADMIN_PREFIX: &str = "/admin";
/// Where the admin's server functions live.
pub const ADMIN_FN_PREFIX: &str = "/_fn/admin/";

/// Whether the guard covers `path`.
pub fn is_admin_path(path: &str) -> bool {
    path == ADMIN_PREFIX || path.starts_with("/admin/") || path.starts_with(ADMIN_FN_PREFIX)
}

pub async fn guard_admin(mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !is_admin_path(&path) {
        return next.run(req).await;
    }
    let role = req
        .extensions()
        .get::<AuthSession>()
        .and_then(|auth| auth.user.as_ref())
        .map(|user| user.role.clone());
    let is_page = !path.starts_with(ADMIN_FN_PREFIX);
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    match role.as_deref() {
        Some(ADMIN) => next.run(req).await,
        // Only this shop's own path goes into `next` (the sign-in form checks it again).
        None if is_page => {
            let next_path = if is_read { path.as_str() } else { ADMIN_PREFIX };
            Redirect::to(&format!("{}?next={next_path}", paths::LOGIN)).into_response()
        }
        Some(_) if is_page && is_read => {
            // The shop's own 404 page, as for any path that does not exist.
            if let Ok(uri) = "/__no_such_page".parse() {
                *req.uri_mut() = uri;
            }
            next.run(req).await
        }
        _ => ShopError::Forbidden("This needs an admin account".into()).into_response(),
    }
}

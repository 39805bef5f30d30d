//! What a server function needs from the request it runs in: the app state, the shopper's
//! session, and proof that the request comes from the shop's own pages.

use crate::error::ShopError;
use crate::server::session::SessionId;
use crate::server::AppState;
use axum::http::{header, request::Parts, HeaderMap};
use leptos::prelude::use_context;

pub fn app_state() -> Result<AppState, ShopError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        ShopError::Internal
    })
}

/// Runs `work` with the app state on a task of its own and waits for its answer: how the
/// reads that pages render call the database.
///
/// While rendering, Leptos may drop a `Suspense`'s future and poll a new one. A query dropped
/// half-way makes sqlx close its connection (it cannot know what the server still sends),
/// so the next query opens a new one: on PostgreSQL two per page, about 100 ms (measured).
/// On its own task the query always completes and its connection goes back to the pool.
pub async fn detached<T, Fut>(work: impl FnOnce(AppState) -> Fut) -> Result<T, ShopError>
where
    T: Send + 'static,
    Fut: std::future::Future<Output = Result<T, ShopError>> + Send + 'static,
{
    tokio::spawn(work(app_state()?))
        .await
        .unwrap_or_else(|err| {
            tracing::error!(error = %err, "a detached read failed");
            Err(ShopError::Internal)
        })
}

fn request_parts() -> Result<Parts, ShopError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("request parts missing from the Leptos context");
        ShopError::Internal
    })
}

/// The session the `issue_session` middleware attached to this request.
pub fn session_id() -> Result<String, ShopError> {
    request_parts()?
        .extensions
        .get::<SessionId>()
        .map(|s| s.0.clone())
        .ok_or_else(|| {
            tracing::error!("session missing: is the session middleware installed?");
            ShopError::Internal
        })
}

/// The signed-in customer of this request, if any (the sign-in layer loaded them).
pub fn signed_in() -> Result<Option<crate::server::auth::SignedIn>, ShopError> {
    Ok(request_parts()?
        .extensions
        .get::<crate::server::auth::AuthSession>()
        .and_then(|auth| auth.user.clone()))
}

/// The signed-in admin of this request; anyone else is refused (403). The router's admin
/// guard already checked; admin server functions check again, so no route can forget.
pub fn require_admin() -> Result<crate::server::auth::SignedIn, ShopError> {
    match signed_in()? {
        Some(user) if user.role == crate::server::services::accounts::ADMIN => Ok(user),
        _ => Err(ShopError::Forbidden("This needs an admin account".into())),
    }
}

/// Refuses a cart change that another site's page made the browser send (see [`same_origin`]).
pub fn ensure_same_origin() -> Result<(), ShopError> {
    same_origin(&request_parts()?.headers, &app_state()?.config.public_url)
}

/// The request's Origin (or, failing that, its Referer) must be this shop: either the host
/// the request was sent to or the configured public URL.
pub fn same_origin(headers: &HeaderMap, public_url: &str) -> Result<(), ShopError> {
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let claimed = header_text(header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| header_text(header::REFERER));
    let Some(claimed) = claimed else {
        return Err(ShopError::Forbidden(
            "This request did not say where it came from, so nothing was changed".into(),
        ));
    };
    let claimed_host = host_of(claimed);
    let own_hosts = [
        header_text(header::HOST).map(str::to_owned),
        Some(host_of(public_url).to_owned()),
    ];
    if own_hosts
        .iter()
        .flatten()
        .any(|own| own.eq_ignore_ascii_case(claimed_host))
    {
        Ok(())
    } else {
        tracing::warn!(origin = claimed_host, "cross-site change refused");
        Err(ShopError::Forbidden(
            "Changes are only accepted from the shop's own pages".into(),
        ))
    }
}

/// Gives a failed server function the error's own status (409 for stock, 403 for a
/// cross-site request…) instead of the framework's blanket 500. A form posted without
/// JavaScript keeps its redirect back to the page, which carries the error instead.
pub fn with_status<T>(result: Result<T, ShopError>) -> Result<T, ShopError> {
    if let Err(err) = &result {
        let is_form_post = request_parts().is_ok_and(|parts| {
            parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
        });
        if let (false, Some(response)) =
            (is_form_post, use_context::<leptos_axum::ResponseOptions>())
        {
            response.set_status(err.status_code());
        }
    }
    result
}

/// `host[:port]` of a URL or origin.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_origins_and_referers() {
        assert_eq!(host_of("http://127.0.0.1:3000"), "127.0.0.1:3000");
        assert_eq!(host_of("https://shop.example/cart?x=1"), "shop.example");
        assert_eq!(host_of("https://evil.example#x"), "evil.example");
    }
}

//! The whole HTTP surface in one place: the REST API, the Leptos pages and server
//! functions, static files, probes, and the layers around them.

use crate::app::{shell, App};
use crate::error::ShopError;
use crate::model::account::paths;
use crate::server::middleware::{caching, client_addr, logging, rate_limit, security};
use crate::server::{
    account_forms, admin_forms, admin_guard, auth, back_in_stock_forms, checkout_form, crawlers,
    health, media, rest, session, AppState,
};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use ipnet::IpNet;
use leptos::prelude::{provide_context, use_context};
use leptos_axum::{
    generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes,
};
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

/// The admin's form posts (tests walk these with the Leptos routes under `/admin`).
pub const ADMIN_STOCK_FORM: &str = "/admin/products/{id}/stock";
pub const ADMIN_NEW_PRODUCT_FORM: &str = "/admin/products";
pub const ADMIN_PRODUCT_FORM: &str = "/admin/products/{id}";
pub const ADMIN_ARCHIVE_FORM: &str = "/admin/products/{id}/archive";
pub const ADMIN_IMAGE_FORM: &str = "/admin/products/{id}/image";
pub const ADMIN_ORDER_FORM: &str = "/admin/orders/{number}/status";
/// A download, not a page (GET), so listed apart.
pub const ADMIN_ORDER_EXPORT: &str = "/admin/orders/export.csv";
pub const ADMIN_FORMS: [&str; 6] = [
    ADMIN_ORDER_FORM,
    ADMIN_STOCK_FORM,
    ADMIN_NEW_PRODUCT_FORM,
    ADMIN_PRODUCT_FORM,
    ADMIN_ARCHIVE_FORM,
    ADMIN_IMAGE_FORM,
];

/// The pages' sign-in stack, outermost last: the sign-in session (axum-login over
/// tower-sessions), then the cart the request uses, then the admin's guard.
fn with_sign_in(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        .layer(axum::middleware::from_fn(admin_guard::guard_admin))
        .layer(axum::middleware::from_fn_with_state(
            session::CartCookie::new(state.config.is_https()),
            session::issue_session,
        ))
        .layer(auth::layer(state))
}

/// Largest photo upload body: the photo and the form around it.
const UPLOAD_LIMIT: usize = media::MAX_UPLOAD_BYTES + 64 * 1024;

/// Largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// What every page render and server function gets: the app state, and the CSP nonce the
/// security layer chose for this request (Leptos stamps it on its inline scripts).
pub(crate) fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let state = state.clone();
    move || {
        provide_context(state.clone());
        provide_context(crate::components::seo::PublicUrl(
            state.config.public_url.clone(),
        ));
        let nonce = use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<security::CspNonce>().cloned());
        if let Some(nonce) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    }
}

pub fn build(state: AppState) -> Router {
    build_with_routes(state, route_list())
}

/// The list of Leptos routes, found by rendering the app once.
pub fn route_list() -> Vec<AxumRouteListing> {
    generate_route_list(App)
}

/// [`build`] with a route list made earlier: tests that build many routers make it once, as
/// generating it renders the app, which must not overlap another test's page render.
pub fn build_with_routes(state: AppState, routes: Vec<AxumRouteListing>) -> Router {
    let context = leptos_context(&state);
    let app_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let site = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), app_shell)
        // The checkout and account forms post to their own pages' paths (GET renders them).
        .route("/checkout", post(checkout_form::checkout_submit))
        .route(
            back_in_stock_forms::SUBSCRIBE_PATH,
            post(back_in_stock_forms::subscribe),
        )
        .route(
            crate::model::stock::UNSUBSCRIBE_PATH,
            post(back_in_stock_forms::unsubscribe),
        )
        .route(paths::REGISTER, post(account_forms::register))
        .route(paths::LOGIN, post(account_forms::login))
        .route(paths::LOGOUT, post(account_forms::logout))
        .route(paths::PASSWORD, post(account_forms::change_password))
        .route(paths::FORGOT, post(account_forms::forgot))
        .route(paths::RESET, post(account_forms::reset))
        .route(paths::TOKENS, post(account_forms::create_token))
        .route(paths::REVOKE, post(account_forms::revoke_token))
        .route(ADMIN_STOCK_FORM, post(admin_forms::adjust_stock))
        .route(ADMIN_NEW_PRODUCT_FORM, post(admin_forms::create_product))
        .route(ADMIN_PRODUCT_FORM, post(admin_forms::update_product))
        .route(ADMIN_ARCHIVE_FORM, post(admin_forms::archive_product))
        .route(ADMIN_ORDER_FORM, post(admin_forms::order_action))
        .route(ADMIN_ORDER_EXPORT, get(admin_forms::export_orders))
        .route(
            &format!("{}/{{*name}}", crate::server_fns::SERVER_FN_PREFIX),
            get(server_fn_handler).post(server_fn_handler),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(server_fn_status));
    // Photos are larger than any other body: their route has its own limit.
    let uploads = Router::new()
        .route(ADMIN_IMAGE_FORM, post(admin_forms::upload_image))
        // Both limits: the layer's on the body, and the extractors' own (2 MB by default).
        .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT))
        .layer(RequestBodyLimitLayer::new(UPLOAD_LIMIT));
    let pages = with_sign_in(site.merge(uploads), &state);
    let limiter = state.limiter.clone();
    let timeout = Duration::from_secs(state.config.request_timeout_secs);
    let trusted_proxies: Arc<[IpNet]> = state.config.trusted_proxies.clone().into();
    let https = state.config.is_https();
    // Outermost last: every answer, a 408 or a 429 included, is logged under its request id
    // and carries the security headers.
    rest::router(&state.config)
        .merge(crawlers::router())
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .nest_service(
            media::MEDIA_PATH,
            tower_http::services::ServeDir::new(&state.config.media_dir),
        )
        .merge(pages)
        .with_state(state)
        .layer(axum::middleware::from_fn(caching::cache_headers))
        .layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit_writes,
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            client_addr::identify_client,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security::Https(https),
            security::security_headers,
        ))
        .layer(axum::middleware::from_fn(logging::log_requests))
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(leptos_context(&state), req).await
}

/// Gives a failed server function its error's own status: server_fn answers every error with
/// a 500, even arguments that did not decode, which are the caller's (400). Errors the
/// function body returns already carry theirs (`context::with_status`).
async fn server_fn_status(req: Request<Body>, next: Next) -> Response {
    let is_server_fn = req
        .uri()
        .path()
        .starts_with(crate::server_fns::SERVER_FN_PREFIX);
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Error bodies are one small JSON value; anything unreadable stays a 500.
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .unwrap_or_default();
    if let Ok(err) = ShopError::from_wire(&bytes) {
        parts.status = err.status_code();
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Resolves on SIGINT or SIGTERM: axum then stops accepting and lets in-flight requests finish.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}

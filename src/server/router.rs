//! The whole HTTP surface in one place: the REST API, the Leptos pages and server
//! functions, static files, and the layers around them.

use crate::app::{shell, App};
use crate::server::{rest, session, AppState};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

/// Largest request body accepted anywhere.
pub const BODY_LIMIT: usize = 1024 * 1024;

pub fn build(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let app_shell = {
        let options = state.leptos_options.clone();
        move || shell(options.clone())
    };
    let site = Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), app_shell)
        .route(
            &format!("{}/{{*name}}", crate::server_fns::SERVER_FN_PREFIX),
            get(server_fn_handler).post(server_fn_handler),
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn(session::issue_session));
    rest::router(&state.config)
        .merge(site)
        .with_state(state)
        .layer(CompressionLayer::new())
}

async fn server_fn_handler(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
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
    tracing::info!("shutdown signal received");
}

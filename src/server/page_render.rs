//! A page rendered in answer to a form post (the form shown again with what went wrong),
//! with what the page needs put in its Leptos context.

use crate::app::shell;
use crate::server::router::leptos_context;
use crate::server::AppState;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use leptos::prelude::provide_context;

/// Renders the page at `request`'s path with `value` in its context. The answer is
/// `no-store`: what was typed must not be kept by any cache.
pub async fn render_with<T: Clone + Send + Sync + 'static>(
    state: AppState,
    request: Request,
    value: T,
) -> Response {
    let base_context = leptos_context(&state);
    let context = move || {
        base_context();
        provide_context(value.clone());
    };
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_async_with_context(context, move || shell(options.clone()));
    let mut response = render(request).await;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

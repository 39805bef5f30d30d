//! `POST /checkout`: the checkout page's form, with or without JavaScript. It places the
//! order and redirects to its page (303), or renders the checkout page again with what was
//! typed, each problem next to its field, and the failure's status (400, 402, 409…).
//! A plain form post is what lets the form keep its values without JavaScript: a server
//! function's no-JS path redirects back and would lose them.

use crate::app::shell;
use crate::error::ShopError;
use crate::model::checkout::{input_for_error, CheckoutAttempt, CheckoutFields};
use crate::server::context::same_origin;
use crate::server::router::leptos_context;
use crate::server::services::orders;
use crate::server::session::SessionId;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use leptos::prelude::provide_context;

pub async fn checkout_submit(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(err) = same_origin(&parts.headers, &state.config.public_url) {
        return err.into_response();
    }
    let Some(SessionId(session_id)) = parts.extensions.get::<SessionId>().cloned() else {
        tracing::error!("session missing: is the session middleware installed?");
        return ShopError::Internal.into_response();
    };
    let form =
        Form::<CheckoutFields>::from_request(Request::from_parts(parts.clone(), body), &state)
            .await;
    let fields = match form {
        Ok(Form(fields)) => fields,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ShopError::PayloadTooLarge.into_response()
        }
        Err(_) => return ShopError::invalid("The checkout form could not be read").into_response(),
    };
    let deps = state.order_deps();
    let key = Some(fields.idempotency_key.trim()).filter(|k| !k.is_empty());
    let placed = match fields.to_input() {
        Ok(input) => orders::place_order(&deps, &session_id, &input, key).await,
        Err(errors) => Err(ShopError::InvalidFields(errors)),
    };
    match placed {
        Ok(placed) => Redirect::to(&format!("/orders/{}", placed.order.token)).into_response(),
        Err(err) => {
            render_again(
                state,
                Request::from_parts(parts, Body::empty()),
                fields,
                err,
            )
            .await
        }
    }
}

/// The checkout page once more, with the attempt in its context.
async fn render_again(
    state: AppState,
    request: Request,
    fields: CheckoutFields,
    err: ShopError,
) -> Response {
    let (errors, message) = match &err {
        ShopError::InvalidFields(by_path) => (
            by_path
                .iter()
                .map(|(path, message)| (input_for_error(path).to_owned(), message.clone()))
                .collect(),
            "Please correct the marked fields.".to_owned(),
        ),
        other => (Default::default(), other.to_string()),
    };
    let attempt = CheckoutAttempt {
        fields,
        errors,
        message,
        status: err.status_code().as_u16(),
    };
    let base_context = leptos_context(&state);
    let context = move || {
        base_context();
        provide_context(attempt.clone());
    };
    let options = state.leptos_options.clone();
    let render =
        leptos_axum::render_app_async_with_context(context, move || shell(options.clone()));
    let mut response = render(request).await;
    // What was typed (a card number among it) must not be kept by any cache.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

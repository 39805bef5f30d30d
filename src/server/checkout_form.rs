//! `POST /checkout`: the checkout page's form, with or without JavaScript. It places the
//! order and redirects to its page (303), or renders the checkout page again with what was
//! typed, each problem next to its field, and the failure's status (400, 402, 409…).
//! A plain form post is what lets the form keep its values without JavaScript: a server
//! function's no-JS path redirects back and would lose them.

use crate::error::ShopError;
use crate::model::checkout::{input_for_error, CheckoutAttempt, CheckoutFields};
use crate::server::context::same_origin;
use crate::server::page_render;
use crate::server::services::{accounts, orders};
use crate::server::session::SessionId;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;

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
    if let (Ok(placed), true) = (&placed, fields.wants_address_saved()) {
        save_address(&state, &parts, &placed.order).await;
    }
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

/// Saves the order's address as the signed-in customer's (who ticked "Save this address").
/// The order is placed whatever happens here; a failure is logged.
async fn save_address(
    state: &AppState,
    parts: &axum::http::request::Parts,
    order: &crate::model::order::Order,
) {
    let user = parts
        .extensions
        .get::<crate::server::auth::AuthSession>()
        .and_then(|auth| auth.user.clone());
    if let Some(user) = user {
        if let Err(err) = accounts::save_address(&state.db, user.id, &order.shipping_address).await
        {
            tracing::warn!(error = %err, "could not save the order's address to the account");
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
    page_render::render_with(state, request, attempt).await
}

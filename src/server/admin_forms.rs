//! The admin's form posts (behind the router's admin guard; each checks the role again and
//! that the post comes from the shop's own pages). They redirect (303) to the page that
//! follows, or render the page again with what went wrong and its status.

use crate::error::ShopError;
use crate::model::account::PostedForm;
use crate::server::auth::AuthSession;
use crate::server::context::same_origin;
use crate::server::page_render::render_with;
use crate::server::services::{accounts, inventory};
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StockForm {
    delta: String,
    reason: String,
}

/// `POST /admin/products/{id}/stock`: adjusts the stock by a delta with a reason.
pub async fn adjust_stock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(err) = same_origin(&parts.headers, &state.config.public_url) {
        return err.into_response();
    }
    let Some(staff) = parts
        .extensions
        .get::<AuthSession>()
        .and_then(|auth| auth.user.clone())
        .filter(|user| user.role == accounts::ADMIN)
    else {
        return ShopError::Forbidden("This needs an admin account".into()).into_response();
    };
    let Ok(id) = id.parse::<i32>() else {
        return ShopError::NotFound.into_response();
    };
    let form =
        Form::<StockForm>::from_request(Request::from_parts(parts.clone(), body), &state).await;
    let fields = match form {
        Ok(Form(fields)) => fields,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return ShopError::PayloadTooLarge.into_response()
        }
        Err(_) => return ShopError::invalid("The form could not be read").into_response(),
    };
    let adjusted = async {
        let delta = fields
            .delta
            .trim()
            .trim_start_matches('+')
            .parse::<i64>()
            .map_err(|_| {
                ShopError::invalid("Please enter a whole number of units, like 12 or -3")
            })?;
        inventory::adjust(&state.db, id, delta, fields.reason.trim(), staff.id).await
    }
    .await;
    match adjusted {
        Ok(_) => {
            state.catalogue.invalidate();
            Redirect::to(&format!("/admin/products/{id}?done=stock-adjusted")).into_response()
        }
        Err(ShopError::NotFound) => ShopError::NotFound.into_response(),
        Err(err) => {
            let mut parts = parts;
            parts.method = axum::http::Method::GET;
            if let Ok(uri) = format!("/admin/products/{id}").parse() {
                parts.uri = uri;
            }
            let shown = PostedForm {
                form: "stock",
                error: Some(err.to_string()),
                status: err.status_code().as_u16(),
                ..PostedForm::default()
            };
            render_with(state, Request::from_parts(parts, Body::empty()), shown).await
        }
    }
}

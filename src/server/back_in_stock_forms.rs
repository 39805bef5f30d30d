//! The back-in-stock forms, plain posts that work the same with or without JavaScript: the
//! request on a sold-out product page, and the unsubscribe page an email links to.

use crate::error::ShopError;
use crate::model::form::{Notice, PostedForm};
use crate::model::stock::UNSUBSCRIBE_PATH;
use crate::server::form_post::{done, read, show_again, Posted};
use crate::server::services::back_in_stock;
use crate::server::AppState;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The product page's form (`/product/{id}/back-in-stock`).
pub const SUBSCRIBE_PATH: &str = "/product/{id}/back-in-stock";

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct AlertRequest {
    email: String,
}

/// `POST /product/{id}/back-in-stock`: back to the product page, with the notice or the
/// refusal (and the email as typed).
pub async fn subscribe(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let Ok(id) = id.parse::<i32>() else {
        return ShopError::NotFound.into_response();
    };
    let Posted { parts, fields } = match read::<AlertRequest>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let page = format!("/product/{id}");
    match back_in_stock::subscribe(&state.db, id, &fields.email).await {
        Ok(()) => done(&page, Notice::BackInStockRequested),
        Err(err) => {
            let shown = PostedForm {
                email: fields.email,
                ..PostedForm::refused("back-in-stock", &err)
            };
            show_again(state, parts, &page, shown).await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct Unsubscribe {
    token: String,
}

/// `POST /back-in-stock/unsubscribe`: cancels every request still waiting for the address.
pub async fn unsubscribe(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<Unsubscribe>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    match back_in_stock::unsubscribe(&state.db, &fields.token).await {
        Ok(_) => done(UNSUBSCRIBE_PATH, Notice::BackInStockStopped),
        Err(err) => {
            let shown = PostedForm::refused("unsubscribe", &err);
            show_again(state, parts, UNSUBSCRIBE_PATH, shown).await
        }
    }
}

//! `/api/cart/…`: a session's cart for API clients, which name the session in the body or
//! query (`session_id`), exactly like the original design, minus its shared default cart.

use super::api_product;
use super::json::JsonObject;
use crate::error::ShopError;
use crate::model::CartItem;
use crate::server::services::cart;
use crate::server::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

/// Body of `POST /api/cart/`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // Documents the body; the handler reads it field by field for precise errors.
pub struct AddToCartRequest {
    /// The cart's owner: 1 to 255 characters, not blank.
    pub session_id: String,
    pub product_id: i32,
    /// 1 to 10000; defaults to 1.
    #[schema(minimum = 1, maximum = 10000, default = 1)]
    pub quantity: Option<i64>,
}

/// Body of `POST /api/cart/update/`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UpdateCartRequest {
    pub session_id: String,
    pub product_id: i32,
    /// 0 to 10000; 0 removes the line.
    #[schema(minimum = 0, maximum = 10000)]
    pub quantity: i64,
}

/// Body of `POST /api/cart/remove/`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct RemoveFromCartRequest {
    pub session_id: String,
    pub product_id: i32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

fn api_item(mut item: CartItem, base_url: &str) -> CartItem {
    item.product = api_product(item.product, base_url);
    item
}

fn removed() -> Response {
    Json(MessageResponse {
        message: "Item removed from cart".into(),
    })
    .into_response()
}

/// The items of a session's cart, oldest first.
#[utoipa::path(
    get,
    path = "/api/cart/",
    params(("session_id" = String, Query, description = "The cart's session id")),
    responses(
        (status = 200, description = "The cart's items", body = [CartItem]),
        (status = 400, description = "session_id missing, blank or too long", body = super::openapi::ErrorBody),
    ),
    tag = "cart"
)]
pub async fn cart_index(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<CartItem>>, ShopError> {
    let session_id = url::form_urlencoded::parse(query.as_deref().unwrap_or("").as_bytes())
        .find(|(key, _)| key == "session_id")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| ShopError::invalid("session_id is required"))?;
    let cart = cart::get_cart(&state.db, &session_id).await?;
    let base = &state.config.public_url;
    Ok(Json(
        cart.items.into_iter().map(|i| api_item(i, base)).collect(),
    ))
}

/// Adds a product to a session's cart; adding it again raises the same line's quantity.
#[utoipa::path(
    post,
    path = "/api/cart/",
    request_body(content = AddToCartRequest, content_type = "application/json"),
    responses(
        (status = 201, description = "The cart line, with its new quantity", body = CartItem),
        (status = 400, description = "A field is missing or of the wrong type, or out of range", body = super::openapi::ErrorBody),
        (status = 404, description = "No such product", body = super::openapi::ErrorBody),
        (status = 409, description = "Not enough stock; the message says how many are left", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    tag = "cart"
)]
pub async fn cart_add(
    State(state): State<AppState>,
    body: JsonObject,
) -> Result<(StatusCode, Json<CartItem>), ShopError> {
    let session_id = body.session_id()?;
    let product_id = body.product_id()?;
    let quantity = body.quantity(Some(1))?;
    let item = cart::add_to_cart_with_cap(
        &state.db,
        &session_id,
        product_id,
        quantity,
        state.config.cart_max_lines,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(api_item(item, &state.config.public_url)),
    ))
}

/// Removes a product's line from a session's cart.
#[utoipa::path(
    post,
    path = "/api/cart/remove/",
    request_body(content = RemoveFromCartRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Removed", body = MessageResponse),
        (status = 400, description = "A field is missing or of the wrong type", body = super::openapi::ErrorBody),
        (status = 404, description = "No such line in this cart", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    tag = "cart"
)]
pub async fn cart_remove(
    State(state): State<AppState>,
    body: JsonObject,
) -> Result<Response, ShopError> {
    let session_id = body.session_id()?;
    let product_id = body.product_id()?;
    cart::remove_from_cart(&state.db, &session_id, product_id).await?;
    Ok(removed())
}

/// Sets the quantity of a line; 0 removes it.
#[utoipa::path(
    post,
    path = "/api/cart/update/",
    request_body(content = UpdateCartRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The line with its new quantity, or a message when 0 removed it", body = CartItem),
        (status = 400, description = "A field is missing or of the wrong type, or out of range", body = super::openapi::ErrorBody),
        (status = 404, description = "No such product or line", body = super::openapi::ErrorBody),
        (status = 409, description = "Not enough stock; the message says how many are left", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    tag = "cart"
)]
pub async fn cart_update(
    State(state): State<AppState>,
    body: JsonObject,
) -> Result<Response, ShopError> {
    let session_id = body.session_id()?;
    let product_id = body.product_id()?;
    let quantity = body.quantity(None)?;
    match cart::set_quantity(&state.db, &session_id, product_id, quantity).await? {
        Some(item) => Ok(Json(api_item(item, &state.config.public_url)).into_response()),
        None => Ok(removed()),
    }
}

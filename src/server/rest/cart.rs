//! `/api/cart/…`: a session's cart for API clients, which name the session in the body or
//! query (`session_id`), exactly like the original design, minus its shared default cart.

use super::api_product;
use super::request::{rule, ProductRef, SessionId, ValidJson, ValidQuery};
use crate::error::ShopError;
use crate::model::CartItem;
use crate::server::services::cart;
use crate::server::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

/// Query of `GET /api/cart/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CartQuery {
    #[garde(dive)]
    pub session_id: SessionId,
}

/// Body of `POST /api/cart/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::ToSchema)]
pub struct AddToCartRequest {
    #[garde(dive)]
    pub session_id: SessionId,
    #[garde(skip)]
    pub product_id: ProductRef,
    /// 1 to 10000; 1 when absent (null is not a quantity).
    #[serde(default = "one")]
    #[garde(custom(rule(|q: &i64| cart::validate_add_quantity(*q))))]
    #[schema(minimum = 1, maximum = 10000, default = 1)]
    pub quantity: i64,
}

fn one() -> i64 {
    1
}

/// Body of `POST /api/cart/update/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::ToSchema)]
pub struct UpdateCartRequest {
    #[garde(dive)]
    pub session_id: SessionId,
    #[garde(skip)]
    pub product_id: ProductRef,
    /// 0 to 10000; 0 removes the line.
    #[garde(custom(rule(|q: &i64| cart::validate_set_quantity(*q))))]
    #[schema(minimum = 0, maximum = 10000)]
    pub quantity: i64,
}

/// Body of `POST /api/cart/remove/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::ToSchema)]
pub struct RemoveFromCartRequest {
    #[garde(dive)]
    pub session_id: SessionId,
    #[garde(skip)]
    pub product_id: ProductRef,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

/// What `POST /api/cart/update/` answers: the line, or a message when 0 removed it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CartUpdateResponse {
    Line(CartItem),
    Removed(MessageResponse),
}

fn api_item(mut item: CartItem, base_url: &str) -> CartItem {
    item.product = api_product(item.product, base_url);
    item
}

fn removed() -> MessageResponse {
    MessageResponse {
        message: "Item removed from cart".into(),
    }
}

/// The items of a session's cart, oldest first.
#[utoipa::path(
    get,
    path = "/api/cart/",
    params(CartQuery),
    responses(
        (status = 200, description = "The cart's items", body = [CartItem]),
        (status = 400, description = "session_id missing, blank or too long", body = super::openapi::ErrorBody),
    ),
    tag = "cart"
)]
pub async fn cart_index(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<CartQuery>,
) -> Result<Json<Vec<CartItem>>, ShopError> {
    let cart = cart::get_cart(&state.db, &query.session_id.0).await?;
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
        (status = 201, description = "The cart line, with its new quantity", body = CartItem, links(
            ("ShowCart" = (operation_id = "cart_index", parameters(("session_id" = "$response.body#/session_id")))),
        )),
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
    ValidJson(body): ValidJson<AddToCartRequest>,
) -> Result<(StatusCode, Json<CartItem>), ShopError> {
    let product_id = body.product_id.id()?;
    let item = cart::add_to_cart_with_cap(
        &state.db,
        &body.session_id.0,
        product_id,
        body.quantity,
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
    ValidJson(body): ValidJson<RemoveFromCartRequest>,
) -> Result<Json<MessageResponse>, ShopError> {
    let product_id = body.product_id.id()?;
    cart::remove_from_cart(&state.db, &body.session_id.0, product_id).await?;
    Ok(Json(removed()))
}

/// Sets the quantity of a line; 0 removes it.
#[utoipa::path(
    post,
    path = "/api/cart/update/",
    request_body(content = UpdateCartRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The line with its new quantity, or a message when 0 removed it", body = CartUpdateResponse),
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
    ValidJson(body): ValidJson<UpdateCartRequest>,
) -> Result<Json<CartUpdateResponse>, ShopError> {
    let product_id = body.product_id.id()?;
    let line = cart::set_quantity(&state.db, &body.session_id.0, product_id, body.quantity).await?;
    Ok(Json(match line {
        Some(item) => CartUpdateResponse::Line(api_item(item, &state.config.public_url)),
        None => CartUpdateResponse::Removed(removed()),
    }))
}

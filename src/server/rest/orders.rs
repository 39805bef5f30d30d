//! `POST /api/orders/` (checkout of a session's API cart) and `GET /api/orders/{token}/`.

use super::json::JsonObject;
use crate::error::ShopError;
use crate::model::order::{
    CheckoutInput, FieldErrors, Order, PaymentChoice, ShippingAddress, ShippingMethod,
};
use crate::server::services::orders;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{Map, Value};

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const IDEMPOTENT_REPLAYED: &str = "idempotent-replayed";

/// Body of `POST /api/orders/`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // Documents the body; the handler reads it field by field for precise errors.
pub struct PlaceOrderRequest {
    /// The API cart to check out.
    pub session_id: super::request::SessionId,
    /// At most 254 characters, like name@example.com.
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub shipping_address: ShippingAddress,
    pub shipping_method: ShippingMethod,
    pub payment: PaymentChoice,
}

/// The 400 body: `fields` when fields are wrong, only `error` otherwise (an empty cart, a bad
/// session_id or Idempotency-Key).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FieldErrorBody {
    pub error: String,
    /// Field path (`email`, `shipping_address.city`, `payment.card_number`, …) → message.
    #[schema(required = false, nullable = false)]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

/// One line the 409 body names.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnavailableItem {
    pub product_id: i32,
    /// Units in stock now.
    pub available: i32,
}

/// The 409 body: stock ran out (`unavailable` names each line), or an earlier request with
/// this Idempotency-Key is still waiting for its payment (no `unavailable`; `Retry-After`).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnavailableBody {
    /// Names each product and how many are left, or says the order is still in progress.
    pub error: String,
    #[schema(required = false, nullable = false)]
    pub unavailable: Option<Vec<UnavailableItem>>,
}

/// Checks out a session's cart: reserves the stock, takes the payment, empties the cart.
/// Send an `Idempotency-Key` to make retries safe: the same key and body return the same
/// order with `Idempotent-Replayed: true`.
#[utoipa::path(
    post,
    path = "/api/orders/",
    request_body(content = PlaceOrderRequest, content_type = "application/json"),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Up to 255 printable ASCII characters; retries with the same key and body return the same order"),
    ),
    responses(
        (status = 201, description = "The order", body = Order,
            headers(("Location" = String, description = "The order's URL"))),
        (status = 200, description = "A replay: the order an earlier request with this Idempotency-Key made", body = Order,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 400, description = "Fields are wrong (`fields` names each), the cart is empty, or session_id / Idempotency-Key is bad", body = FieldErrorBody),
        (status = 402, description = "The payment was declined; nothing was charged or reserved", body = super::openapi::ErrorBody),
        (status = 409, description = "Some items ran out (each is named with how many are left), or an earlier request with this Idempotency-Key is still waiting for its payment: retry after `Retry-After` seconds", body = UnavailableBody,
            headers(("Retry-After" = String, description = "Seconds, when the order is still in progress"))),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
        (status = 422, description = "This Idempotency-Key was used with a different request", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many writes from this address", body = super::openapi::ErrorBody),
    ),
    tag = "orders"
)]
pub async fn orders_create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: JsonObject,
) -> Result<Response, ShopError> {
    let key = match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .map_err(|_| ShopError::invalid("Idempotency-Key must be printable ASCII"))?,
        ),
    };
    let session_id = body.session_id()?;
    let input = checkout_input(&body.0)?;
    let placed = orders::place_order(&state.order_deps(), &session_id, &input, key).await?;
    let location = format!("/api/orders/{}/", placed.order.token);
    let mut response = if placed.replayed {
        (StatusCode::OK, Json(placed.order)).into_response()
    } else {
        (StatusCode::CREATED, Json(placed.order)).into_response()
    };
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(&location) {
        headers.insert(header::LOCATION, location);
    }
    if placed.replayed {
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// An order by its token (the secret in its link).
#[utoipa::path(
    get,
    path = "/api/orders/{token}/",
    params(("token" = String, Path, description = "The order's token")),
    responses(
        (status = 200, description = "The order", body = Order),
        (status = 404, description = "No such order", body = super::openapi::ErrorBody),
    ),
    tag = "orders"
)]
pub async fn orders_show(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<Order>, ShopError> {
    Ok(Json(orders::order_by_token(&state.db, &token).await?))
}

/// The body as a [`CheckoutInput`], collecting every wrong type or missing field by its path
/// (the service then checks the values, and both sets of messages come back together).
fn checkout_input(body: &Map<String, Value>) -> Result<CheckoutInput, ShopError> {
    let mut errors = FieldErrors::new();
    let email = text(body, "email", "email", &mut errors);
    let empty = Map::new();
    let address = match body.get("shipping_address") {
        Some(Value::Object(map)) => map,
        _ => {
            errors.insert(
                "shipping_address".into(),
                "Enter the shipping address".into(),
            );
            &empty
        }
    };
    let mut field = |name: &str| {
        text(
            address,
            name,
            &format!("shipping_address.{name}"),
            &mut errors,
        )
    };
    let shipping_address = ShippingAddress {
        name: field("name"),
        line1: field("line1"),
        line2: field("line2"),
        city: field("city"),
        postal_code: field("postal_code"),
        country: field("country"),
    };
    let shipping_method = match body.get("shipping_method") {
        Some(Value::String(s)) => ShippingMethod::parse(s),
        _ => None,
    };
    if shipping_method.is_none() {
        errors.insert(
            "shipping_method".into(),
            "Choose Standard or Express shipping".into(),
        );
    }
    let payment = match body.get("payment") {
        Some(Value::Object(p)) => match p.get("method") {
            Some(Value::String(m)) if m == "card" => Some(PaymentChoice::Card {
                card_number: text(p, "card_number", "payment.card_number", &mut errors),
            }),
            Some(Value::String(m)) if m == "cash_on_delivery" => {
                Some(PaymentChoice::CashOnDelivery)
            }
            _ => None,
        },
        _ => None,
    };
    if payment.is_none() {
        errors.insert(
            "payment.method".into(),
            "Choose Card or Cash on delivery".into(),
        );
    }
    // Values are checked even when the choices were wrong (with stand-ins for them), so a
    // client learns about every field in one reply.
    let input = CheckoutInput {
        email,
        shipping_address,
        shipping_method: shipping_method.unwrap_or(ShippingMethod::Standard),
        payment: payment.unwrap_or(PaymentChoice::CashOnDelivery),
    };
    if let Err(value_errors) = input.validate() {
        for (k, v) in value_errors {
            errors.entry(k).or_insert(v);
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(ShopError::InvalidFields(errors))
    }
}

/// A string field; absent or null reads as empty (the validation says what is missing).
fn text(map: &Map<String, Value>, name: &str, path: &str, errors: &mut FieldErrors) -> String {
    match map.get(name) {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(_) => {
            errors.insert(path.to_owned(), "Must be text".into());
            String::new()
        }
    }
}

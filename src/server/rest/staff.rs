//! The staff API (admin tokens, DRF conventions): `POST /api/products/{id}/stock/` adjusts a
//! product's stock. Without a token 401; a customer's token 403.

use super::account::Bearer;
use super::request::{rule, ValidJson};
use crate::error::ShopError;
use crate::model::Product;
use crate::server::entities::account;
use crate::server::services::{accounts, catalogue, inventory};
use crate::server::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::Json;
use serde::Deserialize;

/// The account a request's admin token names.
pub struct Staff(pub account::Model);

impl FromRequestParts<AppState> for Staff {
    type Rejection = ShopError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ShopError> {
        let Bearer(account) = Bearer::from_request_parts(parts, state).await?;
        if account.role != accounts::ADMIN {
            return Err(ShopError::Forbidden(
                "This needs an admin's API token".into(),
            ));
        }
        Ok(Staff(account))
    }
}

/// Body of `POST /api/products/{id}/stock/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::ToSchema)]
pub struct StockAdjustment {
    /// Units to add (negative: to take out); not 0.
    #[schema(schema_with = delta_schema, example = 12)]
    #[garde(custom(rule(|d: &i64| inventory::validate_delta(*d))))]
    pub delta: i64,
    /// Why: `received`, `correction` or `damaged`.
    #[schema(value_type = String, pattern = "^(received|correction|damaged)$", example = "received")]
    #[garde(custom(rule(|r: &String| inventory::validate_reason(r))))]
    pub reason: String,
}

/// -1,000,000 to -1 or 1 to 1,000,000: what [`inventory::validate_delta`] accepts.
fn delta_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
    let max = crate::model::inventory::MAX_ADJUSTMENT;
    let range = |min: i64, max: i64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(min))
            .maximum(Some(max))
    };
    utoipa::openapi::schema::Schema::OneOf(
        OneOfBuilder::new()
            .item(range(-max, -1))
            .item(range(1, max))
            .description(Some("Units to add (negative: to take out); not 0"))
            .build(),
    )
}

/// Adjusts a product's stock by `delta` for `reason`; the change is written to the product's
/// stock ledger and the audit log. Returns the product with its new stock.
#[utoipa::path(
    post,
    path = "/api/products/{id}/stock/",
    params(("id" = i64, Path, description = "The product's id")),
    request_body(content = StockAdjustment, content_type = "application/json"),
    responses(
        (status = 200, description = "The product, with its new stock", body = Product),
        (status = 400, description = "delta is 0 or out of range, or reason is not one of received, correction, damaged", body = super::openapi::ErrorBody),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The token is a customer's, not an admin's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such product", body = super::openapi::ErrorBody),
        (status = 409, description = "The stock would go below zero", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "staff"
)]
pub async fn stock_adjust(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
    ValidJson(body): ValidJson<StockAdjustment>,
) -> Result<Json<Product>, ShopError> {
    let id = id.parse::<i32>().map_err(|_| ShopError::NotFound)?;
    inventory::adjust(&state.db, id, body.delta, &body.reason, staff.id).await?;
    state.catalogue.invalidate();
    Ok(Json(catalogue::get_product(&state.db, id).await?))
}

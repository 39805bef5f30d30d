//! The staff API (admin tokens, DRF conventions): `POST /api/products/{id}/stock/` adjusts a
//! product's stock. Without a token 401; a customer's token 403.

use super::account::Bearer;
use super::request::{rule, ValidJson};
use crate::error::ShopError;
use crate::model::admin::ProductFields;
use crate::model::Product;
use crate::server::entities::account;
use crate::server::services::{accounts, catalogue, inventory, product_admin};
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
    // An archived product does not exist for the API: refused before anything changes.
    catalogue::get_product(&state.db, id).await?;
    inventory::adjust(&state.db, id, body.delta, &body.reason, staff.id).await?;
    state.catalogue.invalidate();
    let product = catalogue::get_product(&state.db, id).await?;
    Ok(Json(super::api_product(product, &state.config.public_url)))
}

/// Body of `POST /api/products/` (and, every field optional, `PATCH /api/products/{id}/`).
#[derive(Debug, Default, Deserialize, garde::Validate, utoipa::ToSchema)]
#[garde(allow_unvalidated)]
pub struct ProductBody {
    /// 1 to 200 characters.
    #[schema(min_length = 1, max_length = 200, example = "Walnut Serving Board")]
    pub name: Option<String>,
    /// Up to 5000 characters.
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// 0.01 to 99999999.99, as a string with at most two decimals.
    #[schema(pattern = "^[0-9]{1,8}(\\.[0-9]{1,2})?$", example = "34.90")]
    pub price: Option<String>,
    /// A category's slug (see `GET /api/categories/`), or null for none.
    #[schema(example = "kitchen")]
    pub category: Option<String>,
    /// On creation only: units in stock (0 to 1,000,000). Change it later with
    /// `POST /api/products/{id}/stock/`.
    #[schema(minimum = 0, maximum = 1000000)]
    pub stock: Option<i64>,
}

impl ProductBody {
    /// These fields over `current` (PATCH), or over blanks (POST).
    fn over(&self, current: ProductFields) -> ProductFields {
        ProductFields {
            name: self.name.clone().unwrap_or(current.name),
            description: self.description.clone().unwrap_or(current.description),
            price: self.price.clone().unwrap_or(current.price),
            category: match &self.category {
                Some(slug) => slug.clone(),
                None => current.category,
            },
        }
    }
}

/// Creates a product; its stock ledger opens with `stock` (default 0).
#[utoipa::path(
    post,
    path = "/api/products/",
    request_body(content = ProductBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The product", body = Product,
            headers(("Location" = String, description = "The product's URL"))),
        (status = 400, description = "A field is missing, of the wrong type or out of range, or the category is unknown", body = super::orders::FieldErrorBody),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The token is a customer's, not an admin's", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "staff"
)]
pub async fn products_create(
    State(state): State<AppState>,
    Staff(staff): Staff,
    ValidJson(body): ValidJson<ProductBody>,
) -> Result<axum::response::Response, ShopError> {
    use axum::response::IntoResponse;
    let fields = body.over(ProductFields::default());
    let stock = body.stock.unwrap_or(0);
    let created = product_admin::create(&state.db, &fields, stock, None, staff.id).await?;
    state.catalogue.invalidate();
    let product = catalogue::get_product(&state.db, created.id).await?;
    let location = format!("{}/api/products/{}/", state.config.public_url, created.id);
    Ok((
        axum::http::StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        Json(super::api_product(product, &state.config.public_url)),
    )
        .into_response())
}

/// Changes the given fields of a product (not its stock: see the stock endpoint).
#[utoipa::path(
    patch,
    path = "/api/products/{id}/",
    params(("id" = i64, Path, description = "The product's id")),
    request_body(content = ProductBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 400, description = "A field is of the wrong type or out of range, the category is unknown, or stock was given", body = super::orders::FieldErrorBody),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The token is a customer's, not an admin's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such product (or it is archived)", body = super::openapi::ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = super::openapi::ErrorBody),
        (status = 415, description = "Body is not application/json", body = super::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "staff"
)]
pub async fn products_update(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
    ValidJson(body): ValidJson<ProductBody>,
) -> Result<Json<Product>, ShopError> {
    let id = id.parse::<i32>().map_err(|_| ShopError::NotFound)?;
    let current = product_admin::stock_page(&state.db, id).await?;
    if current.product.archived {
        return Err(ShopError::NotFound);
    }
    if body.stock.is_some() {
        return Err(ShopError::invalid(
            "stock changes through POST /api/products/{id}/stock/ (with a reason)",
        ));
    }
    product_admin::update(&state.db, id, &body.over(current.fields), staff.id).await?;
    state.catalogue.invalidate();
    let product = catalogue::get_product(&state.db, id).await?;
    Ok(Json(super::api_product(product, &state.config.public_url)))
}

/// Archives a product (DRF's destroy, made safe): the shop stops showing it, past orders keep
/// it. Archiving an archived product is a 404, as it no longer exists for the API.
#[utoipa::path(
    delete,
    path = "/api/products/{id}/",
    params(("id" = i64, Path, description = "The product's id")),
    responses(
        (status = 204, description = "Archived"),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 403, description = "The token is a customer's, not an admin's", body = super::openapi::ErrorBody),
        (status = 404, description = "No such product (or it is archived)", body = super::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "staff"
)]
pub async fn products_archive(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(id): Path<String>,
) -> Result<axum::http::StatusCode, ShopError> {
    let id = id.parse::<i32>().map_err(|_| ShopError::NotFound)?;
    // Only a product the shop shows can be archived through the API.
    catalogue::get_product(&state.db, id).await?;
    product_admin::archive(&state.db, id, staff.id).await?;
    state.catalogue.invalidate();
    Ok(axum::http::StatusCode::NO_CONTENT)
}

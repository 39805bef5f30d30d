//! The customer's own API, with a personal token (`Authorization: Bearer hp_…`, made on
//! `/account`): `GET /api/me/` and `GET /api/orders/`. A missing, malformed, unknown or
//! revoked token is a 401 with `WWW-Authenticate: Bearer`.

use super::request::{rule, ValidQuery};
use crate::error::ShopError;
use crate::model::order::Order;
use crate::server::entities::account;
use crate::server::services::{api_tokens, orders};
use crate::server::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The account a request's bearer token names.
pub struct Bearer(pub account::Model);

impl FromRequestParts<AppState> for Bearer {
    type Rejection = ShopError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ShopError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .ok_or_else(|| {
                ShopError::Unauthorized(
                    "Send a personal API token: Authorization: Bearer <token>".into(),
                )
            })?;
        api_tokens::authenticate(&state.db, token)
            .await?
            .map(Bearer)
            .ok_or_else(|| {
                ShopError::Unauthorized("This API token is not valid or was revoked".into())
            })
    }
}

/// `GET /api/me/`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeResponse {
    #[schema(example = "ada@example.com")]
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// The customer the token belongs to.
#[utoipa::path(
    get,
    path = "/api/me/",
    responses(
        (status = 200, description = "The token's customer", body = MeResponse),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
    ),
    security(("bearer" = [])),
    tag = "account"
)]
pub async fn me(Bearer(account): Bearer) -> Json<MeResponse> {
    Json(MeResponse {
        email: account.email,
        created_at: account.created_at,
    })
}

/// DRF's page envelope of orders.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderPageResponse {
    /// The customer's orders, in every page.
    pub count: u64,
    /// Absolute URL of the next page, or null on the last.
    pub next: Option<String>,
    /// Absolute URL of the previous page, or null on the first.
    pub previous: Option<String>,
    /// Newest first.
    pub results: Vec<Order>,
}

/// Default and largest page sizes.
const DEFAULT_PAGE_SIZE: u64 = 24;
const MAX_PAGE_SIZE: u64 = 100;

/// Query of `GET /api/orders/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrdersQuery {
    /// 1-based page number; a page past the last one is 404.
    #[param(minimum = 1, maximum = 9007199254740991.0, nullable = false)]
    #[garde(custom(rule(|p: &Option<u64>| in_range(*p, super::products::MAX_PAGE, "page"))))]
    pub page: Option<u64>,
    /// Orders per page (default 24).
    #[param(minimum = 1, maximum = 100, nullable = false)]
    #[garde(custom(rule(|s: &Option<u64>| in_range(*s, MAX_PAGE_SIZE, "page_size"))))]
    pub page_size: Option<u64>,
}

fn in_range(value: Option<u64>, max: u64, name: &str) -> Result<(), ShopError> {
    match value {
        Some(v) if !(1..=max).contains(&v) => Err(ShopError::invalid(format!(
            "{name} must be between 1 and {max}"
        ))),
        _ => Ok(()),
    }
}

/// The token's customer's orders, newest first, in DRF's page envelope.
#[utoipa::path(
    get,
    path = "/api/orders/",
    params(OrdersQuery),
    responses(
        (status = 200, description = "One page of the customer's orders", body = OrderPageResponse),
        (status = 400, description = "A paging parameter is not an integer in its range", body = super::openapi::ErrorBody),
        (status = 401, description = "No token, or a bad or revoked one", body = super::openapi::ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer`"))),
        (status = 404, description = "The page is past the last one", body = super::openapi::ErrorBody),
    ),
    security(("bearer" = [])),
    tag = "account"
)]
pub async fn orders_index(
    State(state): State<AppState>,
    Bearer(account): Bearer,
    ValidQuery(query): ValidQuery<OrdersQuery>,
) -> Result<Json<OrderPageResponse>, ShopError> {
    let page = query.page.unwrap_or(1);
    let size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    let (count, results) = orders::customer_orders(&state.db, account.id, page, size).await?;
    let link = |page: u64| {
        format!(
            "{}/api/orders/?page={page}&page_size={size}",
            state.config.public_url
        )
    };
    let shown = page.saturating_sub(1).saturating_mul(size) + results.len() as u64;
    Ok(Json(OrderPageResponse {
        count,
        next: (shown < count).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        results,
    }))
}

//! `GET /api/products/` and `GET /api/products/{id}/`.

use super::api_product;
use super::full_list::Encoding;
use super::request::{rule, ValidQuery};
use crate::error::ShopError;
use crate::model::Product;
use crate::server::services::catalogue;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

/// DRF's page envelope, returned when `page` or `page_size` is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductPageResponse {
    /// Products in the whole catalogue.
    pub count: u64,
    /// Absolute URL of the next page, or null on the last.
    pub next: Option<String>,
    /// Absolute URL of the previous page, or null on the first.
    pub previous: Option<String>,
    pub results: Vec<Product>,
}

/// What `GET /api/products/` answers: the original API's plain list, or DRF's envelope
/// when paging parameters are given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ProductsResponse {
    All(Vec<Product>),
    Page(ProductPageResponse),
}

/// Default page size when only `page` is given.
const DEFAULT_PAGE_SIZE: u64 = 24;

/// The highest page a request may name: the largest integer every JSON client holds exactly
/// (2^53 - 1). Any page past the last one is a 404 anyway; the bound keeps the number sane.
pub const MAX_PAGE: u64 = 9_007_199_254_740_991;

/// Query of `GET /api/products/`.
#[derive(Debug, Deserialize, garde::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductsQuery {
    /// 1-based page number; a page past the last one is 404.
    #[param(minimum = 1, maximum = 9007199254740991.0, nullable = false)]
    #[garde(custom(rule(page_in_range)))]
    pub page: Option<u64>,
    /// Products per page; 24 when only `page` is given.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    #[garde(custom(rule(|size: &Option<u64>| size.map_or(Ok(()), catalogue::validate_page_size))))]
    pub page_size: Option<u64>,
}

fn page_in_range(page: &Option<u64>) -> Result<(), ShopError> {
    match page {
        Some(page) if !(1..=MAX_PAGE).contains(page) => Err(ShopError::invalid(format!(
            "page must be between 1 and {MAX_PAGE}"
        ))),
        _ => Ok(()),
    }
}

/// The products. Without paging parameters, every product ordered by id (as the original
/// API returned); with `page` and/or `page_size`, DRF's page envelope.
#[utoipa::path(
    get,
    path = "/api/products/",
    params(ProductsQuery),
    responses(
        (status = 200, description = "All products, or one page in DRF's envelope when paging parameters are given", body = ProductsResponse),
        (status = 400, description = "A paging parameter is not an integer in its range", body = super::openapi::ErrorBody),
        (status = 404, description = "The page is past the last one", body = super::openapi::ErrorBody),
    ),
    tag = "products"
)]
pub async fn products_index(
    State(state): State<AppState>,
    headers: HeaderMap,
    ValidQuery(query): ValidQuery<ProductsQuery>,
) -> Result<Response, ShopError> {
    let base = &state.config.public_url;
    if query.page.is_none() && query.page_size.is_none() {
        let list = state.catalogue.all(&state.db).await?;
        let encoding = Encoding::choose(&headers);
        return state.api_list_body.response(list, base, encoding).await;
    }
    let page = query.page.unwrap_or(1);
    let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    // A page past the last one is the service's NotFound, found before any offset.
    let listing = state.catalogue.page(&state.db, page, page_size).await?;
    let last_page = listing.page_count();
    let link = |n: u64| format!("{base}/api/products/?page={n}&page_size={page_size}");
    let body = ProductPageResponse {
        count: listing.total,
        next: (page < last_page).then(|| link(page + 1)),
        previous: (page > 1).then(|| link(page - 1)),
        results: listing
            .items
            .into_iter()
            .map(|p| api_product(p, base))
            .collect(),
    };
    Ok(Json(ProductsResponse::Page(body)).into_response())
}

/// One product. An id that is not a number, or no such product: 404.
#[utoipa::path(
    get,
    path = "/api/products/{id}/",
    params(("id" = i32, Path, description = "Product id")),
    responses(
        (status = 200, description = "The product", body = Product),
        (status = 404, description = "No such product", body = super::openapi::ErrorBody),
    ),
    tag = "products"
)]
pub async fn products_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Product>, ShopError> {
    let id: i32 = id.parse().map_err(|_| ShopError::NotFound)?;
    let product = state.catalogue.product(&state.db, id).await?;
    Ok(Json(api_product(product, &state.config.public_url)))
}

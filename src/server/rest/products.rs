//! `GET /api/products/` (with DRF's search, ordering and django-filter parameters),
//! `GET /api/products/{id}/` and `GET /api/categories/`.

use super::api_product;
use super::full_list::Encoding;
use super::request::{rule, ValidQuery};
use crate::error::ShopError;
use crate::model::search::{parse_price, ProductFilter, SortOrder, MAX_SEARCH_LEN};
use crate::model::Product;
use crate::server::services::{catalogue, search};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

/// DRF's page envelope, returned when `page` or `page_size` is given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProductPageResponse {
    /// Products matching the filters, in every page.
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
    /// Words to find in names (weighing most) and descriptions; each word may be the start of
    /// one (`espr` finds espresso). Punctuation separates words. Blank means no search.
    #[param(max_length = 200, nullable = false)]
    #[garde(custom(rule(search_in_range)))]
    pub search: Option<String>,
    /// A category's slug (see `GET /api/categories/`); an unknown one is a 400.
    #[param(nullable = false)]
    #[garde(skip)]
    pub category: Option<String>,
    /// Lowest price, inclusive: a number with at most two decimals; blank is no filter.
    #[param(value_type = Option<String>, pattern = "^([0-9]{1,8}(\\.[0-9]{1,2})?)?$", nullable = false)]
    #[garde(custom(rule(|p: &Option<String>| price(p))))]
    pub min_price: Option<String>,
    /// Highest price, inclusive.
    #[param(value_type = Option<String>, pattern = "^([0-9]{1,8}(\\.[0-9]{1,2})?)?$", nullable = false)]
    #[garde(custom(rule(|p: &Option<String>| price(p))))]
    pub max_price: Option<String>,
    /// `true` (or `True`, `1`) for products in stock only; `false`, `False`, `0` or blank for
    /// all.
    #[param(value_type = Option<String>, pattern = "^(true|false|True|False|1|0)?$", nullable = false)]
    #[garde(custom(rule(|f: &Option<String>| flag(f))))]
    pub in_stock: Option<String>,
    /// `price`, `-price`, `name`, `-name`, `created_at` or `-created_at`; without it, best
    /// match first with `search`, else by id.
    #[param(value_type = Option<String>, nullable = false)]
    #[garde(custom(rule(|o: &Option<String>| parse_ordering(o))))]
    pub ordering: Option<String>,
    /// 1-based page number; a page past the last one is 404.
    #[param(minimum = 1, maximum = 9007199254740991.0, nullable = false)]
    #[garde(custom(rule(page_in_range)))]
    pub page: Option<u64>,
    /// Products per page; 24 when only `page` is given.
    #[param(minimum = 1, maximum = 100, nullable = false)]
    #[garde(custom(rule(|size: &Option<u64>| size.map_or(Ok(()), catalogue::validate_page_size))))]
    pub page_size: Option<u64>,
}

fn search_in_range(search: &Option<String>) -> Result<(), ShopError> {
    match search {
        Some(text) if text.chars().count() > MAX_SEARCH_LEN => Err(ShopError::invalid(format!(
            "search must be at most {MAX_SEARCH_LEN} characters"
        ))),
        Some(text) if text.contains('\0') => Err(ShopError::invalid("search must not contain NUL")),
        _ => Ok(()),
    }
}

/// A price parameter: exactly what the document's pattern allows (up to 8 digits, then at
/// most 2 decimals; blank), so the API neither refuses nor accepts beyond its document.
fn price(value: &Option<String>) -> Result<Option<rust_decimal::Decimal>, ShopError> {
    let Some(text) = value.as_deref() else {
        return Ok(None);
    };
    let (whole, cents) = text.split_once('.').unwrap_or((text, "0"));
    let digits =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let well_formed = digits(whole, 8) && digits(cents, 2);
    if !text.is_empty() && !well_formed {
        return Err(ShopError::invalid(format!(
            "price filter: {text:?} is not a price (up to 8 digits, at most two decimals)"
        )));
    }
    parse_price(text).map_err(|e| ShopError::invalid(format!("price filter: {e}")))
}

/// `in_stock`: the document's values only (django-filter's BooleanFilter spellings).
fn flag(value: &Option<String>) -> Result<bool, ShopError> {
    match value.as_deref() {
        None | Some("" | "false" | "False" | "0") => Ok(false),
        Some("true" | "True" | "1") => Ok(true),
        Some(other) => Err(ShopError::invalid(format!(
            "in_stock: {other:?} is not true or false"
        ))),
    }
}

fn parse_ordering(value: &Option<String>) -> Result<Option<SortOrder>, ShopError> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => SortOrder::from_api(v).map(Some).ok_or_else(|| {
            ShopError::invalid(format!(
                "ordering must be one of {}",
                SortOrder::API_VALUES.join(", ")
            ))
        }),
    }
}

impl ProductsQuery {
    /// The filters asked for; `None` when none is (the catalogue as it is).
    fn filter(&self) -> Result<Option<ProductFilter>, ShopError> {
        let filter = ProductFilter {
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            category: self.category.clone().filter(|c| !c.trim().is_empty()),
            min_price: price(&self.min_price)?,
            max_price: price(&self.max_price)?,
            in_stock: flag(&self.in_stock)?,
            ordering: parse_ordering(&self.ordering)?,
        };
        filter.validate().map_err(ShopError::Invalid)?;
        Ok((filter != ProductFilter::default()).then_some(filter))
    }

    /// This query's parameters for another page (DRF's `next` and `previous` links).
    fn link(&self, base: &str, page: u64, page_size: u64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("search", &self.search),
            ("category", &self.category),
            ("min_price", &self.min_price),
            ("max_price", &self.max_price),
            ("in_stock", &self.in_stock),
            ("ordering", &self.ordering),
        ] {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
        query.append_pair("page", &page.to_string());
        query.append_pair("page_size", &page_size.to_string());
        format!("{base}/api/products/?{}", query.finish())
    }
}

fn page_in_range(page: &Option<u64>) -> Result<(), ShopError> {
    match page {
        Some(page) if !(1..=MAX_PAGE).contains(page) => Err(ShopError::invalid(format!(
            "page must be between 1 and {MAX_PAGE}"
        ))),
        _ => Ok(()),
    }
}

/// The products. Without paging parameters, every matching product (by id unless ordered,
/// as the original API returned); with `page` and/or `page_size`, DRF's page envelope.
/// Filters combine (all must hold).
#[utoipa::path(
    get,
    path = "/api/products/",
    params(ProductsQuery),
    responses(
        (status = 200, description = "All products, or one page in DRF's envelope when paging parameters are given", body = ProductsResponse),
        (status = 400, description = "A paging parameter is not an integer in its range, a filter value is bad, `ordering` is not one of its values, or `category` is unknown", body = super::openapi::ErrorBody),
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
    let filter = query.filter()?;
    if let Some(slug) = filter.as_ref().and_then(|f| f.category.as_deref()) {
        // An unknown category is a bad parameter (django-filter's "Select a valid choice").
        match state.catalogue.category(&state.db, slug).await {
            Err(ShopError::NotFound) => {
                return Err(ShopError::invalid(format!(
                    "category: there is no category {slug:?}"
                )))
            }
            other => drop(other?),
        }
    }
    let paged = query.page.is_some() || query.page_size.is_some();
    let listing = match (filter, paged) {
        (None, false) => {
            let list = state.catalogue.all(&state.db).await?;
            let encoding = Encoding::choose(&headers);
            return state.api_list_body.response(list, base, encoding).await;
        }
        (Some(filter), false) => {
            let all = search::find_all(&state.db, &filter).await?;
            let all = all.into_iter().map(|p| api_product(p, base)).collect();
            return Ok(Json(ProductsResponse::All(all)).into_response());
        }
        (filter, true) => {
            let page = query.page.unwrap_or(1);
            let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
            // A page past the last one is the services' NotFound, found before any offset.
            match filter {
                Some(filter) => {
                    state
                        .catalogue
                        .listing(&state.db, &filter, page, page_size)
                        .await?
                        .page
                }
                None => state.catalogue.page(&state.db, page, page_size).await?,
            }
        }
    };
    let (page, page_size) = (listing.page, listing.page_size);
    let last_page = listing.page_count();
    let body = ProductPageResponse {
        count: listing.total,
        next: (page < last_page).then(|| query.link(base, page + 1, page_size)),
        previous: (page > 1).then(|| query.link(base, page - 1, page_size)),
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

/// A category as `GET /api/categories/` lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryResponse {
    pub id: i32,
    /// For `?category=` and `/category/{slug}`.
    pub slug: String,
    pub name: String,
    /// Products in the category.
    pub product_count: u64,
}

/// Every category, by name, with how many products it holds.
#[utoipa::path(
    get,
    path = "/api/categories/",
    responses(
        (status = 200, description = "The categories", body = Vec<CategoryResponse>),
    ),
    tag = "products"
)]
pub async fn categories_index(
    State(state): State<AppState>,
) -> Result<Json<Vec<CategoryResponse>>, ShopError> {
    let categories = state.catalogue.categories(&state.db).await?;
    let counts = state.catalogue.category_counts(&state.db).await?;
    Ok(Json(
        categories
            .iter()
            .map(|c| CategoryResponse {
                id: c.id,
                slug: c.slug.clone(),
                name: c.name.clone(),
                product_count: counts.get(&c.id).copied().unwrap_or(0),
            })
            .collect(),
    ))
}

//! The REST API for external consumers, compatible with the original Django REST Framework
//! design: same paths (with or without the trailing slash), same field names, same JSON shapes.
//! Every failure is a 4xx (or a logged 500) with a `{"error": "…"}` body.

pub mod account;
pub mod cart;
pub mod full_list;
pub mod json;
pub mod openapi;
pub mod orders;
pub mod products;
pub mod request;
pub mod staff;
pub mod stock;

use crate::error::ShopError;
use crate::model::Product;
use crate::server::config::{Config, CorsOrigins};
use crate::server::router::BODY_LIMIT;
use crate::server::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub fn router(config: &Config) -> Router<AppState> {
    let routes: [(&str, MethodRouter<AppState>); 13] = [
        (
            "/api/products",
            get(products::products_index).post(staff::products_create),
        ),
        ("/api/categories", get(products::categories_index)),
        (
            "/api/products/{id}",
            get(products::products_show)
                .patch(staff::products_update)
                .delete(staff::products_archive),
        ),
        ("/api/products/{id}/stock", post(staff::stock_adjust)),
        ("/api/cart", get(cart::cart_index).post(cart::cart_add)),
        ("/api/cart/remove", post(cart::cart_remove)),
        ("/api/cart/update", post(cart::cart_update)),
        ("/api/me", get(account::me)),
        ("/api/stock", get(stock::stock_index)),
        ("/api/stock/events", get(stock::stock_events)),
        (
            "/api/orders",
            get(account::orders_index).post(orders::orders_create),
        ),
        ("/api/orders/{token}", get(orders::orders_show)),
        ("/api/openapi.json", get(openapi::openapi_json)),
    ];
    let mut router = Router::new();
    for (path, handler) in routes {
        // The original API's paths end in a slash; clients that drop it are served too.
        router = router
            .route(&format!("{path}/"), handler.clone())
            .route(path, handler);
    }
    router
        .method_not_allowed_fallback(|| async { ShopError::MethodNotAllowed })
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(cors_layer(&config.cors_origins))
}

async fn api_not_found() -> ShopError {
    ShopError::NotFound
}

/// Browsers may call the API from the origins in the allow-list (none by default), or from
/// any with `*`: the API takes no cookies, so no credentials are ever allowed.
fn cors_layer(origins: &CorsOrigins) -> CorsLayer {
    let allow = match origins {
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => AllowOrigin::list(
            // Config checked each is a plain origin, which is always a valid header value.
            list.iter().filter_map(|o| HeaderValue::from_str(o).ok()),
        ),
        CorsOrigins::None => AllowOrigin::list([]),
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static(orders::IDEMPOTENCY_KEY),
        ])
        .expose_headers([
            header::LOCATION,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static(orders::IDEMPOTENT_REPLAYED),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// The product as the API shows it: `image_url` absolute, from the public base URL.
pub(crate) fn api_product(mut product: Product, base_url: &str) -> Product {
    if product.image_url.starts_with('/') {
        product.image_url = format!("{base_url}{}", product.image_url);
    }
    product
}

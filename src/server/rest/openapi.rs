//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types,
//! so it cannot drift from the code.

use crate::error::ShopError;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use utoipa::OpenApi;

/// Every error the API returns has this body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Shop API", description = "Catalogue, session carts and orders; catalogue and carts compatible with the original Django REST Framework API."),
    paths(
        super::products::products_index,
        super::products::products_show,
        super::products::categories_index,
        super::cart::cart_index,
        super::cart::cart_add,
        super::cart::cart_remove,
        super::cart::cart_update,
        super::orders::orders_create,
        super::orders::orders_show,
        super::account::me,
        super::account::orders_index,
        super::staff::stock_adjust,
        super::staff::products_create,
        super::staff::products_update,
        super::staff::products_archive,
        super::stock::stock_index,
        super::stock::stock_events,
        openapi_json,
    ),
    components(schemas(
        crate::model::Product,
        crate::model::CartItem,
        crate::model::stock::ProductStock,
        super::products::ProductPageResponse,
        super::products::ProductsResponse,
        super::products::CategoryResponse,
        super::request::SessionId,
        super::request::ProductRef,
        super::cart::AddToCartRequest,
        super::cart::UpdateCartRequest,
        super::cart::RemoveFromCartRequest,
        super::cart::MessageResponse,
        super::cart::CartUpdateResponse,
        crate::model::order::Order,
        crate::model::order::OrderLine,
        crate::model::order::OrderPayment,
        crate::model::order::OrderStatus,
        crate::model::order::ShippingAddress,
        crate::model::order::ShippingMethod,
        crate::model::order::PaymentMethod,
        crate::model::order::PaymentChoice,
        super::orders::PlaceOrderRequest,
        super::orders::FieldErrorBody,
        super::orders::UnavailableBody,
        super::orders::UnavailableItem,
        super::account::MeResponse,
        super::account::OrderPageResponse,
        super::staff::StockAdjustment,
        super::staff::ProductBody,
        ErrorBody,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "products", description = "The catalogue"),
        (name = "cart", description = "Session carts"),
        (name = "orders", description = "Checkout and orders"),
        (name = "staff", description = "Running the shop, with an admin's API token"),
        (name = "account", description = "A customer's own data, with a personal API token made on /account"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// The personal API tokens customers make on `/account`.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (`hp_…`), made and revoked on /account",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json")),
    tag = "meta"
)]
pub async fn openapi_json() -> Result<Json<Value>, ShopError> {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).map_err(|e| {
        tracing::error!(error = %e, "serialising the OpenAPI document");
        ShopError::Internal
    })?;
    camel_case_links(&mut doc);
    Ok(Json(doc))
}

/// utoipa 5.5 writes a response link's fields in snake_case (`operation_id`, `request_body`),
/// which no OpenAPI tool reads; the specification spells them in camelCase.
fn camel_case_links(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    let links = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|operations| operations.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links")?.as_object_mut())
        .flat_map(|links| links.values_mut())
        .filter_map(Value::as_object_mut);
    for link in links {
        for (from, to) in [
            ("operation_id", "operationId"),
            ("operation_ref", "operationRef"),
            ("request_body", "requestBody"),
        ] {
            if let Some(value) = link.remove(from) {
                link.insert(to.to_owned(), value);
            }
        }
    }
}

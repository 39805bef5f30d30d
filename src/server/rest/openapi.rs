//! The OpenAPI 3 document, generated from the handlers' annotations and the shared types,
//! so it cannot drift from the code.

use axum::Json;
use serde::Serialize;
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
        super::cart::cart_index,
        super::cart::cart_add,
        super::cart::cart_remove,
        super::cart::cart_update,
        super::orders::orders_create,
        super::orders::orders_show,
    ),
    components(schemas(
        crate::model::Product,
        crate::model::CartItem,
        super::products::ProductPageResponse,
        super::cart::AddToCartRequest,
        super::cart::UpdateCartRequest,
        super::cart::RemoveFromCartRequest,
        super::cart::MessageResponse,
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
        ErrorBody,
    )),
    tags(
        (name = "products", description = "The catalogue"),
        (name = "cart", description = "Session carts"),
        (name = "orders", description = "Checkout and orders"),
    )
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

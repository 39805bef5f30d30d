//! Server functions: how the pages reach the services. They run the same services as the
//! REST API, under the `/_fn` prefix so they can never collide with `/api/…`.

use crate::error::ShopError;
use crate::model::{Cart, CartItem, Product, ProductPage};
use leptos::prelude::*;

/// Server-function URLs live under this prefix, apart from the REST API.
pub const SERVER_FN_PREFIX: &str = "/_fn";

#[server(prefix = "/_fn", endpoint = "products")]
pub async fn list_products(page: u64) -> Result<ProductPage, ShopError> {
    use crate::model::PAGE_SIZE;
    use crate::server::context;
    context::with_status(
        async {
            let state = context::app_state()?;
            state
                .catalogue
                .page(&state.db, page.max(1), PAGE_SIZE)
                .await
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "product")]
pub async fn get_product(id: i32) -> Result<Product, ShopError> {
    use crate::server::context;
    context::with_status(
        async {
            let state = context::app_state()?;
            state.catalogue.product(&state.db, id).await
        }
        .await,
    )
}

/// The shopper's cart. The session id is an HttpOnly cookie; it is blanked here so page
/// data that scripts can read never carries it.
#[server(prefix = "/_fn", endpoint = "cart")]
pub async fn get_cart() -> Result<Cart, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            let state = context::app_state()?;
            let mut cart = cart::get_cart(&state.db, &context::session_id()?).await?;
            for item in &mut cart.items {
                item.session_id.clear();
            }
            Ok(cart)
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "cart/add")]
pub async fn add_to_cart(product_id: i32, quantity: i64) -> Result<CartItem, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            let mut item =
                cart::add_to_cart(&state.db, &context::session_id()?, product_id, quantity).await?;
            item.session_id.clear();
            Ok(item)
        }
        .await,
    )
}

/// Sets a line's quantity; 0 removes the line.
#[server(prefix = "/_fn", endpoint = "cart/update")]
pub async fn update_cart_item(
    product_id: i32,
    quantity: i64,
) -> Result<Option<CartItem>, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            let item = cart::set_quantity(&state.db, &context::session_id()?, product_id, quantity)
                .await?;
            Ok(item.map(|mut item| {
                item.session_id.clear();
                item
            }))
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "cart/remove")]
pub async fn remove_from_cart(product_id: i32) -> Result<(), ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            cart::remove_from_cart(&state.db, &context::session_id()?, product_id).await
        }
        .await,
    )
}

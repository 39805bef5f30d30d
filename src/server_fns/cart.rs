//! The shopper's cart (the session cookie names it). Every change answers with the whole
//! cart after it, as the islands show it, so an island can redraw its lines and the navbar
//! count from one request.

use crate::error::ShopError;
use crate::model::{Cart, CartView};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The session's cart with the session id blanked: page data and island props are
/// readable by scripts, and the id is an HttpOnly cookie.
#[cfg(feature = "ssr")]
async fn session_cart() -> Result<Cart, ShopError> {
    use crate::server::{context, services::cart};
    let session = context::session_id()?;
    let mut cart =
        context::detached(move |state| async move { cart::get_cart(&state.db, &session).await })
            .await?;
    for item in &mut cart.items {
        item.session_id.clear();
    }
    Ok(cart)
}

#[server(prefix = "/_fn", endpoint = "cart", input = GetUrl)]
pub async fn get_cart() -> Result<Cart, ShopError> {
    crate::server::context::with_status(session_cart().await)
}

#[server(prefix = "/_fn", endpoint = "cart/add")]
pub async fn add_to_cart(product_id: i32, quantity: i64) -> Result<CartView, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            cart::add_to_cart_with_cap(
                &state.db,
                &context::session_id()?,
                product_id,
                quantity,
                state.config.cart_max_lines,
            )
            .await?;
            session_cart().await.map(|cart| CartView::from(&cart))
        }
        .await,
    )
}

/// Sets a line's quantity; 0 removes the line.
#[server(prefix = "/_fn", endpoint = "cart/update")]
pub async fn update_cart_item(product_id: i32, quantity: i64) -> Result<CartView, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            cart::set_quantity(&state.db, &context::session_id()?, product_id, quantity).await?;
            session_cart().await.map(|cart| CartView::from(&cart))
        }
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "cart/remove")]
pub async fn remove_from_cart(product_id: i32) -> Result<CartView, ShopError> {
    use crate::server::{context, services::cart};
    context::with_status(
        async {
            context::ensure_same_origin()?;
            let state = context::app_state()?;
            cart::remove_from_cart(&state.db, &context::session_id()?, product_id).await?;
            session_cart().await.map(|cart| CartView::from(&cart))
        }
        .await,
    )
}

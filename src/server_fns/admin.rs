//! The admin's reads (under `/_fn/admin/`, behind the router's admin guard; each checks the
//! role again). The admin's changes are plain form posts (see `server/admin_forms.rs`).

use crate::error::ShopError;
use crate::model::admin::{Dashboard, ProductStock, ProductTable};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/_fn", endpoint = "admin/dashboard", input = GetUrl)]
pub async fn get_dashboard() -> Result<Dashboard, ShopError> {
    use crate::server::{context, services::reports};
    context::require_admin()?;
    context::with_status(
        context::detached(|state| async move {
            reports::dashboard(&state.db, chrono::Utc::now()).await
        })
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "admin/products", input = GetUrl)]
pub async fn get_product_table(query: String, page: u64) -> Result<ProductTable, ShopError> {
    use crate::server::{context, services::product_admin};
    context::require_admin()?;
    context::with_status(
        context::detached(move |state| async move {
            product_admin::table(&state.db, &query, page).await
        })
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "admin/product-stock", input = GetUrl)]
pub async fn get_product_stock(id: i32) -> Result<ProductStock, ShopError> {
    use crate::server::{context, services::product_admin};
    context::require_admin()?;
    context::with_status(
        context::detached(
            move |state| async move { product_admin::stock_page(&state.db, id).await },
        )
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "admin/orders", input = GetUrl)]
pub async fn get_order_table(
    status: String,
    query: String,
    page: u64,
) -> Result<crate::model::admin::OrderTable, ShopError> {
    use crate::model::order::OrderStatus;
    use crate::server::{context, services::order_admin};
    context::require_admin()?;
    let status = OrderStatus::parse(&status);
    context::with_status(
        context::detached(move |state| async move {
            order_admin::table(&state.db, status, &query, page).await
        })
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "admin/order", input = GetUrl)]
pub async fn get_order_detail(
    number: String,
) -> Result<crate::model::admin::OrderDetail, ShopError> {
    use crate::server::{context, services::order_admin};
    context::require_admin()?;
    context::with_status(
        context::detached(
            move |state| async move { order_admin::detail(&state.db, &number).await },
        )
        .await,
    )
}

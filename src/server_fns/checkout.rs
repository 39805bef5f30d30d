//! Orders for the pages: an order's page is reached by its secret token.

use crate::error::ShopError;
use crate::model::order::Order;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/_fn", endpoint = "order", input = GetUrl)]
pub async fn get_order(token: String) -> Result<Order, ShopError> {
    use crate::server::{context, services::orders};
    context::with_status(
        context::detached(
            move |state| async move { orders::order_by_token(&state.db, &token).await },
        )
        .await,
    )
}

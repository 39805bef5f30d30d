//! Catalogue reads for the server-rendered pages.

use crate::error::ShopError;
use crate::model::{Product, ProductPage};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/_fn", endpoint = "products", input = GetUrl)]
pub async fn list_products(page: u64) -> Result<ProductPage, ShopError> {
    use crate::model::PAGE_SIZE;
    use crate::server::context;
    context::with_status(
        context::detached(move |state| async move {
            state
                .catalogue
                .page(&state.db, page.max(1), PAGE_SIZE)
                .await
        })
        .await,
    )
}

#[server(prefix = "/_fn", endpoint = "product", input = GetUrl)]
pub async fn get_product(id: i32) -> Result<Product, ShopError> {
    use crate::server::context;
    context::with_status(
        context::detached(move |state| async move { state.catalogue.product(&state.db, id).await })
            .await,
    )
}

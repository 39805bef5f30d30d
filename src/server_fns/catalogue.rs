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

#[server(prefix = "/_fn", endpoint = "product", input = GetUrl)]
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

/// A category by its slug: the product page's breadcrumbs name it. (`/_fn/category` is the
/// category page's listing.)
#[server(prefix = "/_fn", endpoint = "category_by_slug", input = GetUrl)]
pub async fn get_category(slug: String) -> Result<crate::model::search::Category, ShopError> {
    use crate::server::context;
    context::with_status(
        async {
            let state = context::app_state()?;
            state.catalogue.category(&state.db, &slug).await
        }
        .await,
    )
}

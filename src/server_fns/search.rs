//! Finding products, for the search and category pages and the navbar's search box. All
//! reads (`GetUrl`): the pages call them while rendering, the search box as the shopper types.

use crate::error::ShopError;
use crate::model::search::page::{CategoryListing, ListingQuery};
use crate::model::search::{Category, Listing, Suggestion};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The search page's listing (`/search?q=…`): the query's values, read as the page's form
/// sends them. Bad values are `Invalid` with a message for the shopper; a page past the last
/// or an unknown category is `NotFound`.
#[server(prefix = "/_fn", endpoint = "search", input = GetUrl)]
pub async fn search_listing(query: ListingQuery) -> Result<Listing, ShopError> {
    use crate::server::context;
    context::with_status(listings::listing(&query, None).await)
}

/// A category page's listing (`/category/{slug}?…`), with the category itself. `NotFound`
/// when no category has this slug (the page is then a 404).
#[server(prefix = "/_fn", endpoint = "category", input = GetUrl)]
pub async fn get_category_listing(
    slug: String,
    query: ListingQuery,
) -> Result<CategoryListing, ShopError> {
    use crate::server::context;
    context::with_status(
        async {
            // The category first, so an unknown slug is told apart from a page past the end.
            let category = listings::categories()
                .await?
                .iter()
                .find(|c| c.slug == slug)
                .cloned()
                .ok_or(ShopError::NotFound)?;
            let listing = listings::listing(&query, Some(&slug)).await?;
            Ok(CategoryListing { category, listing })
        }
        .await,
    )
}

/// What the search box offers as the shopper types: product names matching the words so far,
/// else corrections of a typo. Empty under two characters.
#[server(prefix = "/_fn", endpoint = "search/suggestions", input = GetUrl)]
pub async fn search_suggestions(q: String) -> Result<Vec<Suggestion>, ShopError> {
    use crate::model::search::MAX_SEARCH_LEN;
    use crate::server::context;
    let text = q.trim();
    if text.chars().count() < 2 {
        return Ok(Vec::new());
    }
    if text.chars().count() > MAX_SEARCH_LEN {
        return context::with_status(Err(ShopError::invalid(format!(
            "q must be at most {MAX_SEARCH_LEN} characters"
        ))));
    }
    let text = text.to_owned();
    context::with_status(
        context::detached(move |state| async move {
            let found = state.catalogue.suggestions(&state.db, &text).await?;
            Ok(found.as_ref().clone())
        })
        .await,
    )
}

/// Every category with its product count, by name: the navbar's links.
#[server(prefix = "/_fn", endpoint = "categories", input = GetUrl)]
pub async fn list_categories() -> Result<Vec<Category>, ShopError> {
    use crate::server::context;
    context::with_status(
        async {
            let categories = listings::categories().await?;
            Ok(categories.as_ref().clone())
        }
        .await,
    )
}

/// A category by its slug: the product page's breadcrumbs name it. Read through the same
/// task as the navbar's links (see `listings::categories`): both wait on one cache entry in
/// one render. (`/_fn/category` is the category page's listing.)
#[server(prefix = "/_fn", endpoint = "category_by_slug", input = GetUrl)]
pub async fn get_category(slug: String) -> Result<Category, ShopError> {
    use crate::server::context;
    context::with_status(
        async {
            let categories = listings::categories().await?;
            categories
                .iter()
                .find(|c| c.slug == slug)
                .cloned()
                .ok_or(ShopError::NotFound)
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod listings {
    use crate::error::ShopError;
    use crate::model::search::page::ListingQuery;
    use crate::model::search::{Category, Listing};
    use crate::model::PAGE_SIZE;
    use crate::server::context;
    use std::sync::Arc;

    /// The listing the query asks for, `category` being a category page's slug.
    pub async fn listing(
        query: &ListingQuery,
        category: Option<&str>,
    ) -> Result<Listing, ShopError> {
        let filter = query.filter(category).map_err(ShopError::Invalid)?;
        let page = query.page_number();
        context::detached(move |state| async move {
            state
                .catalogue
                .listing(&state.db, &filter, page, PAGE_SIZE)
                .await
        })
        .await
    }

    /// Every category, through the catalogue cache, loaded on a task of its own.
    ///
    /// A page render reads the categories twice at once (the navbar's links and a category
    /// page), and the cache makes the second wait for the first's load. Leptos renders
    /// `Suspense`s by polling each once and then awaiting them in page order: a load that
    /// only progresses when its own `Suspense` is polled can be waited for by one that is
    /// awaited before it, and the page never finishes. On its own task the load always
    /// progresses (see `context::detached`).
    pub async fn categories() -> Result<Arc<Vec<Category>>, ShopError> {
        context::detached(|state| async move { state.catalogue.categories(&state.db).await }).await
    }
}

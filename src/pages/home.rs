use crate::components::{pagination::Pagination, product_card::ProductCard};
use crate::error::ShopError;
use crate::model::ProductPage;
use crate::server_fns::list_products;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// The catalogue, a page of products at a time (`/?page=N`).
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p > 0)
            .unwrap_or(1)
    };
    // Awaited in place, not through a Resource: see `cart_state` (nothing here hydrates).
    let products = move || list_products(page());
    view! {
        <Title text="Shop"/>
        <Meta name="description" content="Browse the Harbor & Pine catalogue: kitchen, audio, outdoor, home office, stationery and fitness."/>
        <h1 class="page-title">"All products"</h1>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading products…"</p> }>
            {move || Suspend::new(async move {
                match products().await {
                    // A page past the last one is NotFound (the page answers 404), an empty
                    // catalogue an empty page 1: both show the same way.
                    Ok(ProductPage { ref items, .. }) if items.is_empty() => EitherOf3::A(empty_page()),
                    Err(ShopError::NotFound) => EitherOf3::A(empty_page()),
                    Ok(listing) => {
                        let page_count = listing.page_count();
                        let page = listing.page;
                        EitherOf3::B(view! {
                            <p class="result-count">{format!("{} products", listing.total)}</p>
                            <ul class="product-grid" data-testid="product-list">
                                {listing.items.into_iter().enumerate().map(|(position, product)| view! { <ProductCard product position/> }).collect_view()}
                            </ul>
                            <Pagination page page_count/>
                        })
                    }
                    Err(err) => EitherOf3::C(view! {
                        <p class="status status-error" role="alert">{format!("Could not load products: {err}")}</p>
                    }),
                }
            })}
        </Transition>
    }
}

fn empty_page() -> impl IntoView {
    view! {
        <div class="empty-state">
            <p>"There are no products on this page."</p>
            <a class="button" href="/">"Back to the first page"</a>
        </div>
    }
}

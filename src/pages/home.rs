use crate::components::live_stock::LiveStock;
use crate::components::seo::PageMeta;
use crate::components::{pagination::Pagination, product_card::ProductCard};
use crate::error::ShopError;
use crate::server_fns::list_products;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The catalogue, a page of products at a time (`/?page=N`).
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .map_or(Some(1), |p| p.trim().parse::<u64>().ok().filter(|p| *p > 0))
            // A page that cannot exist (0, not a number, past u64) is past the end: a 404.
            .unwrap_or(u64::MAX)
    };
    // Awaited in place, not through a Resource: see `cart_state` (nothing here hydrates).
    let products = move || list_products(page());
    view! {
        <h1 class="page-title">"All products"</h1>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading products…"</p> }>
            {move || Suspend::new(async move {
                match products().await {
                    Ok(listing) if !listing.items.is_empty() => {
                        let page_count = listing.page_count();
                        let page = listing.page;
                        EitherOf3::A(view! {
                            <HomeMeta page/>
                            <p class="result-count">{format!("{} products", listing.total)}</p>
                            <ul class="product-grid" data-testid="product-list">
                                {listing.items.into_iter().enumerate().map(|(position, product)| view! { <ProductCard product position/> }).collect_view()}
                            </ul>
                            <Pagination page page_count/>
                            <LiveStock/>
                        })
                    }
                    // An empty catalogue, or past the last page (the server function made
                    // that answer a 404).
                    Ok(_) | Err(ShopError::NotFound) => EitherOf3::B(view! {
                        <HomeMeta page=1 noindex=true/>
                        <div class="empty-state">
                            <p>"There are no products on this page."</p>
                            <a class="button" href="/">"Back to the first page"</a>
                        </div>
                    }),
                    Err(err) => EitherOf3::C(view! {
                        <HomeMeta page=1 noindex=true/>
                        <p class="status status-error" role="alert">{format!("Could not load products: {err}")}</p>
                    }),
                }
            })}
        </Transition>
    }
}

/// The catalogue's meta. Page 1 is `/`; later pages are canonical to themselves (each lists
/// other products, so none is a duplicate of the first) and say their number in the title.
#[component]
fn HomeMeta(page: u64, #[prop(optional)] noindex: bool) -> impl IntoView {
    let (title, canonical) = if page <= 1 {
        ("Shop".to_owned(), "/".to_owned())
    } else {
        (format!("Shop, page {page}"), format!("/?page={page}"))
    };
    view! {
        <PageMeta
            title
            description="Browse the Harbor & Pine catalogue: kitchen, audio, outdoor, home office, stationery and fitness."
            canonical
            noindex
        />
    }
}

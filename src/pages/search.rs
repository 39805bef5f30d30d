//! `/search?q=…`: the products matching the shopper's words, with the filters and sort of
//! the category pages. Always `noindex` (search results are not pages to index); the
//! canonical URL is `/search`.

use crate::components::listing::{ListingPlace, ListingView};
use crate::components::seo::PageMeta;
use crate::model::search::page::{ListingQuery, SEARCH_PATH};
use crate::server_fns::search_listing;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SearchPage() -> impl IntoView {
    let query_map = use_query_map();
    let query = move || query_map.with(|map| ListingQuery::from_lookup(|key| map.get(key)));
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Searching…"</p> }>
            {move || Suspend::new(async move {
                let query = query();
                let result = search_listing(query.clone()).await;
                let (title, heading, description) = if query.has_query() {
                    (
                        format!("Search: {}", query.q),
                        format!("Results for \u{201c}{}\u{201d}", query.q),
                        format!("Harbor & Pine products matching \u{201c}{}\u{201d}.", query.q),
                    )
                } else {
                    (
                        "Search".to_owned(),
                        "Search".to_owned(),
                        "Search the Harbor & Pine catalogue.".to_owned(),
                    )
                };
                let place = ListingPlace { path: SEARCH_PATH.to_owned(), category: None };
                view! {
                    <PageMeta title description canonical=SEARCH_PATH noindex=true/>
                    <ListingView place heading query result/>
                }
            })}
        </Transition>
    }
}

//! `/category/{slug}`: one category's products, with the filters and sort of the search
//! page. The canonical URL is the category's own, whatever the filters, sort or page; a
//! filtered or sorted page is `noindex`. An unknown slug is a real 404.

use crate::components::listing::{ListingPlace, ListingView};
use crate::components::seo::PageMeta;
use crate::error::ShopError;
use crate::model::search::page::{category_path, ListingQuery, SEARCH_PATH};
use crate::pages::not_found::NotFound;
use crate::server_fns::{get_category_listing, list_categories};
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CategoryPage() -> impl IntoView {
    let params = use_params_map();
    let query_map = use_query_map();
    let slug = move || params.with(|p| p.get("slug").unwrap_or_default());
    // The filter form's Category radios send `category`: another category (or all of them,
    // the search page) is another page, so the server sends the browser there.
    let moved = query_map
        .with_untracked(|map| map.get("category"))
        .and_then(|chosen| {
            let chosen = chosen.trim().to_owned();
            (chosen != slug()).then(|| {
                let query =
                    query_map.with_untracked(|map| ListingQuery::from_lookup(|key| map.get(key)));
                let rest = query.changed(|q| q.category.clear());
                if chosen.is_empty() {
                    rest.to_url(SEARCH_PATH)
                } else {
                    rest.to_url(&category_path(&chosen))
                }
            })
        });
    if let Some(target) = moved {
        // A 303 whoever asks (leptos_axum's `redirect` sends one only to requests that accept
        // HTML, and the listing island's fetch does not say so). The target is ASCII: every
        // value in it is percent-encoded.
        #[cfg(feature = "ssr")]
        if let (Some(response), Ok(location)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::HeaderValue::from_str(&target),
        ) {
            response.insert_header(axum::http::header::LOCATION, location);
            response.set_status(axum::http::StatusCode::SEE_OTHER);
        }
        return Either::Left(view! {
            <p class="status">"This listing has moved: " <a href=target>"continue"</a></p>
        });
    }
    let query = move || {
        let mut query = query_map.with(|map| ListingQuery::from_lookup(|key| map.get(key)));
        // The path names the category.
        query.category.clear();
        query
    };
    Either::Right(view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading products…"</p> }>
            {move || Suspend::new(async move {
                let slug = slug();
                let query = query();
                match get_category_listing(slug.clone(), query.clone()).await {
                    Err(ShopError::NotFound) if query.page_number() == 1 => Either::Left(view! {
                        <NotFound message="We couldn't find that category."/>
                    }),
                    result => {
                        let path = category_path(&slug);
                        let (name, description, listing) = match result {
                            Ok(found) => (
                                found.category.name.clone(),
                                if found.category.description.is_empty() {
                                    format!("{} at Harbor & Pine.", found.category.name)
                                } else {
                                    found.category.description.clone()
                                },
                                Ok(found.listing),
                            ),
                            Err(err) => {
                                // Bad filter values: the category exists, its name is still
                                // worth a heading.
                                let name = list_categories()
                                    .await
                                    .ok()
                                    .and_then(|all| all.into_iter().find(|c| c.slug == slug))
                                    .map_or_else(|| slug.clone(), |c| c.name);
                                (name.clone(), format!("{name} at Harbor & Pine."), Err(err))
                            }
                        };
                        let place = ListingPlace {
                            path: path.clone(),
                            category: Some((slug.clone(), name.clone())),
                        };
                        Either::Right(view! {
                            <PageMeta title=name.clone() description canonical=path noindex=query.is_refined()/>
                            <ListingView place heading=name query result=listing/>
                        })
                    }
                }
            })}
        </Transition>
    })
}

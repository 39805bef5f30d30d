//! "Recently viewed": the last products this browser opened, kept in localStorage. It is
//! filled only after hydration, so the server's HTML and the client's first render match.

use crate::model::{format_money, Product};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const MAX_RECENT: usize = 8;
#[cfg(feature = "hydrate")]
const STORAGE_KEY: &str = "shop.recently_viewed";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentProduct {
    pub id: i32,
    pub name: String,
    pub price: String,
    pub image_url: String,
}

impl From<&Product> for RecentProduct {
    fn from(p: &Product) -> Self {
        Self {
            id: p.id,
            name: p.name.clone(),
            price: format_money(p.price),
            image_url: p.image_url.clone(),
        }
    }
}

/// Puts `viewed` first, without duplicates, keeping at most [`MAX_RECENT`].
pub fn remember(mut list: Vec<RecentProduct>, viewed: RecentProduct) -> Vec<RecentProduct> {
    list.retain(|p| p.id != viewed.id);
    list.insert(0, viewed);
    list.truncate(MAX_RECENT);
    list
}

/// Shows the products viewed before `current`, then records `current` as the latest.
#[island]
pub fn RecentlyViewed(current: RecentProduct) -> impl IntoView {
    let shown = RwSignal::new(Vec::<RecentProduct>::new());
    // Effects only run in the browser; the server renders the strip empty.
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        let viewed = current;
        Effect::new(move |_| {
            let stored: Vec<RecentProduct> = LocalStorage::get(STORAGE_KEY).unwrap_or_default();
            shown.set(
                stored
                    .iter()
                    .filter(|p| p.id != viewed.id)
                    .cloned()
                    .collect(),
            );
            let _ = LocalStorage::set(STORAGE_KEY, remember(stored, viewed.clone()));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = current;
    // The strip is written once after hydration and holds at most eight links: a plain
    // re-render is enough (a keyed <For> would add its diffing code to the WASM).
    move || {
        let items = shown.get();
        (!items.is_empty()).then(|| {
            view! {
                <section class="recently-viewed" aria-labelledby="recently-viewed-title" data-testid="recently-viewed">
                    <h2 id="recently-viewed-title">"Recently viewed"</h2>
                    <ul class="recent-list">
                        {items
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <li>
                                        <a href=format!("/product/{}", p.id)>
                                            <img src=p.image_url alt=p.name.clone() width="120" height="90" loading="lazy"/>
                                            <span class="recent-name">{p.name}</span>
                                            <span class="price">{p.price}</span>
                                        </a>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i32) -> RecentProduct {
        RecentProduct {
            id,
            name: format!("P{id}"),
            price: "$1.00".into(),
            image_url: String::new(),
        }
    }

    #[test]
    fn latest_first_without_duplicates_and_bounded() {
        let mut list = Vec::new();
        for id in 1..=10 {
            list = remember(list, item(id));
        }
        assert_eq!(
            list.iter().map(|p| p.id).collect::<Vec<_>>(),
            vec![10, 9, 8, 7, 6, 5, 4, 3]
        );
        let list = remember(list, item(5));
        assert_eq!(list.len(), MAX_RECENT);
        assert_eq!(list[0].id, 5);
        assert_eq!(list.iter().filter(|p| p.id == 5).count(), 1);
    }
}

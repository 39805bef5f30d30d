//! "Recently viewed": the last products this browser opened, kept in localStorage. The
//! server renders only an empty slot carrying the current product; the island fills the
//! strip after hydration, so the server's HTML and the client's first render match.
//!
//! The list is stored as JSON (`[{"id", "name", "price", "image_url"}]`) read and written
//! by the browser's own `JSON`, and the strip is built with DOM calls: a Rust JSON codec or
//! a reactive list for eight links would cost more WASM than the rest of the island.

use crate::client::{dom, http};
use crate::model::{format_money, Product};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsValue;
use web_sys::js_sys::{Array, Object, Reflect, JSON};
use web_sys::Element;

pub const MAX_RECENT: usize = 8;
const STORAGE_KEY: &str = "shop.recently_viewed";
const SLOT_CLASS: &str = "recently-viewed-slot";

#[derive(Debug, Clone, PartialEq)]
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
#[component]
pub fn RecentlyViewed(current: RecentProduct) -> impl IntoView {
    view! {
        <RecentlyViewedStrip>
            <div
                class=SLOT_CLASS
                data-id=current.id
                data-name=current.name
                data-price=current.price
                data-image=current.image_url
            ></div>
        </RecentlyViewedStrip>
    }
}

#[island]
fn RecentlyViewedStrip(children: Children) -> impl IntoView {
    let root = NodeRef::<leptos::html::Div>::new();
    // Effects run only in the browser, once the island is hydrated.
    Effect::new(move |_| {
        let slot = root.get().and_then(|root| {
            root.query_selector(&format!(".{SLOT_CLASS}"))
                .ok()
                .flatten()
        });
        if let Some(slot) = slot {
            show_and_remember(&slot);
        }
    });
    view! { <div node_ref=root>{children()}</div> }
}

fn show_and_remember(slot: &Element) {
    let Some(current) = from_slot(slot) else {
        return;
    };
    let stored = load();
    let shown: Vec<&RecentProduct> = stored.iter().filter(|p| p.id != current.id).collect();
    if !shown.is_empty() {
        if let Some(strip) = strip(&shown) {
            let _ = slot.append_child(&strip);
        }
    }
    save(&remember(stored, current));
}

fn from_slot(slot: &Element) -> Option<RecentProduct> {
    Some(RecentProduct {
        id: slot.get_attribute("data-id")?.parse().ok()?,
        name: slot.get_attribute("data-name")?,
        price: slot.get_attribute("data-price")?,
        image_url: slot.get_attribute("data-image")?,
    })
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The stored list; anything unreadable in it is skipped.
fn load() -> Vec<RecentProduct> {
    let Some(text) = storage().and_then(|s| s.get_item(STORAGE_KEY).ok().flatten()) else {
        return Vec::new();
    };
    let Ok(list) = JSON::parse(&text) else {
        return Vec::new();
    };
    if !Array::is_array(&list) {
        return Vec::new();
    }
    Array::from(&list)
        .iter()
        .filter_map(|item| {
            Some(RecentProduct {
                id: http::number_field(&item, "id")? as i32,
                name: http::text_field(&item, "name")?,
                price: http::text_field(&item, "price")?,
                image_url: http::text_field(&item, "image_url")?,
            })
        })
        .take(MAX_RECENT)
        .collect()
}

fn save(list: &[RecentProduct]) {
    let items = Array::new();
    for p in list {
        let item = Object::new();
        for (key, value) in [
            ("id", JsValue::from(p.id)),
            ("name", JsValue::from_str(&p.name)),
            ("price", JsValue::from_str(&p.price)),
            ("image_url", JsValue::from_str(&p.image_url)),
        ] {
            let _ = Reflect::set(&item, &JsValue::from_str(key), &value);
        }
        items.push(&item);
    }
    // Storage that is full or blocked only means nothing is remembered.
    if let (Some(storage), Some(text)) = (storage(), JSON::stringify(&items).ok()) {
        let _ = storage.set_item(STORAGE_KEY, &String::from(text));
    }
}

/// `<section><h2>Recently viewed</h2><ul>` with a link per product.
fn strip(products: &[&RecentProduct]) -> Option<Element> {
    let section = dom::element(
        "section",
        &[
            ("class", "recently-viewed"),
            ("aria-labelledby", "recently-viewed-title"),
            ("data-testid", "recently-viewed"),
        ],
    )?;
    let title = dom::element("h2", &[("id", "recently-viewed-title")])?;
    title.set_text_content(Some("Recently viewed"));
    let list = dom::element("ul", &[("class", "recent-list")])?;
    for p in products {
        let href = format!("/product/{}", p.id);
        let link = dom::element("a", &[("href", &href)])?;
        let image = dom::element(
            "img",
            &[
                ("src", &p.image_url),
                ("alt", &p.name),
                ("width", "120"),
                ("height", "90"),
                ("loading", "lazy"),
            ],
        )?;
        let name = dom::element("span", &[("class", "recent-name")])?;
        name.set_text_content(Some(&p.name));
        let price = dom::element("span", &[("class", "price")])?;
        price.set_text_content(Some(&p.price));
        link.append_with_node_3(&image, &name, &price).ok()?;
        let item = dom::element("li", &[])?;
        item.append_child(&link).ok()?;
        list.append_child(&item).ok()?;
    }
    section.append_with_node_2(&title, &list).ok()?;
    Some(section)
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

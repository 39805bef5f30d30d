//! The navbar's search box: a plain GET form to `/search?q=…` that works without JavaScript;
//! with it, product names are suggested as the shopper types, as an ARIA 1.2 combobox with a
//! listbox popup (<https://www.w3.org/WAI/ARIA/apg/patterns/combobox/>): arrows move through
//! the names, Enter opens the one chosen (or searches when none is), Escape closes the list.
//!
//! The server renders the whole form (the list empty and hidden). The island keeps the
//! combobox's state where assistive technology reads it, in the DOM: the list's options and
//! `hidden`, `aria-selected` on the active option, `aria-expanded` and
//! `aria-activedescendant` on the field.

use crate::client::{dom, http};
use crate::model::search::page::SEARCH_PATH;
use crate::server_fns::SearchSuggestions;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use std::cell::Cell;
use web_sys::{Element, HtmlInputElement};

const INPUT_ID: &str = "site-search";
const LISTBOX_ID: &str = "search-suggestions";
const STATUS_ID: &str = "search-status";
/// Suggestions are asked for once typing pauses this long: one request per pause, not per key.
const DEBOUNCE: std::time::Duration = std::time::Duration::from_millis(200);
/// Fewer characters than this ask for nothing (every name would match).
const MIN_CHARS: usize = 2;

fn option_id(index: usize) -> String {
    format!("{LISTBOX_ID}-{index}")
}

fn status_text(count: usize) -> String {
    match count {
        0 => "No suggestions".to_owned(),
        1 => "1 suggestion available".to_owned(),
        n => format!("{n} suggestions available"),
    }
}

/// `initial`: the words of the search page being shown, else empty.
#[component]
pub fn SearchBox(initial: String) -> impl IntoView {
    view! {
        <SearchBoxBehaviour>
            <form class="search-form" role="search" method="get" action=SEARCH_PATH>
                <label class="visually-hidden" for=INPUT_ID>"Search"</label>
                <div class="combobox">
                    <input
                        id=INPUT_ID
                        type="search"
                        name="q"
                        value=initial
                        placeholder="Search products"
                        autocomplete="off"
                        maxlength="200"
                        role="combobox"
                        aria-autocomplete="list"
                        aria-controls=LISTBOX_ID
                        aria-expanded="false"
                    />
                    <ul id=LISTBOX_ID class="suggestions" role="listbox" aria-label="Suggestions" hidden></ul>
                </div>
                <button type="submit" class="button search-button">"Search"</button>
                <p id=STATUS_ID class="visually-hidden" role="status" data-testid="search-status"></p>
            </form>
        </SearchBoxBehaviour>
    }
}

#[island]
fn SearchBoxBehaviour(children: Children) -> impl IntoView {
    view! {
        <div
            class="search-box"
            on:input=on_input
            on:keydown=on_keydown
            on:focusin=on_focus
            on:focusout=move |_| close()
            // Keeps the focus in the field, so the list stays open for the click.
            on:mousedown=|ev| {
                if dom::event_closest(&ev, "[role=option]").is_some() {
                    ev.prevent_default();
                }
            }
            on:click=|ev| {
                if let Some(id) = dom::event_closest(&ev, "[role=option]").and_then(|o| product_of(&o)) {
                    open_product(&id);
                }
            }
        >
            {children()}
        </div>
    }
}

thread_local! {
    /// The latest request: answers can come back out of order, only its answer is shown.
    static LATEST: Cell<u32> = const { Cell::new(0) };
    static TIMER: Cell<Option<TimeoutHandle>> = const { Cell::new(None) };
}

fn on_input(ev: leptos::ev::Event) {
    let text = event_target_value(&ev);
    if let Some(handle) = TIMER.take() {
        handle.clear();
    }
    // Forget any request still on its way.
    let request = LATEST.get().wrapping_add(1);
    LATEST.set(request);
    if text.trim().chars().count() < MIN_CHARS {
        close();
        show(Vec::new());
        set_status("");
        return;
    }
    let ask = move || leptos::task::spawn_local(suggest(text, request));
    TIMER.set(set_timeout_with_handle(ask, DEBOUNCE).ok());
}

async fn suggest(text: String, request: u32) {
    let query = web_sys::UrlSearchParams::new().ok();
    let Some(query) = query else { return };
    query.append("q", &text);
    let url = format!(
        "{}?{}",
        SearchSuggestions::url(),
        String::from(query.to_string())
    );
    // A failed request just offers nothing: the form still searches.
    let found = match http::get(&url, http::JSON).await {
        Some(response) if response.ok() => http::json(&response).await,
        _ => None,
    };
    if LATEST.get() != request {
        return;
    }
    let found: Vec<(String, String)> = found
        .filter(web_sys::js_sys::Array::is_array)
        .map(|list| {
            web_sys::js_sys::Array::from(&list)
                .iter()
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            let id = http::number_field(s, "id")? as i64;
            Some((id.to_string(), http::text_field(s, "name")?))
        })
        .collect();
    set_status(&status_text(found.len()));
    let any = !found.is_empty();
    show(found);
    if any {
        set_open(true);
    }
}

fn on_keydown(ev: leptos::ev::KeyboardEvent) {
    // Keys on the Search button are the button's.
    if !from_field(&ev) {
        return;
    }
    let options = options();
    let count = options.len();
    let key = ev.key();
    match key.as_str() {
        "ArrowDown" | "ArrowUp" if count > 0 => {
            ev.prevent_default();
            let down = key == "ArrowDown";
            set_open(true);
            let next = match (active(&options), down) {
                (None, true) => 0,
                (None, false) => count - 1,
                (Some(i), true) => (i + 1) % count,
                (Some(i), false) => (i + count - 1) % count,
            };
            set_active(&options, Some(next));
        }
        "Enter" => {
            // Without a chosen name, Enter submits the form: a search.
            let chosen = is_open()
                .then(|| active(&options))
                .flatten()
                .and_then(|i| product_of(&options[i]));
            if let Some(id) = chosen {
                ev.prevent_default();
                open_product(&id);
            }
        }
        // Closes the list; a second Escape is the browser's (it clears the field).
        "Escape" if is_open() => {
            ev.prevent_default();
            close();
        }
        _ => {}
    }
}

fn on_focus(ev: leptos::ev::FocusEvent) {
    if from_field(&ev) && !options().is_empty() {
        set_open(true);
    }
}

/// Whether an event happened on the search field (the island also holds the button).
fn from_field(ev: &web_sys::Event) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| el.id() == INPUT_ID)
}

fn input() -> Option<HtmlInputElement> {
    dom::by_id(&document(), INPUT_ID)?.dyn_into().ok()
}

fn listbox() -> Option<Element> {
    dom::by_id(&document(), LISTBOX_ID)
}

fn options() -> Vec<Element> {
    let Some(list) = listbox() else {
        return Vec::new();
    };
    let children = list.children();
    (0..children.length())
        .filter_map(|i| children.item(i))
        .collect()
}

fn active(options: &[Element]) -> Option<usize> {
    options
        .iter()
        .position(|o| o.get_attribute("aria-selected").as_deref() == Some("true"))
}

fn product_of(option: &Element) -> Option<String> {
    option.get_attribute("data-product")
}

fn is_open() -> bool {
    listbox().is_some_and(|list| !list.has_attribute("hidden"))
}

fn set_open(open: bool) {
    if let Some(list) = listbox() {
        let _ = if open {
            list.remove_attribute("hidden")
        } else {
            list.set_attribute("hidden", "")
        };
    }
    if let Some(input) = input() {
        let _ = input.set_attribute("aria-expanded", if open { "true" } else { "false" });
    }
}

fn set_active(options: &[Element], index: Option<usize>) {
    for (i, option) in options.iter().enumerate() {
        let on = Some(i) == index;
        let _ = option.set_attribute("aria-selected", if on { "true" } else { "false" });
        let _ = option.class_list().toggle_with_force("active", on);
    }
    if let Some(input) = input() {
        let _ = match index {
            Some(i) => input.set_attribute("aria-activedescendant", &option_id(i)),
            None => input.remove_attribute("aria-activedescendant"),
        };
    }
}

fn close() {
    set_open(false);
    set_active(&options(), None);
}

/// Replaces the options with `found` (product id, name).
fn show(found: Vec<(String, String)>) {
    let Some(list) = listbox() else { return };
    list.set_text_content(None);
    for (index, (id, name)) in found.into_iter().enumerate() {
        let option = dom::element(
            "li",
            &[
                ("id", &option_id(index)),
                ("role", "option"),
                ("class", "suggestion"),
                ("aria-selected", "false"),
                ("data-product", &id),
            ],
        );
        if let Some(option) = option {
            option.set_text_content(Some(&name));
            let _ = list.append_child(&option);
        }
    }
    set_active(&options(), None);
}

fn set_status(text: &str) {
    if let Some(status) = dom::by_id(&document(), STATUS_ID) {
        status.set_text_content(Some(text));
    }
}

/// Opens a suggested product's page.
fn open_product(id: &str) {
    let _ = window().location().set_href(&format!("/product/{id}"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_counts_suggestions() {
        assert_eq!(status_text(0), "No suggestions");
        assert_eq!(status_text(1), "1 suggestion available");
        assert_eq!(status_text(6), "6 suggestions available");
        assert_eq!(option_id(2), "search-suggestions-2");
    }
}

//! Makes a search or category listing change in place. The listing is server-rendered HTML
//! (the island's children) inside `#listing`, whose filter form and links are plain GET
//! requests that work without JavaScript. With it, this island catches them: a changed
//! filter or sort, the form's submit, page links and links marked `data-swap` (removable
//! filters, price bands). It fetches the same URL the browser would have loaded, swaps
//! `#listing`'s contents for the answer's, records the URL with `history.pushState` (Back
//! fetches the previous one again) and announces the new result count.
//!
//! Fetching the server's own HTML, rather than calling the listing's server function and
//! rendering it here, keeps the product grid, facets and money formatting out of the WASM:
//! this island is only event handling.

use leptos::prelude::*;

/// The element whose contents are swapped; it carries the listing's clean URL in `data-url`.
pub const LISTING_ID: &str = "listing";
/// The filter form (the Sort select belongs to it through `form=`).
pub const FORM_ID: &str = "listing-filters";
/// The result count ("12 products"), read out after each change.
pub const COUNT_ID: &str = "result-count";
/// The live region that reads the count out.
const STATUS_ID: &str = "listing-status";

#[island]
pub fn LiveListing(children: Children) -> impl IntoView {
    // Effects run only in the browser, once the island is hydrated.
    Effect::new(|_| behaviour::listen_to_history());
    view! {
        <div
            class="live-listing"
            on:change=behaviour::on_change
            on:submit=behaviour::on_submit
            on:click=behaviour::on_click
        >
            {children()}
        </div>
        <p id=STATUS_ID class="visually-hidden" role="status" data-testid="listing-status"></p>
    }
}

mod behaviour {
    use super::{COUNT_ID, FORM_ID, LISTING_ID, STATUS_ID};
    use crate::client::http;
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{JsCast, JsValue};
    use std::cell::Cell;
    use web_sys::{Element, FormData, HtmlElement, HtmlFormElement, UrlSearchParams};

    thread_local! {
        /// The latest navigation: an answer to an earlier one arriving late is dropped.
        static LATEST: Cell<u32> = const { Cell::new(0) };
    }

    pub fn on_change(ev: leptos::ev::Event) {
        // Every control in the listing belongs to the filter form.
        let is_control = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .is_some_and(|el| el.has_attribute("name"));
        if is_control {
            if let Some(url) = filter_form().and_then(|form| form_url(&form)) {
                navigate(url, true);
            }
        }
    }

    pub fn on_submit(ev: leptos::ev::SubmitEvent) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            .filter(|form| form.id() == FORM_ID)
        else {
            return;
        };
        if let Some(url) = form_url(&form) {
            ev.prevent_default();
            navigate(url, true);
        }
    }

    pub fn on_click(ev: leptos::ev::MouseEvent) {
        // A new tab or window, or another button, is the browser's business.
        if ev.default_prevented()
            || ev.button() != 0
            || ev.ctrl_key()
            || ev.meta_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let href = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest("a[data-swap], .pagination a").ok().flatten())
            .and_then(|link| link.get_attribute("href"));
        if let Some(href) = href {
            ev.prevent_default();
            navigate(href, true);
        }
    }

    /// Back and Forward between the listing's own entries fetch that entry's listing.
    pub fn listen_to_history() {
        // The handle is dropped: the listener stays as long as the page.
        _ = window_event_listener(leptos::ev::popstate, move |_| {
            let location = window().location();
            let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
                return;
            };
            let url = format!("{path}{search}");
            // A change of the hash (the skip link) is no other listing.
            if current_url().as_deref() != Some(url.as_str()) {
                navigate(url, false);
            }
        });
    }

    fn announce(text: &str) {
        if let Some(status) = document().get_element_by_id(STATUS_ID) {
            status.set_text_content(Some(text));
        }
    }

    fn listing() -> Option<Element> {
        document().get_element_by_id(LISTING_ID)
    }

    fn current_url() -> Option<String> {
        listing().and_then(|el| el.get_attribute("data-url"))
    }

    fn filter_form() -> Option<HtmlFormElement> {
        document()
            .get_element_by_id(FORM_ID)
            .and_then(|el| el.dyn_into().ok())
    }

    /// Where the form would go: its action with its values as the query.
    fn form_url(form: &HtmlFormElement) -> Option<String> {
        let data = FormData::new_with_form(form).ok()?;
        let query = UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        let action = form.get_attribute("action")?;
        Some(format!("{action}?{}", String::from(query.to_string())))
    }

    fn navigate(url: String, push: bool) {
        let request = LATEST.with(|latest| {
            latest.set(latest.get().wrapping_add(1));
            latest.get()
        });
        if let Some(listing) = listing() {
            let _ = listing.set_attribute("aria-busy", "true");
        }
        leptos::task::spawn_local(async move {
            let fetched = fetch_listing(&url).await;
            if LATEST.with(Cell::get) != request {
                return;
            }
            match fetched.and_then(|fresh| swap(fresh, push)) {
                Some(count) => announce(&count),
                // Anything else (a 404 page, no network): let the browser load it.
                None => {
                    let _ = window().location().assign(&url);
                }
            }
        });
    }

    /// The `#listing` element of the page at `url`, and that page's title.
    async fn fetch_listing(url: &str) -> Option<(Element, String)> {
        let response = http::get(url, http::HTML).await?;
        let page = http::html(&response).await?;
        let fresh = page.get_element_by_id(LISTING_ID)?;
        Some((fresh, page.title()))
    }

    /// Puts the fetched listing in place of the current one; returns the count to announce.
    fn swap((fresh, title): (Element, String), push: bool) -> Option<String> {
        let current = listing()?;
        let url = fresh.get_attribute("data-url")?;
        let focused = document()
            .active_element()
            .map(|el| el.id())
            .filter(|id| !id.is_empty());
        current.set_inner_html(&fresh.inner_html());
        let _ = current.set_attribute("data-url", &url);
        let _ = current.remove_attribute("aria-busy");
        document().set_title(&title);
        if push {
            let _ = window()
                .history()
                .and_then(|h| h.push_state_with_url(&JsValue::NULL, "", Some(&url)));
        }
        // The control the shopper was using is a new element now: give it the focus back,
        // or (after a link) put the focus on the count, at the top of the new results.
        let target = focused
            .and_then(|id| document().get_element_by_id(&id))
            .or_else(|| document().get_element_by_id(COUNT_ID))
            .and_then(|el| el.dyn_into::<HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
        // Other products now: follow theirs.
        crate::components::live_stock::follow_page();
        document()
            .get_element_by_id(COUNT_ID)
            .and_then(|el| el.text_content())
    }
}

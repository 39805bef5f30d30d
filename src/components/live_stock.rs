//! Keeps the stock a page shows current while it is open: stock badges, "N in stock", the
//! Add to Cart button and the back-in-stock form of every product on the page.
//!
//! One `EventSource` per page on `/api/stock/events?products=…` (the products the page shows:
//! every element about one carries [`PRODUCT_ATTR`]). After each connect, and on `resync`,
//! the page reads `/api/stock/` afresh, since changes made while it was not listening were
//! never sent. A lost stream is reopened after a growing, jittered pause (1 s doubling to
//! 30 s), so a restarting server is not met by every page at once. Without JavaScript the
//! page stays as the server rendered it.

use crate::client::dom::{elements, set_flag};
use crate::client::http;
use crate::model::StockLevel;
use leptos::prelude::*;
use leptos::wasm_bindgen::closure::Closure;
use leptos::wasm_bindgen::JsCast;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;
use web_sys::js_sys::{Array, Math};
use web_sys::{Event, EventSource, MessageEvent};

/// Marks an element that shows one product's stock: its value is the product's id.
pub const PRODUCT_ATTR: &str = "data-stock-product";
/// On `<html>`: "connecting" or "open", for tests and curious developers.
const STATE_ATTR: &str = "data-live-stock";
/// A page watches at most this many products (the server's limit too).
const MAX_PRODUCTS: usize = crate::model::stock::MAX_WATCHED;

#[island]
pub fn LiveStock() -> impl IntoView {
    // Effects run only in the browser, once the island is hydrated.
    Effect::new(|_| follow_page());
}

thread_local! {
    static LIVE: RefCell<Option<Rc<Live>>> = const { RefCell::new(None) };
}

/// (Re)starts following the products now on the page: at load, and after an island swapped
/// part of it (a listing's next page). Nothing to follow closes the stream.
pub fn follow_page() {
    let ids = products_on_page();
    let current = LIVE.with_borrow(|live| live.clone());
    if let Some(live) = &current {
        if live.ids == ids {
            return;
        }
        live.stop();
    }
    let next = (!ids.is_empty()).then(|| {
        let live = Rc::new(Live::new(ids));
        live.connect();
        live
    });
    LIVE.with_borrow_mut(|live| *live = next);
}

fn products_on_page() -> Vec<i32> {
    let mut ids = Vec::new();
    for el in elements(document().query_selector_all(&format!("[{PRODUCT_ATTR}]"))) {
        let id = el
            .get_attribute(PRODUCT_ATTR)
            .and_then(|v| v.parse::<i32>().ok());
        if let Some(id) = id.filter(|id| !ids.contains(id)) {
            ids.push(id);
        }
    }
    ids.truncate(MAX_PRODUCTS);
    ids
}

/// A handler of the stream's events, kept alive while the stream is open.
type Handler = Closure<dyn FnMut(Event)>;

/// The open stream and what it knows.
struct Live {
    ids: Vec<i32>,
    query: String,
    source: RefCell<Option<EventSource>>,
    handlers: RefCell<Vec<Handler>>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    /// Events received, and the count at each product's last one: a snapshot read before an
    /// event arrived must not undo it.
    /// (A list, not a map: at most 100 products, and a hasher weighs more in the WASM.)
    received: Cell<u64>,
    last_event: RefCell<Vec<(i32, u64)>>,
}

impl Live {
    fn new(ids: Vec<i32>) -> Self {
        let query = ids.iter().map(i32::to_string).collect::<Vec<_>>().join(",");
        Self {
            ids,
            query,
            source: RefCell::default(),
            handlers: RefCell::default(),
            failures: Cell::new(0),
            stopped: Cell::new(false),
            received: Cell::new(0),
            last_event: RefCell::default(),
        }
    }

    fn connect(self: &Rc<Self>) {
        set_state("connecting");
        let url = format!("/api/stock/events?products={}", self.query);
        let Ok(source) = EventSource::new(&url) else {
            self.reconnect_later();
            return;
        };
        let handler = |on: fn(&Rc<Live>, Event)| {
            let live = self.clone();
            Handler::new(move |ev| on(&live, ev))
        };
        let handlers = vec![
            ("open", handler(|live, _| live.opened())),
            ("stock", handler(Live::stock_event)),
            ("resync", handler(|live, _| live.refresh())),
            ("error", handler(|live, _| live.failed())),
        ];
        for (name, on) in &handlers {
            let _ = source.add_event_listener_with_callback(name, on.as_ref().unchecked_ref());
        }
        *self.handlers.borrow_mut() = handlers.into_iter().map(|(_, on)| on).collect();
        *self.source.borrow_mut() = Some(source);
    }

    fn opened(self: &Rc<Self>) {
        self.failures.set(0);
        set_state("open");
        self.refresh();
    }

    fn stock_event(self: &Rc<Self>, ev: Event) {
        let Some(data) = ev
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        else {
            return;
        };
        let Ok(change) = web_sys::js_sys::JSON::parse(&data) else {
            return;
        };
        if let Some((id, stock)) = product_stock(&change) {
            let count = self.received.get() + 1;
            self.received.set(count);
            let mut last = self.last_event.borrow_mut();
            match last.iter_mut().find(|(product, _)| *product == id) {
                Some(entry) => entry.1 = count,
                None => last.push((id, count)),
            }
            drop(last);
            show_stock(id, stock);
        }
    }

    /// The stream failed or the server closed it: close it (the browser's own retry has no
    /// backoff) and open a new one later.
    fn failed(self: &Rc<Self>) {
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
        self.reconnect_later();
    }

    fn reconnect_later(self: &Rc<Self>) {
        if self.stopped.get() {
            return;
        }
        set_state("connecting");
        let failures = self.failures.get();
        self.failures.set(failures.saturating_add(1));
        let ceiling = (1000.0 * 2f64.powi(failures.min(5) as i32)).min(30_000.0);
        let pause = ceiling * (0.5 + Math::random() / 2.0);
        let live = self.clone();
        set_timeout(
            move || {
                if !live.stopped.get() {
                    live.connect();
                }
            },
            Duration::from_millis(pause as u64),
        );
    }

    /// Reads every watched product's stock now; a product whose event arrived meanwhile
    /// keeps what the event said.
    fn refresh(self: &Rc<Self>) {
        let live = self.clone();
        let asked_at = self.received.get();
        leptos::task::spawn_local(async move {
            let url = format!("/api/stock/?products={}", live.query);
            let Some(response) = http::get(&url, http::JSON).await.filter(|r| r.ok()) else {
                return;
            };
            let Some(levels) = http::json(&response).await.filter(Array::is_array) else {
                return;
            };
            for level in Array::from(&levels).iter() {
                if let Some((id, stock)) = product_stock(&level) {
                    let newer = live
                        .last_event
                        .borrow()
                        .iter()
                        .any(|(product, n)| *product == id && *n > asked_at);
                    if !newer && !live.stopped.get() {
                        show_stock(id, stock);
                    }
                }
            }
        });
    }

    fn stop(&self) {
        self.stopped.set(true);
        if let Some(source) = self.source.borrow_mut().take() {
            source.close();
        }
        self.handlers.borrow_mut().clear();
    }
}

/// `{"product_id": 7, "stock": 3}` (ids and counts are whole numbers: no float parsing).
fn product_stock(value: &leptos::wasm_bindgen::JsValue) -> Option<(i32, i32)> {
    let id = http::number_field(value, "product_id")? as i32;
    let stock = http::number_field(value, "stock")? as i32;
    Some((id, stock))
}

fn set_state(state: &str) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute(STATE_ATTR, state);
    }
}

/// Shows `stock` wherever the page shows product `id`'s, as the server would have drawn it.
fn show_stock(id: i32, stock: i32) {
    let level = StockLevel::of(stock);
    let sold_out = level == StockLevel::SoldOut;
    for root in elements(document().query_selector_all(&format!("[{PRODUCT_ATTR}=\"{id}\"]"))) {
        for badge in elements(root.query_selector_all("[data-testid=stock-badge]")) {
            let _ = badge.set_attribute("class", level.class());
            badge.set_text_content(Some(&level.label()));
        }
        for count in elements(root.query_selector_all("[data-testid=stock-count]")) {
            count.set_text_content(Some(&format!("{} in stock", stock.max(0))));
            set_flag(&count, "hidden", sold_out);
        }
        for quantity in elements(root.query_selector_all("form.add-to-cart input[name=quantity]")) {
            let _ = quantity.set_attribute("max", &stock.max(1).to_string());
            set_flag(&quantity, "disabled", sold_out);
        }
        for button in elements(root.query_selector_all("form.add-to-cart button[type=submit]")) {
            set_flag(&button, "disabled", sold_out);
            button.set_text_content(Some(if sold_out { "Sold out" } else { "Add to Cart" }));
        }
        for form in elements(root.query_selector_all("[data-testid=back-in-stock]")) {
            set_flag(&form, "hidden", !sold_out);
        }
    }
}

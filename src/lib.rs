//! The shop: one crate, two builds. `ssr` is the axum server (pages, REST API, database);
//! `hydrate` is the WASM client. Pages render on the server only; the few interactive
//! pieces are islands (`#[island]`), the only code the browser downloads and runs.

pub mod app;
pub mod cart_state;
pub mod client;
pub mod components;
pub mod error;
pub mod island_loader;
pub mod model;
pub mod pages;
pub mod server_fns;

/// Everything that only exists on the server, gated once.
#[cfg(feature = "ssr")]
pub mod server;

/// Called by the islands script before it hydrates each island on the page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // The script hydrates the islands right after this returns, in one chain of microtasks:
    // a zero timeout runs after the last one. Tests wait for this mark before clicking.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}

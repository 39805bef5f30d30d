//! The shop: one crate, two builds. `ssr` is the axum server (pages, REST API, database);
//! `hydrate` is the WASM client that takes over the server-rendered pages.

pub mod app;
pub mod cart_state;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod server_fns;

/// Everything that only exists on the server, gated once.
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

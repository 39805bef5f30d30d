//! The cart, as the server renders it and as the islands share it.
//!
//! On the server, [`ServerCart`] reads the session's cart once per page render, for the
//! navbar and the page.
//!
//! In the browser, islands hydrate one by one and context only flows into islands nested in
//! one another, so the navbar's count and a page's cart forms (siblings) cannot share one.
//! They share a signal held by the WASM module instead ([`shared_count`]): every cart action
//! answers with the whole cart, the island that ran it publishes its count, and the navbar
//! follows. The server shares nothing between renders: each starts from the cart it read.

use crate::error::ShopError;
use crate::model::Cart;
use crate::server_fns::get_cart;
use leptos::prelude::*;

/// The session's cart for this page render (server side).
#[derive(Clone, Copy)]
pub struct ServerCart(pub Resource<Result<Cart, ShopError>>);

impl ServerCart {
    /// Reads the cart once for everything below. Must run inside the router.
    pub fn provide() -> Self {
        let cart = Self(Resource::new(|| (), |()| get_cart()));
        provide_context(cart);
        cart
    }

    pub fn get() -> Self {
        use_context().unwrap_or_else(Self::provide)
    }
}

#[cfg(feature = "hydrate")]
thread_local! {
    static COUNT: ArcRwSignal<Option<i64>> = ArcRwSignal::new(None);
}

/// The cart count the last cart action on this page published (`None` before any).
pub fn shared_count() -> ArcRwSignal<Option<i64>> {
    #[cfg(feature = "hydrate")]
    {
        COUNT.with(Clone::clone)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        ArcRwSignal::new(None)
    }
}

/// Tells every island the cart changed.
pub fn publish(cart: &Cart) {
    shared_count().set(Some(cart.count()));
}

/// A form posted without JavaScript comes back with its error in the URL (`__err`,
/// `__path`). On the server the router hands it to the actions of the page; an island
/// hydrates outside the router, so it reads the URL itself and starts from the same
/// message the server rendered. Call before creating the island's actions.
pub fn provide_form_error() {
    #[cfg(feature = "hydrate")]
    {
        let search = window().location().search().unwrap_or_default();
        if let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) {
            if let (Some(err), Some(path)) = (params.get("__err"), params.get("__path")) {
                provide_context(leptos::server::ServerActionError::new(&path, &err));
            }
        }
    }
}

//! The cart, as the server renders it and as the islands share it.
//!
//! On the server, the navbar and the cart pages read the session's cart (`get_cart`) right
//! where they render it. They await it directly rather than through a `Resource`: outside
//! islands nothing hydrates, so a resource would only write its data into the page again as
//! a script nobody reads.
//!
//! In the browser, islands hydrate one by one and context only flows into islands nested in
//! one another, so the navbar's count and a page's cart forms (siblings) cannot share one.
//! They share a signal held by the WASM module instead ([`shared_count`]): the island that
//! changed the cart publishes the count its answer carried, and the navbar follows.

use crate::error::ShopError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

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

/// Tells every island the cart now holds `count` units.
pub fn publish(count: i64) {
    shared_count().set(Some(count));
}

/// A form posted without JavaScript comes back with its refusal in the URL (`__err`,
/// `__path`), which the router hands to the page as context. The page (on the server)
/// shows its message: the islands never decode errors.
pub fn form_error<S: ServerFn<Error = ShopError>>() -> Option<String> {
    let error = use_context::<leptos::server::ServerActionError>()?;
    (error.path() == S::PATH).then(|| {
        leptos::server_fn::error::ServerFnUrlError::<ShopError>::decode_err(error.err()).to_string()
    })
}

//! The cart, as the server renders it and as the islands share it.
//!
//! On the server, the navbar and the cart pages read the session's cart (`get_cart`) right
//! where they render it. They await it directly rather than through a `Resource`: outside
//! islands nothing hydrates, so a resource would only write its data into the page again as
//! a script nobody reads.
//!
//! In the browser, islands hydrate one by one and context only flows into islands nested in
//! one another, so the navbar's count and a page's cart forms (siblings) cannot share one.
//! They share a signal held by the WASM module instead ([`shared_count`]): every cart action
//! answers with the whole cart, the island that ran it publishes its count, and the navbar
//! follows. The server shares nothing between renders: each starts from the cart it read.
//!
//! The islands' forms are plain `<form method="post" action="/_fn/…">` elements: without
//! JavaScript the browser posts them and the server redirects back; with it, a submit
//! handler dispatches the same server function with typed arguments (lighter than
//! `ActionForm`, which parses the form data in the browser).

use crate::error::ShopError;
use crate::model::CartView;
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

/// Tells every island the cart changed.
pub fn publish(cart: &CartView) {
    shared_count().set(Some(cart.count));
}

/// Reads a whole number from a form's number input; anything else becomes 0, which the
/// server refuses with the same message a form posted without JavaScript gets.
pub fn input_number(input: NodeRef<leptos::html::Input>) -> i64 {
    input
        .get_untracked()
        .and_then(|el| el.value().trim().parse().ok())
        .unwrap_or(0)
}

/// A form posted without JavaScript comes back with its error in the URL (`__err`,
/// `__path`), which the router hands to the page as context. The page (on the server) turns
/// it into the message an island starts with: islands hydrate outside the router, and
/// decoding it in the browser would ship a base64 decoder for a page that already shows it.
/// Only the message travels to the island (a string is the cheapest prop to read back).
pub fn form_error<S: ServerFn<Error = ShopError>>() -> Option<String> {
    let error = use_context::<leptos::server::ServerActionError>()?;
    (error.path() == S::PATH).then(|| {
        leptos::server_fn::error::ServerFnUrlError::<ShopError>::decode_err(error.err()).to_string()
    })
}

/// An island's action for the server function `S`: like `ServerAction`, without the URL
/// error decoding (see [`form_error`]).
pub fn island_action<S>() -> Action<S, Result<S::Output, ShopError>>
where
    S: ServerFn<Error = ShopError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Action::new(|input: &S| input.clone().run_on_client())
}

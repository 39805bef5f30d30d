use crate::app::SHOP_NAME;
use crate::cart_state::shared_count;
use crate::server_fns::get_cart;
use leptos::prelude::*;

/// The shop's name linking home, and the cart link with the number of units in the cart.
#[component]
pub fn Navbar() -> impl IntoView {
    view! {
        <header class="navbar">
            <nav class="container navbar-inner" aria-label="Main">
                <a class="brand" href="/">
                    <img src="/favicon.svg" alt="" width="28" height="28"/>
                    <span>{SHOP_NAME}</span>
                </a>
                // The link reads "Cart 3 items": the number sits in its own element for tests
                // and styling, rendered from the cart the server read for this page.
                <a class="cart-link" href="/cart">
                    <span>"Cart"</span>
                    <Suspense fallback=|| view! { <span class="cart-count" data-testid="cart-count">"0"</span> }>
                        {move || Suspend::new(async move {
                            let count = get_cart().await.map(|c| c.count()).unwrap_or(0);
                            view! { <CartCount count/> }
                        })}
                    </Suspense>
                    <span class="visually-hidden">" items"</span>
                </a>
            </nav>
        </header>
    }
}

/// The count itself: the server's number until a cart action on the page publishes another.
#[island]
fn CartCount(count: i64) -> impl IntoView {
    let shared = shared_count();
    view! {
        <span class="cart-count" data-testid="cart-count">
            {move || shared.get().unwrap_or(count)}
        </span>
    }
}

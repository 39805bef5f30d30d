use crate::app::SHOP_NAME;
use crate::cart_state::CartContext;
use leptos::prelude::*;

/// The shop's name linking home, and the cart link with the number of units in the cart.
#[component]
pub fn Navbar() -> impl IntoView {
    let cart = CartContext::get();
    view! {
        <header class="navbar">
            <nav class="container navbar-inner" aria-label="Main">
                <a class="brand" href="/">
                    <img src="/favicon.svg" alt="" width="28" height="28"/>
                    <span>{SHOP_NAME}</span>
                </a>
                // The link reads "Cart 3 items": the number sits in its own element for tests
                // and styling, and everything is rendered from the awaited cart, never racing it.
                <a class="cart-link" href="/cart">
                    <span>"Cart"</span>
                    <Transition fallback=|| view! { <span class="cart-count" data-testid="cart-count">"0"</span> }>
                        <span class="cart-count" data-testid="cart-count">
                            {move || Suspend::new(async move {
                                let cart = cart.cart.await;
                                cart.map(|c| c.count()).unwrap_or(0).to_string()
                            })}
                        </span>
                    </Transition>
                    <span class="visually-hidden">" items"</span>
                </a>
            </nav>
        </header>
    }
}

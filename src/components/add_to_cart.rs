use crate::cart_state::{input_number, island_action, publish};
use crate::components::status_message::StatusMessage;
use crate::components::submit_button::SubmitButton;
use crate::error::ShopError;
use crate::server_fns::AddToCart;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The product page's quantity and "Add to Cart" button. Without JavaScript the form posts
/// and the server redirects back (with `error` when it was refused); with it, the add runs
/// in place and the navbar follows.
#[island]
pub fn AddToCartForm(product_id: i32, stock: i32, error: Option<String>) -> impl IntoView {
    let add = island_action::<AddToCart>();
    let quantity = NodeRef::new();
    let sold_out = stock <= 0;
    Effect::new(move |_| {
        if let Some(Ok(cart)) = add.value().get() {
            publish(&cart);
        }
    });
    let outcome = Signal::derive(move || match add.value().get() {
        Some(result) => Some(result.map(|cart| {
            let units = cart.line(product_id).map_or(0, |l| l.quantity);
            format!("Added to cart. You now have {units} in your cart.")
        })),
        None if add.version().get() == 0 => error.clone().map(|e| Err(ShopError::Invalid(e))),
        None => None,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        add.dispatch(AddToCart {
            product_id,
            quantity: input_number(quantity),
        });
    };
    view! {
        <form class="add-to-cart" method="post" action=AddToCart::url() on:submit=submit>
            <input type="hidden" name="product_id" value=product_id/>
            <div class="field">
                <label for="quantity">"Quantity"</label>
                <input
                    node_ref=quantity
                    id="quantity"
                    name="quantity"
                    type="number"
                    inputmode="numeric"
                    min="1"
                    max=stock.max(1)
                    value="1"
                    required
                    disabled=sold_out
                />
            </div>
            <SubmitButton pending=add.pending() class="button button-primary" disabled=sold_out>
                {if sold_out { "Sold out" } else { "Add to Cart" }}
            </SubmitButton>
        </form>
        <StatusMessage outcome/>
    }
}

use crate::cart_state::{provide_form_error, publish};
use crate::components::status_message::StatusMessage;
use crate::components::submit_button::SubmitButton;
use crate::server_fns::AddToCart;
use leptos::form::ActionForm;
use leptos::prelude::*;

/// The product page's quantity and "Add to Cart" button. Without JavaScript the form posts
/// and the server redirects back; with it, the add runs in place and the navbar follows.
#[island]
pub fn AddToCartForm(product_id: i32, stock: i32) -> impl IntoView {
    provide_form_error();
    let add = ServerAction::<AddToCart>::new();
    let sold_out = stock <= 0;
    Effect::new(move |_| {
        if let Some(Ok(cart)) = add.value().get() {
            publish(&cart);
        }
    });
    let outcome = Signal::derive(move || {
        add.value().get().map(|result| {
            result.map(|cart| {
                format!(
                    "Added to cart. You now have {} in your cart.",
                    cart.quantity_of(product_id)
                )
            })
        })
    });
    view! {
        <ActionForm action=add attr:class="add-to-cart">
            <input type="hidden" name="product_id" value=product_id/>
            <div class="field">
                <label for="quantity">"Quantity"</label>
                <input
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
        </ActionForm>
        <StatusMessage outcome/>
    }
}

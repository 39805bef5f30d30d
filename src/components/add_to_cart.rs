//! The product page's quantity and "Add to Cart" button. Without JavaScript the form posts
//! and the server redirects back (with the refusal in the URL, shown here); with it, the
//! island posts the same form, asks for the cart as JSON, says how many of the product the
//! cart now holds and tells the navbar the new count.

use crate::cart_state::publish;
use crate::client::{dom, http};
use crate::components::status_message::{self, StatusMessage};
use crate::components::submit_button::SubmitButton;
use crate::server_fns::AddToCart;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `error`: a refusal of a post without JavaScript, to show.
#[component]
pub fn AddToCartForm(product_id: i32, stock: i32, error: Option<String>) -> impl IntoView {
    let sold_out = stock <= 0;
    view! {
        <AddToCartBehaviour>
            <form class="add-to-cart" method="post" action=AddToCart::url()>
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
                <SubmitButton class="button button-primary" disabled=sold_out>
                    {if sold_out { "Sold out" } else { "Add to Cart" }}
                </SubmitButton>
            </form>
            <StatusMessage outcome=error.map(Err)/>
        </AddToCartBehaviour>
    }
}

#[island]
fn AddToCartBehaviour(children: Children) -> impl IntoView {
    view! { <div class="add-to-cart-area" on:submit=on_submit>{children()}</div> }
}

fn on_submit(ev: leptos::ev::SubmitEvent) {
    status_message::submit_in_place(ev, |form| async move { add(&form).await });
}

/// Posts the form; the answer is the whole cart, or a refusal with its message.
async fn add(form: &web_sys::HtmlFormElement) -> Result<String, String> {
    let unreadable = || http::UNREADABLE.to_owned();
    let response = http::post_form_for(form, http::JSON).await?;
    let cart = http::json(&response).await.ok_or_else(unreadable)?;
    if let Some(count) = http::number_field(&cart, "count") {
        publish(count as i64);
    }
    // Ids and counts are whole numbers; parsing or printing an f64 would bring float
    // code into the WASM.
    let product = dom::form_value(form, "product_id").and_then(|id| id.parse::<i64>().ok());
    let units = http::list_field(&cart, "lines")
        .iter()
        .find(|line| http::number_field(line, "product_id").map(|id| id as i64) == product)
        .and_then(|line| http::number_field(line, "quantity"))
        .map_or(0, |units| units as i64);
    Ok(format!("Added to cart. You now have {units} in your cart."))
}

//! `/cart`: the session's lines, editable, with the total. Without JavaScript each quantity
//! and remove form posts and the server redirects back to this page; with it, the island
//! posts the same form, reads the page the server would have shown, and puts its cart in
//! place of this one: one rendering of the cart, the server's, either way.

use crate::cart_state::{form_error, publish};
use crate::client::{dom, http};
use crate::components::seo::PageMeta;
use crate::components::status_message::{self, StatusMessage};
use crate::components::submit_button::SubmitButton;
use crate::model::{CartLineView, CartView};
use crate::server_fns::{get_cart, RemoveFromCart, UpdateCartItem};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The part of the page a cart change redraws.
const CONTENTS_ID: &str = "cart-contents";
const CART_PATH: &str = "/cart";

#[component]
pub fn CartPage() -> impl IntoView {
    view! {
        // Each shopper's own: never indexed.
        <PageMeta title="Your cart" description="Your shopping cart at Harbor & Pine." canonical=CART_PATH noindex=true/>
        <h1 class="page-title">"Your cart"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your cart…"</p> }>
            {move || Suspend::new(async move {
                match get_cart().await {
                    Ok(cart) => {
                        let error = form_error::<UpdateCartItem>().or_else(form_error::<RemoveFromCart>);
                        Either::Left(view! { <CartEditor cart=CartView::from(&cart) error/> })
                    }
                    Err(err) => Either::Right(view! {
                        <div class="empty-state">
                            <p class="status status-error" role="alert">{format!("Could not load your cart: {err}")}</p>
                            <a class="button" href=CART_PATH>"Try again"</a>
                        </div>
                    }),
                }
            })}
        </Suspense>
    }
}

/// The cart's lines, quantity and remove forms, and total. `error`: a form posted without
/// JavaScript was refused.
#[component]
fn CartEditor(cart: CartView, error: Option<String>) -> impl IntoView {
    let contents = if cart.lines.is_empty() {
        Either::Left(view! {
            <div class="empty-state" data-testid="empty-cart">
                <p>"Your cart is empty."</p>
                <a class="button button-primary" href="/">"Continue shopping"</a>
            </div>
        })
    } else {
        Either::Right(view! {
            <ul class="cart-lines">
                {cart.lines.into_iter().map(|line| view! { <CartLine line/> }).collect_view()}
            </ul>
            <div class="cart-summary">
                <span>"Total"</span>
                <strong class="price price-large" data-testid="cart-total">{cart.total}</strong>
            </div>
            <div class="cart-actions">
                <a class="link-back" href="/">"← Continue shopping"</a>
                <a class="button button-primary" href="/checkout">"Checkout"</a>
            </div>
        })
    };
    view! {
        <CartBehaviour>
            <StatusMessage outcome=error.map(Err)/>
            <div id=CONTENTS_ID>{contents}</div>
        </CartBehaviour>
    }
}

#[component]
fn CartLine(line: CartLineView) -> impl IntoView {
    let product_id = line.product_id;
    let href = format!("/product/{product_id}");
    let quantity_id = format!("quantity-{product_id}");
    view! {
        <li class="cart-line" data-testid="cart-item" data-product-id=product_id>
            <img src=line.image_url alt=line.name.clone() width="120" height="90"/>
            <div class="cart-line-info">
                <a class="cart-line-name" href=href>{line.name.clone()}</a>
                <span class="unit-price">{format!("{} each", line.unit_price)}</span>
            </div>
            <form class="quantity-form" method="post" action=UpdateCartItem::url()>
                <input type="hidden" name="product_id" value=product_id/>
                <label class="visually-hidden" for=quantity_id.clone()>
                    {format!("Quantity of {}", line.name)}
                </label>
                <input
                    id=quantity_id
                    name="quantity"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=line.max_quantity
                    value=line.quantity
                    required
                />
                <SubmitButton class="button" id=format!("update-{product_id}")>"Update"</SubmitButton>
            </form>
            <span class="price line-total" data-testid="line-total">{line.line_total}</span>
            <form class="remove-form" method="post" action=RemoveFromCart::url()>
                <input type="hidden" name="product_id" value=product_id/>
                <SubmitButton class="button button-quiet" id=format!("remove-{product_id}")>
                    "Remove"
                </SubmitButton>
            </form>
        </li>
    }
}

#[island]
fn CartBehaviour(children: Children) -> impl IntoView {
    view! { <div class="cart-editor" on:submit=on_submit>{children()}</div> }
}

fn on_submit(ev: leptos::ev::SubmitEvent) {
    status_message::submit_in_place(ev, |form| async move {
        let contents = dom::by_id(&document(), CONTENTS_ID);
        if let Some(contents) = &contents {
            let _ = contents.set_attribute("aria-busy", "true");
        }
        let focused = dom::focused_id();
        let outcome = change(&form).await;
        if let Some(contents) = &contents {
            let _ = contents.remove_attribute("aria-busy");
        }
        // A refused change keeps the old form: enabled again before it can take the focus.
        dom::set_busy(&form, false);
        dom::restore_focus(focused, CONTENTS_ID);
        outcome
    });
}

/// Posts the form as a page would and shows the cart of the page the server answers with.
async fn change(form: &web_sys::HtmlFormElement) -> Result<String, String> {
    let unreadable = || http::UNREADABLE.to_owned();
    let response = http::post_form_for(form, http::HTML).await?;
    let mut page = http::html(&response).await.ok_or_else(unreadable)?;
    if dom::by_id(&page, CONTENTS_ID).is_none() {
        // The server redirects to the page that posted; a browser that sends no Referer is
        // sent home instead. The change is made either way: read the cart as it now is.
        let cart = http::get(CART_PATH, http::HTML)
            .await
            .ok_or_else(unreadable)?;
        page = http::html(&cart).await.ok_or_else(unreadable)?;
    }
    let fresh = dom::by_id(&page, CONTENTS_ID).ok_or_else(unreadable)?;
    let current = dom::by_id(&document(), CONTENTS_ID).ok_or_else(unreadable)?;
    current.set_inner_html(&fresh.inner_html());
    if let Some(count) =
        dom::text_of(&page, "[data-testid=cart-count]").and_then(|count| count.trim().parse().ok())
    {
        publish(count);
    }
    // A refusal is in the answer's status area, as the server words it.
    if let Some(refusal) = dom::text_of(&page, ".status-area [role=alert]") {
        return Err(refusal);
    }
    let product = dom::form_value(form, "product_id").unwrap_or_default();
    let line = page
        .query_selector(&format!("[data-product-id=\"{product}\"]"))
        .ok()
        .flatten();
    let removing = form.action().ends_with(RemoveFromCart::url());
    Ok(match line {
        Some(line) if !removing => {
            let quantity = line
                .query_selector("input[name=quantity]")
                .ok()
                .flatten()
                .and_then(|input| input.get_attribute("value"))
                .unwrap_or_default();
            let name = dom::text_in(&line, ".cart-line-name").unwrap_or_default();
            format!("Updated: {quantity} × {name}")
        }
        _ => "Removed from your cart.".to_owned(),
    })
}

use crate::cart_state::CartContext;
use crate::components::status_message::StatusMessage;
use crate::components::submit_button::SubmitButton;
use crate::model::{format_money, CartItem};
use leptos::either::EitherOf3;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/cart`: the session's lines, editable, with the total.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart = CartContext::get();
    let (update, remove) = (cart.update, cart.remove);
    // One message area for both actions: starting one clears the other's old result.
    Effect::new(move |_| {
        if update.pending().get() {
            remove.value().set(None);
        }
    });
    Effect::new(move |_| {
        if remove.pending().get() {
            update.value().set(None);
        }
    });
    let outcome = Signal::derive(move || {
        let updated = update.value().get().map(|r| {
            r.map(|item| match item {
                Some(item) => format!("Updated: {} × {}", item.quantity, item.product.name),
                None => "Removed from your cart.".to_string(),
            })
        });
        let removed = remove
            .value()
            .get()
            .map(|r| r.map(|()| "Removed from your cart.".to_string()));
        updated.or(removed)
    });
    view! {
        <Title text="Your cart"/>
        <Meta name="description" content="Your shopping cart at Harbor & Pine."/>
        <h1 class="page-title">"Your cart"</h1>
        <StatusMessage outcome/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading your cart…"</p> }>
            {move || Suspend::new(async move {
                match cart.cart.await {
                    Ok(c) if c.items.is_empty() => EitherOf3::A(view! {
                        <div class="empty-state" data-testid="empty-cart">
                            <p>"Your cart is empty."</p>
                            <a class="button button-primary" href="/">"Continue shopping"</a>
                        </div>
                    }),
                    Ok(c) => {
                        let total = format_money(c.total());
                        EitherOf3::B(view! {
                            <ul class="cart-lines" aria-busy=move || cart.loading().get().to_string()>
                                {c.items.into_iter().map(|item| view! { <CartLine item/> }).collect_view()}
                            </ul>
                            <div class="cart-summary">
                                <span>"Total"</span>
                                <strong class="price price-large" data-testid="cart-total">{total}</strong>
                            </div>
                            <a class="link-back" href="/">"← Continue shopping"</a>
                        })
                    }
                    Err(err) => EitherOf3::C(view! {
                        <div class="empty-state">
                            <p class="status status-error" role="alert">{format!("Could not load your cart: {err}")}</p>
                            // A plain link: it works without JavaScript, and needs no code in the WASM.
                            <a class="button" href="/cart">"Try again"</a>
                        </div>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn CartLine(item: CartItem) -> impl IntoView {
    let cart = CartContext::get();
    let product = item.product;
    let href = format!("/product/{}", product.id);
    let quantity_id = format!("quantity-{}", product.id);
    view! {
        <li class="cart-line" data-testid="cart-item">
            <img src=product.image_url.clone() alt=product.name.clone() width="120" height="90"/>
            <div class="cart-line-info">
                <a class="cart-line-name" href=href>{product.name.clone()}</a>
                <span class="unit-price">{format!("{} each", format_money(product.price))}</span>
            </div>
            <ActionForm action=cart.update attr:class="quantity-form">
                <input type="hidden" name="product_id" value=product.id/>
                <label class="visually-hidden" for=quantity_id.clone()>
                    {format!("Quantity of {}", product.name)}
                </label>
                <input
                    id=quantity_id
                    name="quantity"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=product.stock.max(item.quantity)
                    value=item.quantity
                    required
                />
                <SubmitButton pending=cart.update.pending() class="button">"Update"</SubmitButton>
            </ActionForm>
            <span class="price line-total" data-testid="line-total">{format_money(item.total_price)}</span>
            <ActionForm action=cart.remove attr:class="remove-form">
                <input type="hidden" name="product_id" value=product.id/>
                <SubmitButton pending=cart.remove.pending() class="button button-quiet">
                    "Remove"
                </SubmitButton>
            </ActionForm>
        </li>
    }
}

use crate::cart_state::{provide_form_error, publish, ServerCart};
use crate::components::status_message::StatusMessage;
use crate::components::submit_button::SubmitButton;
use crate::model::{format_money, Cart, CartItem};
use crate::server_fns::{RemoveFromCart, UpdateCartItem};
use leptos::either::Either;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

/// `/cart`: the session's lines, editable, with the total.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart = ServerCart::get().0;
    view! {
        <Title text="Your cart"/>
        <Meta name="description" content="Your shopping cart at Harbor & Pine."/>
        <h1 class="page-title">"Your cart"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your cart…"</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Ok(cart) => Either::Left(view! { <CartEditor cart/> }),
                    Err(err) => Either::Right(view! {
                        <div class="empty-state">
                            <p class="status status-error" role="alert">{format!("Could not load your cart: {err}")}</p>
                            <a class="button" href="/cart">"Try again"</a>
                        </div>
                    }),
                }
            })}
        </Suspense>
    }
}

/// The cart's lines, quantity and remove forms, and total. Each change answers with the
/// whole cart, which this island redraws and publishes to the navbar.
#[island]
fn CartEditor(cart: Cart) -> impl IntoView {
    provide_form_error();
    let update = ServerAction::<UpdateCartItem>::new();
    let remove = ServerAction::<RemoveFromCart>::new();
    let cart = RwSignal::new(cart);
    // The product the last update was for, to name it in the message.
    let updated_product = RwSignal::new(None::<i32>);
    Effect::new(move |_| {
        if let Some(input) = update.input().get() {
            updated_product.set(Some(input.product_id));
        }
    });
    for action_value in [update.value(), remove.value()] {
        Effect::new(move |_| {
            if let Some(Ok(changed)) = action_value.get() {
                publish(&changed);
                cart.set(changed);
            }
        });
    }
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
            r.map(|changed| {
                let line = updated_product
                    .get()
                    .and_then(|id| changed.items.into_iter().find(|i| i.product.id == id));
                match line {
                    Some(item) => format!("Updated: {} × {}", item.quantity, item.product.name),
                    None => "Removed from your cart.".to_string(),
                }
            })
        });
        let removed = remove
            .value()
            .get()
            .map(|r| r.map(|_| "Removed from your cart.".to_string()));
        updated.or(removed)
    });
    let busy = move || (update.pending().get() || remove.pending().get()).to_string();
    view! {
        <StatusMessage outcome/>
        {move || {
            let current = cart.get();
            if current.items.is_empty() {
                return Either::Left(view! {
                    <div class="empty-state" data-testid="empty-cart">
                        <p>"Your cart is empty."</p>
                        <a class="button button-primary" href="/">"Continue shopping"</a>
                    </div>
                });
            }
            let total = format_money(current.total());
            Either::Right(view! {
                <ul class="cart-lines" aria-busy=busy>
                    {current
                        .items
                        .into_iter()
                        .map(|item| view! { <CartLine item update remove/> })
                        .collect_view()}
                </ul>
                <div class="cart-summary">
                    <span>"Total"</span>
                    <strong class="price price-large" data-testid="cart-total">{total}</strong>
                </div>
                <div class="cart-actions">
                    <a class="link-back" href="/">"← Continue shopping"</a>
                    <a class="button button-primary" href="/checkout">"Checkout"</a>
                </div>
            })
        }}
    }
}

#[component]
fn CartLine(
    item: CartItem,
    update: ServerAction<UpdateCartItem>,
    remove: ServerAction<RemoveFromCart>,
) -> impl IntoView {
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
            <ActionForm action=update attr:class="quantity-form">
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
                <SubmitButton pending=update.pending() class="button">"Update"</SubmitButton>
            </ActionForm>
            <span class="price line-total" data-testid="line-total">{format_money(item.total_price)}</span>
            <ActionForm action=remove attr:class="remove-form">
                <input type="hidden" name="product_id" value=product.id/>
                <SubmitButton pending=remove.pending() class="button button-quiet">
                    "Remove"
                </SubmitButton>
            </ActionForm>
        </li>
    }
}

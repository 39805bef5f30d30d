use crate::cart_state::{form_error, input_number, island_action, publish};
use crate::components::seo::PageMeta;
use crate::components::status_message::StatusMessage;
use crate::components::submit_button::SubmitButton;
use crate::error::ShopError;
use crate::model::{CartLineView, CartView};
use crate::server_fns::{get_cart, RemoveFromCart, UpdateCartItem};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// `/cart`: the session's lines, editable, with the total.
#[component]
pub fn CartPage() -> impl IntoView {
    view! {
        // Each shopper's own: never indexed.
        <PageMeta title="Your cart" description="Your shopping cart at Harbor & Pine." canonical="/cart" noindex=true/>
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
                            <a class="button" href="/cart">"Try again"</a>
                        </div>
                    }),
                }
            })}
        </Suspense>
    }
}

/// The cart's lines, quantity and remove forms, and total. Each change answers with the
/// whole cart, which this island redraws and publishes to the navbar. `error`: a form posted
/// without JavaScript was refused.
#[island]
fn CartEditor(cart: CartView, error: Option<String>) -> impl IntoView {
    let update = island_action::<UpdateCartItem>();
    let remove = island_action::<RemoveFromCart>();
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
            r.map(
                |changed| match updated_product.get().and_then(|id| changed.line(id)) {
                    Some(line) => format!("Updated: {} × {}", line.quantity, line.name),
                    None => "Removed from your cart.".to_string(),
                },
            )
        });
        let removed = remove
            .value()
            .get()
            .map(|r| r.map(|_| "Removed from your cart.".to_string()));
        let untouched = update.version().get() == 0 && remove.version().get() == 0;
        updated.or(removed).or_else(|| {
            untouched
                .then(|| error.clone().map(|e| Err(ShopError::Invalid(e))))
                .flatten()
        })
    });
    let busy = move || (update.pending().get() || remove.pending().get()).to_string();
    view! {
        <StatusMessage outcome/>
        {move || {
            let current = cart.get();
            if current.lines.is_empty() {
                return Either::Left(view! {
                    <div class="empty-state" data-testid="empty-cart">
                        <p>"Your cart is empty."</p>
                        <a class="button button-primary" href="/">"Continue shopping"</a>
                    </div>
                });
            }
            Either::Right(view! {
                <ul class="cart-lines" aria-busy=busy>
                    {current
                        .lines
                        .into_iter()
                        .map(|line| view! { <CartLine line update remove/> })
                        .collect_view()}
                </ul>
                <div class="cart-summary">
                    <span>"Total"</span>
                    <strong class="price price-large" data-testid="cart-total">{current.total}</strong>
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
    line: CartLineView,
    update: Action<UpdateCartItem, Result<CartView, ShopError>>,
    remove: Action<RemoveFromCart, Result<CartView, ShopError>>,
) -> impl IntoView {
    let product_id = line.product_id;
    let href = format!("/product/{product_id}");
    let quantity_id = format!("quantity-{product_id}");
    let quantity = NodeRef::new();
    let submit_update = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateCartItem {
            product_id,
            quantity: input_number(quantity),
        });
    };
    let submit_remove = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        remove.dispatch(RemoveFromCart { product_id });
    };
    view! {
        <li class="cart-line" data-testid="cart-item">
            <img src=line.image_url alt=line.name.clone() width="120" height="90"/>
            <div class="cart-line-info">
                <a class="cart-line-name" href=href>{line.name.clone()}</a>
                <span class="unit-price">{format!("{} each", line.unit_price)}</span>
            </div>
            <form class="quantity-form" method="post" action=UpdateCartItem::url() on:submit=submit_update>
                <input type="hidden" name="product_id" value=product_id/>
                <label class="visually-hidden" for=quantity_id.clone()>
                    {format!("Quantity of {}", line.name)}
                </label>
                <input
                    node_ref=quantity
                    id=quantity_id
                    name="quantity"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max=line.max_quantity
                    value=line.quantity
                    required
                />
                <SubmitButton pending=update.pending() class="button">"Update"</SubmitButton>
            </form>
            <span class="price line-total" data-testid="line-total">{line.line_total}</span>
            <form class="remove-form" method="post" action=RemoveFromCart::url() on:submit=submit_remove>
                <input type="hidden" name="product_id" value=product_id/>
                <SubmitButton pending=remove.pending() class="button button-quiet">
                    "Remove"
                </SubmitButton>
            </form>
        </li>
    }
}

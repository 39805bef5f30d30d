use crate::components::seo::PageMeta;
use crate::error::ShopError;
use crate::model::order::{country_name, Order, PaymentMethod};
use crate::model::{format_money, format_price_or_free};
use crate::pages::not_found::NotFound;
use crate::server_fns::get_order;
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/orders/:token`: the order's confirmation, reachable later by its link (the token is
/// the key, so the page is never indexed).
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let order = move || get_order(token());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your order…"</p> }>
            {move || Suspend::new(async move {
                match order().await {
                    Ok(order) => EitherOf3::A(view! { <OrderDetail order/> }),
                    Err(ShopError::NotFound) => EitherOf3::B(view! {
                        <NotFound message="We couldn't find that order. Check the link in your confirmation email."/>
                    }),
                    Err(err) => EitherOf3::C(view! {
                        <PageMeta title="Your order" description="Your Harbor & Pine order." canonical=format!("/orders/{}", token()) noindex=true/>
                        <p class="status status-error" role="alert">{format!("Could not load the order: {err}")}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OrderDetail(order: Order) -> impl IntoView {
    let address = order.shipping_address;
    let country = country_name(&address.country)
        .unwrap_or(&address.country)
        .to_owned();
    let payment = match (order.payment.method, order.payment.last4) {
        (PaymentMethod::Card, Some(last4)) => format!("Card ending in {last4}"),
        (method, _) => method.label().to_owned(),
    };
    let shipping_price = format_price_or_free(order.shipping_price);
    view! {
        // The token in the path is the key to the order: never indexed.
        <PageMeta
            title=format!("Order {}", order.number)
            description="Your Harbor & Pine order."
            canonical=format!("/orders/{}", order.token)
            noindex=true
        />
        <section class="order" data-testid="order">
            <h1 class="page-title">"Thank you for your order"</h1>
            <p class="order-meta">
                "Order " <strong data-testid="order-number">{order.number.clone()}</strong>
                " · Status: " <strong data-testid="order-status">{order.status.label()}</strong>
            </p>
            <p>{format!("We sent a confirmation to {}.", order.email)}</p>
            <div class="order-columns">
                <div>
                    <h2>"Items"</h2>
                    <ul class="summary-lines">
                        {order
                            .lines
                            .into_iter()
                            .map(|line| view! {
                                <li data-testid="order-line">
                                    <span>{format!("{} × {}", line.quantity, line.name)}</span>
                                    <span class="price">{format_money(line.total_price)}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                    <dl class="summary-totals">
                        <dt>"Subtotal"</dt>
                        <dd>{format_money(order.subtotal)}</dd>
                        <dt>{format!("Shipping ({})", order.shipping_method.label())}</dt>
                        <dd data-testid="order-shipping">{shipping_price}</dd>
                        <dt>"Total"</dt>
                        <dd class="price price-large" data-testid="order-total">{format_money(order.total)}</dd>
                    </dl>
                </div>
                <div>
                    <h2>"Shipping to"</h2>
                    <address data-testid="order-address">
                        {address.name}<br/>
                        {address.line1}<br/>
                        {(!address.line2.is_empty()).then(|| view! { {address.line2.clone()}<br/> })}
                        {format!("{} {}", address.postal_code, address.city)}<br/>
                        {country}
                    </address>
                    <h2>"Shipping method"</h2>
                    <p data-testid="order-shipping-method">{order.shipping_method.label()}</p>
                    <h2>"Payment"</h2>
                    <p data-testid="order-payment">{payment}</p>
                </div>
            </div>
            <a class="button" href="/">"Continue shopping"</a>
        </section>
    }
}

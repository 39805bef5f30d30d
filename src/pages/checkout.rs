use crate::components::form_field::{describe, Field, FieldError};
use crate::components::seo::PageMeta;
use crate::model::checkout::{CheckoutAttempt, CheckoutFields};
use crate::model::order::{order_summary, ShippingMethod, SUPPORTED_COUNTRIES};
use crate::model::{format_money, format_price_or_free, Cart};
use crate::server_fns::{checkout_prefill, get_cart};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use rust_decimal::Decimal;

/// `/checkout`: the address, shipping and payment form beside the order summary. It posts
/// to `POST /checkout` (see `server/checkout_form.rs`), which comes back here with the
/// attempt when the order could not be placed.
#[component]
pub fn CheckoutPage() -> impl IntoView {
    let attempt = use_context::<CheckoutAttempt>();
    #[cfg(feature = "ssr")]
    if let (Some(attempt), Some(response)) =
        (&attempt, use_context::<leptos_axum::ResponseOptions>())
    {
        if let Ok(status) = axum::http::StatusCode::from_u16(attempt.status) {
            response.set_status(status);
        }
    }
    view! {
        <PageMeta title="Checkout" description="Check out your Harbor & Pine order." canonical="/checkout" noindex=true/>
        <h1 class="page-title">"Checkout"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your cart…"</p> }>
            {move || {
                let attempt = attempt.clone();
                Suspend::new(async move {
                    // A signed-in customer's email and saved address fill a new form.
                    let prefill = checkout_prefill().await.ok().flatten();
                    let signed_in = prefill.is_some();
                    match get_cart().await {
                        Ok(cart) if cart.items.is_empty() => EitherOf3::A(view! {
                            <div class="empty-state" data-testid="empty-cart">
                                <p>"Your cart is empty."</p>
                                <a class="button button-primary" href="/">"Continue shopping"</a>
                            </div>
                        }),
                        Ok(cart) => {
                            let attempt = attempt.unwrap_or_else(|| {
                                let mut fields = CheckoutFields::new(new_idempotency_key());
                                if let Some((email, address)) = prefill {
                                    fields.prefill(email, address);
                                }
                                CheckoutAttempt { fields, ..CheckoutAttempt::default() }
                            });
                            EitherOf3::B(view! { <CheckoutForm summary=Summary::of(&cart) attempt signed_in/> })
                        }
                        Err(err) => EitherOf3::C(view! {
                            <p class="status status-error" role="alert">{format!("Could not load your cart: {err}")}</p>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}

/// 128 random bits for the form: the same order however often it is posted.
fn new_idempotency_key() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::server::session::new_session_id()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}

/// What the order summary needs of the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub lines: Vec<SummaryLine>,
    pub subtotal: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    pub name: String,
    pub quantity: i32,
    pub total: Decimal,
}

impl Summary {
    fn of(cart: &Cart) -> Self {
        Self {
            lines: cart
                .items
                .iter()
                .map(|item| SummaryLine {
                    name: item.product.name.clone(),
                    quantity: item.quantity,
                    total: item.total_price,
                })
                .collect(),
            subtotal: cart.total(),
        }
    }
}

/// The form and the summary, rendered on the server. Two small islands inside a third add
/// what JavaScript can: the totals follow the shipping choice, and the button stays busy
/// once the form is posted (the server does everything else, with or without JavaScript).
#[component]
fn CheckoutForm(summary: Summary, attempt: CheckoutAttempt, signed_in: bool) -> impl IntoView {
    let CheckoutAttempt {
        fields,
        errors,
        message,
        status,
    } = attempt;
    // 409: stock ran out since the cart was filled; the cart is where to change it.
    let stock_changed = status == 409;
    let subtotal = summary.subtotal;
    let chosen = fields.shipping().unwrap_or(ShippingMethod::Standard);
    let card = fields.payment_method != "cash_on_delivery";
    let error = move |name: &str| errors.get(name).cloned();
    let (_, chosen_shipping, chosen_total) = order_summary([subtotal], chosen);
    // Each radio carries the shipping price and total it makes, formatted here, so the
    // browser only copies text (no money arithmetic, no props to read).
    let shipping_radio = move |method: ShippingMethod, detail: &'static str| {
        let (_, shipping, total) = order_summary([subtotal], method);
        let price = format_price_or_free(shipping);
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="shipping_method"
                    value=method.as_str()
                    checked=chosen == method
                    data-shipping=price.clone()
                    data-total=format_money(total)
                />
                <span>{format!("{} · {price} · {detail}", method.label())}</span>
            </label>
        }
    };
    view! {
        {(!message.is_empty()).then(|| view! {
            <div class="status status-error checkout-error" role="alert" data-testid="checkout-error">
                <p>{message.clone()}</p>
                {stock_changed.then(|| view! { <a href="/cart">"Review your cart"</a> })}
            </div>
        })}
        <CheckoutBehaviour>
            <div class="checkout">
                <form class="checkout-form" method="post" action="/checkout" novalidate>
                    <input type="hidden" name="idempotency_key" value=fields.idempotency_key.clone()/>
                    <fieldset>
                        <legend>"Contact"</legend>
                        <Field name="email" label="Email" value=fields.email.clone() error=error("email") kind="email" autocomplete="email"/>
                    </fieldset>
                    <fieldset>
                        <legend>"Shipping address"</legend>
                        <Field name="name" label="Full name" value=fields.name.clone() error=error("name") autocomplete="name"/>
                        <Field name="line1" label="Address line 1" value=fields.line1.clone() error=error("line1") autocomplete="address-line1"/>
                        <Field name="line2" label="Address line 2" value=fields.line2.clone() error=error("line2") autocomplete="address-line2" optional=true/>
                        <Field name="city" label="City" value=fields.city.clone() error=error("city") autocomplete="address-level2"/>
                        <Field name="postal_code" label="Postal code" value=fields.postal_code.clone() error=error("postal_code") autocomplete="postal-code"/>
                        <CountrySelect value=fields.country.clone() error=error("country")/>
                        {signed_in.then(|| view! {
                            <label class="choice">
                                <input type="checkbox" name="save_address" value="on" checked=fields.save_address == "on"/>
                                <span>"Save this address"</span>
                            </label>
                        })}
                    </fieldset>
                    <fieldset class="choices" aria-describedby=error("shipping_method").map(|_| "shipping_method-error")>
                        <legend>"Shipping"</legend>
                        {shipping_radio(ShippingMethod::Standard, "3–5 business days, free from $75.00")}
                        {shipping_radio(ShippingMethod::Express, "1–2 business days")}
                        <FieldError name="shipping_method" error=error("shipping_method")/>
                    </fieldset>
                    <fieldset class="choices">
                        <legend>"Payment"</legend>
                        <label class="choice">
                            <input type="radio" name="payment_method" value="card" checked=card/>
                            <span>"Card"</span>
                        </label>
                        <Field
                            name="card_number"
                            label="Card number"
                            value=fields.card_number.clone()
                            error=error("card_number")
                            autocomplete="cc-number"
                            numeric=true
                        />
                        <label class="choice">
                            <input type="radio" name="payment_method" value="cash_on_delivery" checked=!card/>
                            <span>"Cash on delivery"</span>
                        </label>
                        <FieldError name="payment_method" error=error("payment_method")/>
                    </fieldset>
                    <button type="submit" id="place-order" class="button button-primary button-large">
                        "Place order"
                    </button>
                </form>
                <aside class="order-summary" aria-labelledby="summary-title">
                    <h2 id="summary-title">"Order summary"</h2>
                    <ul class="summary-lines">
                        {summary
                            .lines
                            .into_iter()
                            .map(|line| view! {
                                <li data-testid="summary-line">
                                    <span>{format!("{} × {}", line.quantity, line.name)}</span>
                                    <span class="price">{format_money(line.total)}</span>
                                </li>
                            })
                            .collect_view()}
                    </ul>
                    <dl class="summary-totals" aria-live="polite">
                        <dt>"Subtotal"</dt>
                        <dd data-testid="summary-subtotal">{format_money(subtotal)}</dd>
                        <dt>"Shipping"</dt>
                        <dd id="summary-shipping" data-testid="summary-shipping">{format_price_or_free(chosen_shipping)}</dd>
                        <dt>"Total"</dt>
                        <dd id="summary-total" class="price price-large" data-testid="summary-total">{format_money(chosen_total)}</dd>
                    </dl>
                </aside>
            </div>
        </CheckoutBehaviour>
    }
}

/// Listens to the server-rendered form inside it (events bubble up to it): a shipping
/// choice copies its prices into the summary, and posting the form makes the button busy
/// (and disabled, against a second click). Deliberately imperative: a few lines of DOM
/// writes cost far less WASM than reactive views of the same text.
#[island]
fn CheckoutBehaviour(children: Children) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        let input = event_target::<leptos::web_sys::HtmlInputElement>(&ev);
        if input.name() != "shipping_method" {
            return;
        }
        for (id, attribute) in [
            ("summary-shipping", "data-shipping"),
            ("summary-total", "data-total"),
        ] {
            if let (Some(el), Some(text)) = (
                document().get_element_by_id(id),
                input.get_attribute(attribute),
            ) {
                el.set_text_content(Some(&text));
            }
        }
    };
    let on_submit = move |_| {
        if let Some(button) = document().get_element_by_id("place-order") {
            let _ = button.set_attribute("disabled", "");
            let _ = button.set_attribute("aria-busy", "true");
        }
    };
    view! {
        <div on:change=on_change on:submit=on_submit>
            {children()}
        </div>
    }
}

#[component]
fn CountrySelect(value: String, error: Option<String>) -> impl IntoView {
    let invalid = error.is_some();
    let described_by = describe("country", false, invalid);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for="country">"Country"</label>
            <select
                id="country"
                name="country"
                autocomplete="country"
                aria-invalid=invalid.then_some("true")
                aria-describedby=described_by
            >
                {SUPPORTED_COUNTRIES
                    .iter()
                    .map(|(code, country)| view! { <option value=*code selected=value == *code>{*country}</option> })
                    .collect_view()}
            </select>
            <FieldError name="country" error/>
        </div>
    }
}

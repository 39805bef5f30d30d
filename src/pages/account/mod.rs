//! `/account` and the pages around it: sign up, sign in, forgotten and reset passwords.
//! Every form is a plain post to its page's path (see `server/account_forms.rs`), so they
//! work the same with or without JavaScript and ship no client code.

pub mod login;
pub mod password;
pub mod register;

use crate::components::form_field::{Field, FormError};
use crate::components::seo::PageMeta;
use crate::model::account::{paths, AccountOverview, ApiToken, OrderSummary};
use crate::model::form::PostedForm;
use crate::model::format_money;
use crate::model::order::{country_name, ShippingAddress};
use crate::pages::posted;
use crate::server_fns::get_account_overview;
use leptos::either::Either;
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let password_form = posted("password");
    let token_form = posted("token");
    view! {
        <PageMeta title="Your account" description="Your Harbor & Pine account." canonical=paths::ACCOUNT noindex=true/>
        <h1 class="page-title">"Your account"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading your account…"</p> }>
            {move || {
                let password_form = password_form.clone();
                let token_form = token_form.clone();
                Suspend::new(async move {
                    match get_account_overview().await {
                        Ok(Some(overview)) => Either::Left(view! {
                            <Overview overview password_form token_form/>
                        }),
                        // Signed out: the answer is a redirect to the sign-in page.
                        Ok(None) => Either::Right(view! {
                            <p><a href=paths::LOGIN>"Sign in"</a>" to see your account."</p>
                        }.into_any()),
                        Err(err) => Either::Right(view! {
                            <p class="status status-error" role="alert">{format!("Could not load your account: {err}")}</p>
                        }.into_any()),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Overview(
    overview: AccountOverview,
    password_form: Option<PostedForm>,
    token_form: Option<PostedForm>,
) -> impl IntoView {
    let AccountOverview {
        account,
        orders,
        address,
        tokens,
    } = overview;
    view! {
        <p class="account-email">"Signed in as " <strong data-testid="account-email">{account.email}</strong></p>
        <section class="account-section" aria-labelledby="orders-title">
            <h2 id="orders-title">"Your orders"</h2>
            <OrderList orders/>
        </section>
        <section class="account-section" aria-labelledby="address-title">
            <h2 id="address-title">"Saved address"</h2>
            <SavedAddress address/>
        </section>
        <section class="account-section" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <FormError error=password_form.and_then(|f| f.error)/>
            <form class="account-form" method="post" action=paths::PASSWORD>
                <Field name="current_password" label="Current password" value=String::new() error=None kind="password" autocomplete="current-password"/>
                <Field name="new_password" label="New password" value=String::new() error=None kind="password" autocomplete="new-password"/>
                <p class="field-hint">"At least 10 characters. Other devices will be signed out."</p>
                <button type="submit" class="button">"Change password"</button>
            </form>
        </section>
        <section class="account-section" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <Tokens tokens shown=token_form/>
        </section>
    }
}

#[component]
fn OrderList(orders: Vec<OrderSummary>) -> impl IntoView {
    if orders.is_empty() {
        return Either::Left(view! { <p data-testid="no-orders">"No orders yet."</p> });
    }
    let rows = orders
        .into_iter()
        .map(|o| {
            view! {
                <tr data-testid="account-order">
                    <td><a href=format!("/orders/{}", o.token)>{o.number}</a></td>
                    <td><time datetime=o.created_at.to_rfc3339()>{o.created_at.format("%-d %b %Y").to_string()}</time></td>
                    <td>{o.status.label()}</td>
                    <td class="price">{format_money(o.total)}</td>
                </tr>
            }
        })
        .collect_view();
    Either::Right(view! {
        <table class="account-orders">
            <thead>
                <tr><th scope="col">"Order"</th><th scope="col">"Date"</th><th scope="col">"Status"</th><th scope="col">"Total"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    })
}

#[component]
fn SavedAddress(address: Option<ShippingAddress>) -> impl IntoView {
    match address {
        None => Either::Left(view! {
            <p>"No saved address yet: tick “Save this address” at checkout."</p>
        }),
        Some(a) => {
            let country = country_name(&a.country).unwrap_or(&a.country).to_owned();
            let lines = [
                a.name,
                a.line1,
                a.line2,
                format!("{} {}", a.postal_code, a.city),
                country,
            ]
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .map(|line| view! { <span class="address-line">{line}</span> })
            .collect_view();
            Either::Right(view! { <address data-testid="saved-address">{lines}</address> })
        }
    }
}

#[component]
fn Tokens(tokens: Vec<ApiToken>, shown: Option<PostedForm>) -> impl IntoView {
    let (error, new_token) = shown.map(|f| (f.error, f.new_token)).unwrap_or_default();
    let made = new_token.map(|(name, secret)| {
        view! {
            <div class="status status-ok new-token" role="status">
                <p>{format!("Your new token “{name}”. Copy it now: it is not shown again.")}</p>
                <code data-testid="new-token">{secret}</code>
            </div>
        }
    });
    let list = (!tokens.is_empty()).then(|| {
        let rows = tokens
            .into_iter()
            .map(|t| {
                let used = t
                    .last_used_at
                    .map_or_else(|| "Never".to_owned(), |at| at.format("%-d %b %Y %H:%M UTC").to_string());
                view! {
                    <tr data-testid="api-token">
                        <td>{t.name.clone()}</td>
                        <td>{t.created_at.format("%-d %b %Y").to_string()}</td>
                        <td>{used}</td>
                        <td>
                            <form method="post" action=paths::REVOKE>
                                <input type="hidden" name="id" value=t.id.to_string()/>
                                <button type="submit" class="button button-small" aria-label=format!("Revoke {}", t.name)>"Revoke"</button>
                            </form>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="account-tokens">
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Revoke"</span></th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        {made}
        <FormError error/>
        {list}
        <form class="account-form" method="post" action=paths::TOKENS>
            <Field name="name" label="Token name" value=String::new() error=None autocomplete="off"/>
            <button type="submit" class="button">"Create token"</button>
        </form>
    }
}

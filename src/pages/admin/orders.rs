//! `/admin/orders` (filter by status, search by number or email, pages, CSV export) and
//! `/admin/orders/{number}` (lines, customer, address, payment, history, and the actions
//! the order's status allows).

use super::AdminNav;
use crate::components::form_field::FormError;
use crate::components::pagination::Pagination;
use crate::components::seo::PageMeta;
use crate::error::ShopError;
use crate::model::admin::{OrderAction, OrderDetail, OrderTable};
use crate::model::format_money;
use crate::model::order::{country_name, OrderStatus};
use crate::pages::not_found::NotFound;
use crate::pages::posted;
use crate::server_fns::{get_order_detail, get_order_table};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdminOrders() -> impl IntoView {
    let (status, query, page) = use_query_map().with_untracked(|q| {
        (
            q.get("status").unwrap_or_default(),
            q.get("q").unwrap_or_default(),
            q.get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1),
        )
    });
    // Rendered on the server only (no island): the browser never runs this.
    #[cfg(feature = "ssr")]
    let today = chrono::Utc::now().date_naive();
    #[cfg(not(feature = "ssr"))]
    let today = chrono::NaiveDate::default();
    let month_ago = today - chrono::Duration::days(30);
    view! {
        <PageMeta title="Orders · Admin" description="The shop's orders." canonical="/admin/orders" noindex=true/>
        <h1 class="page-title">"Orders"</h1>
        <AdminNav/>
        <form class="admin-search" method="get" action="/admin/orders" role="search">
            <label for="admin-status">"Status"</label>
            <select id="admin-status" name="status">
                <option value="" selected=status.is_empty()>"Any"</option>
                {OrderStatus::ALL
                    .into_iter()
                    .map(|s| view! { <option value=s.as_str() selected=s.as_str() == status>{s.label()}</option> })
                    .collect_view()}
            </select>
            <label for="admin-q">"Number or email"</label>
            <input id="admin-q" name="q" type="search" value=query.clone()/>
            <button type="submit" class="button">"Find"</button>
        </form>
        <form class="admin-search" method="get" action="/admin/orders/export.csv">
            <label for="export-from">"From"</label>
            <input id="export-from" name="from" type="date" value=month_ago.to_string() required/>
            <label for="export-to">"To"</label>
            <input id="export-to" name="to" type="date" value=today.to_string() required/>
            <button type="submit" class="button">"Export CSV"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let (status, query) = (status.clone(), query.clone());
                Suspend::new(async move {
                    match get_order_table(status, query, page).await {
                        Ok(table) => EitherOf3::A(view! { <Table table/> }),
                        Err(ShopError::NotFound) => EitherOf3::B(view! { <NotFound/> }),
                        Err(err) => EitherOf3::C(view! {
                            <p class="status status-error" role="alert">{err.to_string()}</p>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Table(table: OrderTable) -> impl IntoView {
    let OrderTable {
        rows,
        total,
        page,
        pages,
        ..
    } = table;
    view! {
        <p data-testid="order-total">{format!("{total} orders")}</p>
        <table class="admin-table" data-testid="admin-orders">
            <thead>
                <tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Email"</th><th scope="col">"Status"</th><th scope="col">"Total"</th></tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|o| view! {
                        <tr>
                            <td><a href=format!("/admin/orders/{}", o.number)>{o.number.clone()}</a></td>
                            <td>{o.created_at.format("%-d %b %Y %H:%M").to_string()}</td>
                            <td>{o.email}</td>
                            <td>{o.status.label()}</td>
                            <td class="price">{format_money(o.total)}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination page page_count=pages/>
    }
}

#[component]
pub fn AdminOrderPage() -> impl IntoView {
    let number = use_params_map().with_untracked(|p| p.get("number").unwrap_or_default());
    let shown = posted("order").unwrap_or_default();
    view! {
        <PageMeta title="Order · Admin" description="An order." canonical="/admin/orders" noindex=true/>
        <AdminNav/>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let (number, error) = (number.clone(), shown.error.clone());
                Suspend::new(async move {
                    match get_order_detail(number).await {
                        Ok(detail) => Either::Left(view! { <Detail detail error/> }),
                        Err(_) => Either::Right(view! { <NotFound/> }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Detail(detail: OrderDetail, error: Option<String>) -> impl IntoView {
    let OrderDetail {
        order,
        customer,
        history,
    } = detail;
    let a = order.shipping_address.clone();
    let country = country_name(&a.country).unwrap_or(&a.country).to_owned();
    let actions = OrderAction::allowed(order.status);
    let action_path = format!("/admin/orders/{}/status", order.number);
    let payment = match (&order.payment.brand, &order.payment.last4) {
        (Some(brand), Some(last4)) => format!("{brand} ending in {last4}"),
        _ => order.payment.method.label().to_owned(),
    };
    view! {
        <h1 class="page-title">{format!("Order {}", order.number)}</h1>
        <p><strong data-testid="admin-order-status">{order.status.label()}</strong>
            {order.tracking_number.clone().map(|t| format!(" · tracking number {t}"))}</p>
        <FormError error/>
        <div class="admin-actions">
            {actions
                .into_iter()
                .map(|action| {
                    let path = action_path.clone();
                    view! {
                        <form method="post" action=path class="admin-action">
                            <input type="hidden" name="action" value=action.as_str()/>
                            {(action == OrderAction::Ship).then(|| view! {
                                <label for="tracking_number">"Tracking number"</label>
                                <input id="tracking_number" name="tracking_number" type="text" required maxlength="100"/>
                            })}
                            <button type="submit" class="button">{action.label()}</button>
                        </form>
                    }
                })
                .collect_view()}
        </div>
        <section aria-labelledby="lines-title">
            <h2 id="lines-title">"Lines"</h2>
            <table class="admin-table">
                <thead><tr><th scope="col">"Product"</th><th scope="col">"Quantity"</th><th scope="col">"Price"</th><th scope="col">"Total"</th></tr></thead>
                <tbody>
                    {order.lines.iter().map(|l| view! {
                        <tr>
                            <td>{l.name.clone()}</td>
                            <td>{l.quantity}</td>
                            <td class="price">{format_money(l.unit_price)}</td>
                            <td class="price">{format_money(l.total_price)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p>{format!("Subtotal {} · Shipping ({}) {} · ", format_money(order.subtotal), order.shipping_method.label(), format_money(order.shipping_price))}
                <strong>{format!("Total {}", format_money(order.total))}</strong></p>
        </section>
        <section aria-labelledby="customer-title">
            <h2 id="customer-title">"Customer"</h2>
            <p>{order.email.clone()}{customer.map(|c| format!(" (account {c})"))}</p>
            <address>
                {[a.name, a.line1, a.line2, format!("{} {}", a.postal_code, a.city), country]
                    .into_iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| view! { <span class="address-line">{l}</span> })
                    .collect_view()}
            </address>
            <p>{format!("Payment: {payment}")}</p>
        </section>
        <section aria-labelledby="history-title">
            <h2 id="history-title">"History"</h2>
            <table class="admin-table" data-testid="order-history">
                <thead><tr><th scope="col">"When"</th><th scope="col">"Status"</th><th scope="col">"By"</th><th scope="col">"Note"</th></tr></thead>
                <tbody>
                    {history.into_iter().map(|e| view! {
                        <tr>
                            <td>{e.at.format("%-d %b %Y %H:%M").to_string()}</td>
                            <td>{e.to.label()}</td>
                            <td>{e.by.unwrap_or_else(|| "The shop".to_owned())}</td>
                            <td>{e.note.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

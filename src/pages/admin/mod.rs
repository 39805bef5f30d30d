//! `/admin`: how the business is doing (today, this month, the last 30 days as a chart and
//! a table), products running low, the latest orders; and the pages under it. Server
//! rendered, forms without JavaScript, no islands: shoppers load no code for it. The router's
//! admin guard lets only admins in.

pub mod orders;
pub mod products;

use crate::components::seo::PageMeta;
use crate::model::admin::{Dashboard, Day, Takings};
use crate::model::format_money;
use crate::server_fns::get_dashboard;
use leptos::either::Either;
use leptos::prelude::*;
use rust_decimal::prelude::ToPrimitive;

/// The admin's own links, on each of its pages.
#[component]
pub fn AdminNav() -> impl IntoView {
    view! {
        <nav class="admin-nav" aria-label="Admin">
            <a href="/admin">"Dashboard"</a>
            <a href="/admin/products">"Products"</a>
            <a href="/admin/products/new">"New product"</a>
            <a href="/admin/orders">"Orders"</a>
        </nav>
    }
}

#[component]
pub fn AdminDashboard() -> impl IntoView {
    view! {
        <PageMeta title="Admin" description="Run the shop." canonical="/admin" noindex=true/>
        <h1 class="page-title">"Dashboard"</h1>
        <AdminNav/>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match get_dashboard().await {
                    Ok(dashboard) => Either::Left(view! { <DashboardView dashboard/> }),
                    Err(err) => Either::Right(view! {
                        <p class="status status-error" role="alert">{format!("Could not load the dashboard: {err}")}</p>
                    }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DashboardView(dashboard: Dashboard) -> impl IntoView {
    let Dashboard {
        today,
        month,
        days,
        low_stock,
        latest,
    } = dashboard;
    let low = if low_stock.is_empty() {
        Either::Left(view! { <p>"Nothing is running low."</p> })
    } else {
        Either::Right(view! {
            <ul class="admin-list" data-testid="low-stock">
                {low_stock
                    .into_iter()
                    .map(|p| view! {
                        <li><a href=format!("/admin/products/{}", p.id)>{p.name}</a>{format!(": {} left", p.stock)}</li>
                    })
                    .collect_view()}
            </ul>
        })
    };
    let orders = latest
        .into_iter()
        .map(|o| {
            view! {
                <tr>
                    <td><a href=format!("/orders/{}", o.token)>{o.number}</a></td>
                    <td>{o.created_at.format("%-d %b %Y %H:%M").to_string()}</td>
                    <td>{o.status.label()}</td>
                    <td class="price">{format_money(o.total)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="admin-figures">
            <Figure label="Today" takings=today testid="today"/>
            <Figure label="This month" takings=month testid="month"/>
        </div>
        <section aria-labelledby="chart-title">
            <h2 id="chart-title">"Revenue, last 30 days"</h2>
            <RevenueChart days=days.clone()/>
            <details>
                <summary>"The figures"</summary>
                <table class="admin-table" data-testid="revenue-table">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Orders"</th><th scope="col">"Revenue"</th></tr></thead>
                    <tbody>
                        {days
                            .into_iter()
                            .map(|d| view! {
                                <tr>
                                    <td>{d.date.format("%-d %b").to_string()}</td>
                                    <td>{d.takings.orders}</td>
                                    <td class="price">{format_money(d.takings.revenue)}</td>
                                </tr>
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
        <section aria-labelledby="low-title">
            <h2 id="low-title">"Low stock"</h2>
            {low}
        </section>
        <section aria-labelledby="latest-title">
            <h2 id="latest-title">"Latest orders"</h2>
            <table class="admin-table">
                <thead><tr><th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Status"</th><th scope="col">"Total"</th></tr></thead>
                <tbody>{orders}</tbody>
            </table>
        </section>
    }
}

#[component]
fn Figure(label: &'static str, takings: Takings, testid: &'static str) -> impl IntoView {
    view! {
        <div class="admin-figure" data-testid=testid>
            <h2>{label}</h2>
            <p><strong>{format_money(takings.revenue)}</strong></p>
            <p>{format!("{} orders", takings.orders)}</p>
        </div>
    }
}

/// Bars drawn on the server as SVG, one per day; the table beside it has the same figures.
#[component]
fn RevenueChart(days: Vec<Day>) -> impl IntoView {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 160.0;
    let most = days
        .iter()
        .filter_map(|d| d.takings.revenue.to_f64())
        .fold(0.0_f64, f64::max);
    let slot = WIDTH / days.len().max(1) as f64;
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // Drawing only: the money itself is never a float.
            let share = d.takings.revenue.to_f64().unwrap_or(0.0) / most.max(1.0);
            let height = (share * (HEIGHT - 4.0)).max(if d.takings.orders > 0 { 1.0 } else { 0.0 });
            let label = format!(
                "{}: {}",
                d.date.format("%-d %b"),
                format_money(d.takings.revenue)
            );
            view! {
                <rect
                    x=format!("{:.1}", i as f64 * slot + 1.0)
                    y=format!("{:.1}", HEIGHT - height)
                    width=format!("{:.1}", (slot - 2.0).max(1.0))
                    height=format!("{height:.1}")
                >
                    <title>{label}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg
            class="revenue-chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label="Revenue per day over the last 30 days; the figures are in the table below"
            data-testid="revenue-chart"
        >
            {bars}
        </svg>
    }
}

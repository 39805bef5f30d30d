//! How the business is doing: the admin dashboard's figures, read in a few queries.

use crate::error::ShopError;
use crate::model::account::OrderSummary;
use crate::model::admin::{Dashboard, Day, LowStock, Takings, LOW_STOCK};
use crate::model::order::OrderStatus;
use crate::server::entities::{order, product};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// Days the dashboard's chart covers.
pub const CHART_DAYS: i64 = 30;
/// Orders the dashboard lists.
const LATEST: u64 = 10;

/// Orders that count as takings: paid, placed, shipped or delivered.
fn counts(status: &str) -> bool {
    !matches!(
        OrderStatus::parse(status),
        Some(OrderStatus::PendingPayment | OrderStatus::Cancelled) | None
    )
}

/// The dashboard as of `now` (days are UTC days).
pub async fn dashboard(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Dashboard, ShopError> {
    let today = now.date_naive();
    let first_day = today - Duration::days(CHART_DAYS - 1);
    let month_start = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let since = first_day.min(month_start);
    let since_at = since.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let rows: Vec<(DateTime<Utc>, String, crate::server::entities::money::Money)> =
        order::Entity::find()
            .select_only()
            .column(order::Column::CreatedAt)
            .column(order::Column::Status)
            .column(order::Column::Total)
            .filter(order::Column::CreatedAt.gte(since_at))
            .into_tuple()
            .all(db)
            .await?;
    let mut by_day: BTreeMap<NaiveDate, Takings> = BTreeMap::new();
    for (at, _, total) in rows.iter().filter(|(_, status, _)| counts(status)) {
        let day = by_day.entry(at.date_naive()).or_default();
        day.orders += 1;
        day.revenue += total.0;
    }
    let sum = |from: NaiveDate| {
        by_day
            .range(from..)
            .fold(Takings::default(), |mut acc, (_, t)| {
                acc.orders += t.orders;
                acc.revenue += t.revenue;
                acc
            })
    };
    let days = (0..CHART_DAYS)
        .map(|i| {
            let date = first_day + Duration::days(i);
            Day {
                date,
                takings: by_day.get(&date).cloned().unwrap_or_default(),
            }
        })
        .collect();
    let low_stock = product::Entity::find()
        .filter(product::Column::Stock.lte(LOW_STOCK))
        .filter(crate::server::services::catalogue::on_sale())
        .order_by_asc(product::Column::Stock)
        .order_by_asc(product::Column::Id)
        .limit(50)
        .all(db)
        .await?
        .into_iter()
        .map(|p| LowStock {
            id: p.id,
            name: p.name,
            stock: p.stock,
        })
        .collect();
    let latest = order::Entity::find()
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .limit(LATEST)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|o| {
            Some(OrderSummary {
                status: OrderStatus::parse(&o.status)?,
                number: o.number,
                token: o.token,
                total: o.total.0,
                created_at: o.created_at,
            })
        })
        .collect();
    Ok(Dashboard {
        today: sum(today),
        month: sum(month_start),
        days,
        low_stock,
        latest,
    })
}

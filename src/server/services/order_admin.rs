//! Orders as staff run them: a table to filter (by status) and search (by number or email),
//! an order's page with its history, the status actions (mark paid, ship, mark delivered,
//! cancel) as the order rules allow them, and a CSV export.

use crate::error::ShopError;
use crate::model::admin::{
    OrderAction, OrderDetail, OrderEvent, OrderRow, OrderTable, ADMIN_PAGE_SIZE, MAX_TRACKING_CHARS,
};
use crate::model::order::{Order, OrderStatus, PaymentMethod};
use crate::server::entities::{account, order, order_event};
use crate::server::mail;
use crate::server::services::orders::{self, OrderDeps};
use crate::server::services::{audit, begin_write};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};

/// Longest search staff may type.
const MAX_QUERY_CHARS: usize = 200;

/// Orders, newest first, in `status` (if given) whose number or email contains `query`.
pub async fn table(
    db: &impl ConnectionTrait,
    status: Option<OrderStatus>,
    query: &str,
    page: u64,
) -> Result<OrderTable, ShopError> {
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS || query.contains('\0') {
        return Err(ShopError::invalid(format!(
            "Please search with at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let mut select = order::Entity::find();
    if let Some(status) = status {
        select = select.filter(order::Column::Status.eq(status.as_str()));
    }
    if !query.is_empty() {
        let pattern =
            LikeExpr::new(format!("%{}%", escape_like(&query.to_lowercase()))).escape('\\');
        let lower = |col| Expr::expr(Func::lower(Expr::col((order::Entity, col))));
        select = select.filter(
            Condition::any()
                .add(lower(order::Column::Number).like(pattern.clone()))
                .add(lower(order::Column::Email).like(pattern)),
        );
    }
    let total = select.clone().count(db).await?;
    let pages = std::cmp::max(total.div_ceil(ADMIN_PAGE_SIZE), 1);
    let page = std::cmp::max(page, 1);
    if page > pages {
        return Err(ShopError::NotFound);
    }
    let rows = select
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .paginate(db, ADMIN_PAGE_SIZE)
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .filter_map(|o| {
            Some(OrderRow {
                status: OrderStatus::parse(&o.status)?,
                number: o.number,
                email: o.email,
                total: o.total.0,
                created_at: o.created_at,
            })
        })
        .collect();
    Ok(OrderTable {
        rows,
        total,
        page,
        pages,
        status,
        query: query.to_owned(),
    })
}

/// `%`, `_` and `\` as plain characters in a LIKE pattern.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

async fn find(db: &impl ConnectionTrait, number: &str) -> Result<order::Model, ShopError> {
    if number.contains('\0') || number.len() > 40 {
        return Err(ShopError::NotFound);
    }
    order::Entity::find()
        .filter(order::Column::Number.eq(number))
        .one(db)
        .await?
        .ok_or(ShopError::NotFound)
}

/// An order with its customer and history.
pub async fn detail(db: &impl ConnectionTrait, number: &str) -> Result<OrderDetail, ShopError> {
    let row = find(db, number).await?;
    let customer = match row.customer_id {
        Some(id) => account::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|a| a.email),
        None => None,
    };
    let events = order_event::Entity::find()
        .filter(order_event::Column::OrderId.eq(row.id))
        .order_by_asc(order_event::Column::Id)
        .all(db)
        .await?;
    let mut history = Vec::with_capacity(events.len());
    for e in events {
        let by = match e.account_id {
            Some(id) => account::Entity::find_by_id(id)
                .one(db)
                .await?
                .map(|a| a.email),
            None => None,
        };
        if let Some(to) = OrderStatus::parse(&e.to_status) {
            history.push(OrderEvent {
                from: e.from_status.as_deref().and_then(OrderStatus::parse),
                to,
                by,
                note: e.note,
                at: e.created_at,
            });
        }
    }
    Ok(OrderDetail {
        order: orders::load(db, row).await?,
        customer,
        history,
    })
}

/// Does `action` to order `number`, by staff member `by`: the status change, what comes
/// with it (the tracking number and the customer's email when shipped; the stock back,
/// each unit a ledger row, when cancelled) and the audit entry, in one transaction whose
/// status change is conditional, so two staff acting at once cannot both succeed. A paid
/// card order that is cancelled is refunded through its provider afterwards (the outcome is
/// in the history). An action the order's status does not allow is refused (409).
pub async fn act(
    deps: &OrderDeps<'_>,
    number: &str,
    action: OrderAction,
    tracking_number: &str,
    by: i32,
) -> Result<Order, ShopError> {
    let row = find(deps.db, number).await?;
    let from = OrderStatus::parse(&row.status).ok_or(ShopError::Internal)?;
    let to = action.target();
    if !OrderAction::allowed(from).contains(&action) {
        return Err(ShopError::NotAllowedNow(format!(
            "This order is {}: it cannot be moved to {}",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        )));
    }
    let tracking = tracking_number.trim();
    if action == OrderAction::Ship
        && (tracking.is_empty()
            || tracking.chars().count() > MAX_TRACKING_CHARS
            || tracking.chars().any(char::is_control))
    {
        return Err(ShopError::invalid(format!(
            "Please enter the tracking number (1 to {MAX_TRACKING_CHARS} characters)"
        )));
    }
    let before = orders::load(deps.db, row.clone()).await?;
    let txn = begin_write(deps.db).await?;
    let at = orders::now();
    let moved = match action {
        OrderAction::Cancel => {
            orders::cancel_and_restock_from(&txn, row.id, from, Some(by)).await?
        }
        OrderAction::Ship => {
            let tracking = tracking.to_owned();
            let note = Some(format!("Tracking number {tracking}"));
            orders::move_status_by(&txn, row.id, from, to, at, Some(by), note, |q| {
                q.col_expr(order::Column::TrackingNumber, Expr::value(tracking))
            })
            .await?
        }
        _ => orders::move_status_by(&txn, row.id, from, to, at, Some(by), None, |q| q).await?,
    };
    if !moved {
        return Err(ShopError::NotAllowedNow(
            "This order changed meanwhile: please look at it again".into(),
        ));
    }
    let after_row = find(&txn, number).await?;
    let after = orders::load(&txn, after_row).await?;
    if action == OrderAction::Ship {
        mail::order_shipped(&after, tracking, deps.shop_url)
            .outbox_row(mail::ORDER_SHIPPED, &after.email, Some(row.id), at)
            .insert(&txn)
            .await?;
    }
    audit::write(
        &txn,
        by,
        &format!("order.{}", action.as_str()),
        "order",
        Some(row.id),
        Some(serde_json::json!({ "status": from.as_str() })),
        Some(
            serde_json::json!({ "status": to.as_str(), "tracking_number": after.tracking_number }),
        ),
    )
    .await?;
    txn.commit().await?;
    if action == OrderAction::Cancel {
        deps.catalogue.invalidate();
        // Cash on delivery marked paid was paid in person: there is nothing to refund online.
        if from == OrderStatus::Paid && before.payment.method == PaymentMethod::Card {
            refund(deps, &row, &before, by).await?;
        }
    }
    Ok(after)
}

/// Gives a cancelled paid order its money back through its provider, and says how it went
/// in the order's history.
async fn refund(
    deps: &OrderDeps<'_>,
    row: &order::Model,
    order: &Order,
    by: i32,
) -> Result<(), ShopError> {
    let provider = deps.payments.provider(order.payment.method);
    let outcome = provider
        .refund(&row.number, row.payment_reference.as_deref(), order.total)
        .await;
    let note = match &outcome {
        Ok(()) => format!("Refunded {}", crate::model::format_money(order.total)),
        Err(err) => {
            tracing::error!(order = %row.number, error = %err, "refund failed");
            "The refund failed: refund it with the payment provider".to_owned()
        }
    };
    order_event::ActiveModel {
        order_id: Set(row.id),
        from_status: Set(Some(OrderStatus::Cancelled.as_str().to_owned())),
        to_status: Set(OrderStatus::Cancelled.as_str().to_owned()),
        account_id: Set(Some(by)),
        note: Set(Some(note)),
        created_at: Set(orders::now()),
        ..Default::default()
    }
    .insert(deps.db)
    .await?;
    Ok(())
}

/// Orders placed from `from` to `to` (inclusive days, UTC) as CSV, oldest first. Text cells
/// that a spreadsheet would take for a formula are quoted with a leading apostrophe.
pub async fn export_csv(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<String, ShopError> {
    if to < from || (to - from).num_days() > 3660 {
        return Err(ShopError::invalid(
            "Please choose a range of at most ten years, oldest first",
        ));
    }
    let start: DateTime<Utc> = from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let end: DateTime<Utc> = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    let rows = order::Entity::find()
        .filter(order::Column::CreatedAt.gte(start))
        .filter(order::Column::CreatedAt.lt(end))
        .order_by_asc(order::Column::CreatedAt)
        .order_by_asc(order::Column::Id)
        .all(db)
        .await?;
    let mut out = String::from(
        "number,placed_at,status,email,name,country,shipping_method,payment_method,subtotal,shipping,total,tracking_number\r\n",
    );
    for o in rows {
        let cells = [
            o.number,
            o.created_at.to_rfc3339(),
            o.status,
            o.email,
            o.ship_name,
            o.ship_country,
            o.shipping_method,
            o.payment_method,
            o.subtotal.0.to_string(),
            o.shipping_price.0.to_string(),
            o.total.0.to_string(),
            o.tracking_number.unwrap_or_default(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// One CSV cell (RFC 4180 quoting), with formula-like text defused.
fn csv_cell(text: &str) -> String {
    let defused =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.parse::<f64>().is_err() {
            format!("'{text}")
        } else {
            text.to_owned()
        };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("HP-10001"), "HP-10001");
        assert_eq!(csv_cell("Lovelace, Ada"), "\"Lovelace, Ada\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@sum"), "'@sum");
        assert_eq!(csv_cell("-12.50"), "-12.50", "numbers stay numbers");
    }
}

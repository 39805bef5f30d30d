//! The stock ledger: every change of a product's stock writes a `stock_movements` row in
//! the same transaction, so a product's history always sums to its stock. Staff adjust by a
//! delta (relative, one conditional statement: stock never goes negative); checkout and
//! cancellations record their own rows (see `orders.rs`).

use crate::error::ShopError;
use crate::model::inventory::{MovementReason, StockMovement, MAX_ADJUSTMENT};
use crate::server::entities::stock_movement;
use crate::server::services::{audit, begin_write, statement};
use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

/// Writes one movement, in the caller's transaction (beside the change it records).
pub(crate) async fn record(
    txn: &impl ConnectionTrait,
    product_id: i32,
    delta: i32,
    reason: MovementReason,
    order_id: Option<i32>,
    account_id: Option<i32>,
) -> Result<(), ShopError> {
    stock_movement::Entity::insert(stock_movement::ActiveModel {
        product_id: Set(product_id),
        delta: Set(delta),
        reason: Set(reason.as_str().to_owned()),
        order_id: Set(order_id),
        account_id: Set(account_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Opens the ledger of every product that has none (created outside the services, e.g. by
/// the seed's bulk insert): one `initial` row with its stock.
pub async fn open_ledgers(db: &impl ConnectionTrait) -> Result<u64, ShopError> {
    let sql = "INSERT INTO stock_movements (product_id, delta, reason, created_at) \
               SELECT id, stock, 'initial', $1 FROM products p \
               WHERE NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.product_id = p.id)";
    let done = db
        .execute_raw(statement(db, sql, vec![Utc::now().into()]))
        .await?;
    Ok(done.rows_affected())
}

/// What staff may adjust by: a non-zero delta within ±[`MAX_ADJUSTMENT`].
pub fn validate_delta(delta: i64) -> Result<i32, ShopError> {
    if delta == 0 || !(-MAX_ADJUSTMENT..=MAX_ADJUSTMENT).contains(&delta) {
        return Err(ShopError::invalid(format!(
            "delta must be a whole number from -{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, not 0"
        )));
    }
    Ok(delta as i32)
}

/// An adjustment's reason: received, correction or damaged.
pub fn validate_reason(reason: &str) -> Result<MovementReason, ShopError> {
    MovementReason::parse(reason)
        .filter(|r| MovementReason::ADJUSTMENTS.contains(r))
        .ok_or_else(|| ShopError::invalid("reason must be one of received, correction, damaged"))
}

/// Adjusts a product's stock by `delta` for `reason`, by staff member `by`: the stock
/// change, its ledger row and the audit entry in one transaction. The change is relative
/// and conditional, so concurrent adjustments and checkouts all count and the stock never
/// goes negative (refused with what is in stock). Returns the new stock.
pub async fn adjust(
    db: &DatabaseConnection,
    product_id: i32,
    delta: i64,
    reason: &str,
    by: i32,
) -> Result<i32, ShopError> {
    let (delta, reason) = (validate_delta(delta)?, validate_reason(reason)?);
    let txn = begin_write(db).await?;
    let changed = txn
        .query_one_raw(statement(
            &txn,
            "UPDATE products SET stock = stock + $1, updated_at = $2 \
             WHERE id = $3 AND CAST(stock AS BIGINT) + $1 BETWEEN 0 AND 2147483647 \
             RETURNING stock",
            vec![delta.into(), Utc::now().into(), product_id.into()],
        ))
        .await?;
    let Some(row) = changed else {
        let current = crate::server::entities::product::Entity::find_by_id(product_id)
            .one(&txn)
            .await?
            .ok_or(ShopError::NotFound)?;
        if i64::from(current.stock) + i64::from(delta) < 0 {
            return Err(ShopError::StockWouldGoNegative {
                stock: current.stock,
            });
        }
        return Err(ShopError::invalid(format!(
            "That would be more stock than a product can hold ({} in stock)",
            current.stock
        )));
    };
    let stock: i32 = row.try_get("", "stock")?;
    record(&txn, product_id, delta, reason, None, Some(by)).await?;
    audit::write(
        &txn,
        by,
        "stock.adjust",
        "product",
        Some(product_id),
        Some(serde_json::json!({ "stock": stock - delta })),
        Some(serde_json::json!({ "stock": stock, "delta": delta, "reason": reason.as_str() })),
    )
    .await?;
    txn.commit().await?;
    Ok(stock)
}

/// A product's stock history, oldest first.
pub async fn history(
    db: &impl ConnectionTrait,
    product_id: i32,
) -> Result<Vec<StockMovement>, ShopError> {
    let rows = stock_movement::Entity::find()
        .filter(stock_movement::Column::ProductId.eq(product_id))
        .order_by_asc(stock_movement::Column::Id)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(StockMovement {
                id: row.id,
                product_id: row.product_id,
                delta: row.delta,
                reason: MovementReason::parse(&row.reason)?,
                order_id: row.order_id,
                created_at: row.created_at,
            })
        })
        .collect())
}

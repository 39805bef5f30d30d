//! "Email me when it's back": one waiting request per email and sold-out product. When the
//! product is on sale with stock again, each request is ended and its email queued in the
//! outbox, both in one transaction, so every request gets exactly one email even with several
//! instances doing the same work (the conditional update lets one of them take each row).
//! The email's unsubscribe link cancels every request still waiting for that address.

use crate::error::ShopError;
use crate::model::account::email_key;
use crate::model::stock::UNSUBSCRIBE_PATH;
use crate::server::entities::product;
use crate::server::mail;
use crate::server::services::{begin_write, catalogue, random_hex, secret_hash, statement};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait};

/// Requests handled per transaction.
const BATCH: u64 = 200;
/// Ended requests are kept this long, so their emails' unsubscribe links keep working.
pub const KEEP_ENDED_DAYS: i64 = 90;

/// Asks for one email when `product_id` is back. Asking again while a request waits changes
/// nothing (and says the same). Only a sold-out product on sale can be asked about.
pub async fn subscribe(
    db: &DatabaseConnection,
    product_id: i32,
    email: &str,
) -> Result<(), ShopError> {
    let email = crate::server::services::accounts::valid_email(email)?;
    let product = product::Entity::find_by_id(product_id)
        .one(db)
        .await?
        .filter(|p| p.archived_at.is_none())
        .ok_or(ShopError::NotFound)?;
    if product.stock > 0 {
        return Err(ShopError::NotAllowedNow(
            "It's in stock now: you can order it straight away.".into(),
        ));
    }
    db.execute_raw(statement(
        db,
        "INSERT INTO stock_alerts (product_id, email, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
        vec![
            product_id.into(),
            email_key(&email).into(),
            Utc::now().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Requests waiting for `product_id` (what the admin could show; tests count them).
pub async fn waiting(db: &impl ConnectionTrait, product_id: i32) -> Result<u64, ShopError> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT COUNT(*) AS n FROM stock_alerts WHERE product_id = $1 AND notified_at IS NULL",
            vec![product_id.into()],
        ))
        .await?;
    let n: i64 = row.map_or(Ok(0), |r| r.try_get("", "n"))?;
    Ok(n.unsigned_abs())
}

/// Ends every waiting request whose product is on sale with stock, queueing its email.
/// Returns how many emails were queued. Safe to run anywhere at any time: a request is
/// taken by one run only.
pub async fn notify_restocked(db: &DatabaseConnection, shop_url: &str) -> Result<usize, ShopError> {
    let mut queued = 0;
    loop {
        let (done, more) = notify_batch(db, shop_url).await?;
        queued += done;
        if !more {
            return Ok(queued);
        }
    }
}

async fn notify_batch(db: &DatabaseConnection, shop_url: &str) -> Result<(usize, bool), ShopError> {
    let txn = begin_write(db).await?;
    let sql = format!(
        "SELECT a.id, a.email, a.product_id, products.name FROM stock_alerts a \
         JOIN products ON products.id = a.product_id \
         WHERE a.notified_at IS NULL AND products.stock > 0 AND {} \
         ORDER BY a.id LIMIT $1",
        catalogue::ON_SALE_SQL
    );
    let rows = txn
        .query_all_raw(statement(&txn, &sql, vec![BATCH.into()]))
        .await?;
    let now = Utc::now();
    let mut queued = 0;
    for row in &rows {
        let id: i32 = row.try_get("", "id")?;
        let email: String = row.try_get("", "email")?;
        let product_id: i32 = row.try_get("", "product_id")?;
        let name: String = row.try_get("", "name")?;
        let token = random_hex();
        let taken = txn
            .execute_raw(statement(
                &txn,
                "UPDATE stock_alerts SET notified_at = $1, token_hash = $2 \
                 WHERE id = $3 AND notified_at IS NULL",
                vec![now.into(), secret_hash(&token).into(), id.into()],
            ))
            .await?;
        if taken.rows_affected() == 0 {
            continue; // another instance took it
        }
        let email_row = mail::back_in_stock(
            &name,
            &format!("{shop_url}/product/{product_id}"),
            &format!("{shop_url}{UNSUBSCRIBE_PATH}?token={token}"),
        )
        .outbox_row(mail::BACK_IN_STOCK, &email, None, now);
        crate::server::entities::outbox_email::Entity::insert(email_row)
            .exec(&txn)
            .await?;
        queued += 1;
    }
    txn.commit().await?;
    Ok((queued, rows.len() as u64 == BATCH))
}

/// Cancels every request still waiting for the address whose email carried `token`.
/// Returns how many.
pub async fn unsubscribe(db: &DatabaseConnection, token: &str) -> Result<u64, ShopError> {
    let txn = begin_write(db).await?;
    let found = txn
        .query_one_raw(statement(
            &txn,
            "SELECT email FROM stock_alerts WHERE token_hash = $1",
            vec![secret_hash(token.trim()).into()],
        ))
        .await?
        .ok_or_else(|| {
            ShopError::invalid(format!(
                "This unsubscribe link is not valid. Links work for {KEEP_ENDED_DAYS} days."
            ))
        })?;
    let email: String = found.try_get("", "email")?;
    let cancelled = txn
        .execute_raw(statement(
            &txn,
            "DELETE FROM stock_alerts WHERE email = $1 AND notified_at IS NULL",
            vec![email.into()],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(cancelled)
}

/// Deletes requests ended before `before` (their links stop working).
pub async fn delete_ended(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, ShopError> {
    let done = db
        .execute_raw(statement(
            db,
            "DELETE FROM stock_alerts WHERE notified_at < $1",
            vec![before.into()],
        ))
        .await?;
    Ok(done.rows_affected())
}

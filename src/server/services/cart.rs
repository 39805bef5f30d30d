//! Session carts. Every write is one SQL statement whose conditions hold the rules (a line
//! never exceeds stock, one line per product, a cart has at most so many lines), so they stay
//! true with many server processes on one database, with no in-process lock.

use super::statement;
use crate::error::ShopError;
use crate::model::{Cart, CartItem, MAX_QUANTITY, MAX_SESSION_ID_LEN};
use crate::server::entities::{cart_item, category, product};
use chrono::Utc;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait,
};

/// A cart's owner: any non-blank string of at most 255 characters without NUL (the API's
/// `session_id`, or the storefront's cookie). Blank means only Unicode White_Space, what
/// `str::trim` removes: the API document's pattern lists the same characters.
pub fn validate_session_id(session_id: &str) -> Result<(), ShopError> {
    if session_id.trim().is_empty() {
        return Err(ShopError::invalid("session_id must not be empty"));
    }
    // PostgreSQL text cannot hold NUL: refused here rather than failing in the database.
    if session_id.contains('\0') {
        return Err(ShopError::invalid(
            "session_id must not contain NUL characters",
        ));
    }
    if session_id.chars().count() > MAX_SESSION_ID_LEN {
        return Err(ShopError::invalid(format!(
            "session_id must be at most {MAX_SESSION_ID_LEN} characters"
        )));
    }
    Ok(())
}

/// A quantity to add: 1 to [`MAX_QUANTITY`].
pub fn validate_add_quantity(quantity: i64) -> Result<i32, ShopError> {
    match quantity {
        1..=MAX_QUANTITY => Ok(quantity as i32),
        _ => Err(ShopError::invalid(format!(
            "quantity must be between 1 and {MAX_QUANTITY}"
        ))),
    }
}

/// A quantity to set: 0 (remove the line) to [`MAX_QUANTITY`].
pub fn validate_set_quantity(quantity: i64) -> Result<i32, ShopError> {
    match quantity {
        0..=MAX_QUANTITY => Ok(quantity as i32),
        _ => Err(ShopError::invalid(format!(
            "quantity must be between 0 and {MAX_QUANTITY}"
        ))),
    }
}

/// The session's cart lines with their products, in the order they were added: one query.
pub async fn get_cart(db: &impl ConnectionTrait, session_id: &str) -> Result<Cart, ShopError> {
    validate_session_id(session_id)?;
    let rows = cart_item::Entity::find()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .find_also_related(product::Entity)
        .find_also(product::Entity, category::Entity)
        .order_by_asc(cart_item::Column::Id)
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        // The foreign key cascades, so a line always has its product; skip rather than fail.
        // An archived product is no longer for sale (archiving empties its lines too).
        .filter_map(|(item, product, category)| {
            product
                .filter(|p| p.archived_at.is_none())
                .map(|p| CartItem::from_row(item, p, category))
        })
        .collect();
    Ok(Cart { items })
}

/// One line of a session's cart, with its product.
async fn get_line(
    db: &impl ConnectionTrait,
    session_id: &str,
    product_id: i32,
) -> Result<Option<CartItem>, ShopError> {
    Ok(cart_item::Entity::find()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .filter(cart_item::Column::ProductId.eq(product_id))
        .find_also_related(product::Entity)
        .find_also(product::Entity, category::Entity)
        .one(db)
        .await?
        .and_then(|(item, product, category)| {
            product
                .filter(|p| p.archived_at.is_none())
                .map(|p| CartItem::from_row(item, p, category))
        }))
}

/// Why a conditional write changed nothing: no such product, or not enough stock.
async fn refusal(
    db: &impl ConnectionTrait,
    session_id: &str,
    product_id: i32,
    keep_current_line: bool,
) -> ShopError {
    let product = match product::Entity::find_by_id(product_id).one(db).await {
        Ok(Some(product)) if product.archived_at.is_none() => product,
        Ok(Some(_)) => return ShopError::NotFound,
        Ok(None) => return ShopError::NotFound,
        Err(err) => return err.into(),
    };
    let in_cart = if keep_current_line {
        match get_line(db, session_id, product_id).await {
            Ok(line) => line.map_or(0, |l| l.quantity),
            Err(err) => return err,
        }
    } else {
        0
    };
    ShopError::OutOfStock {
        available: (product.stock - in_cart).max(0),
    }
}

/// Different products a cart holds at most unless configured (`SHOP_CART_MAX_LINES`).
pub const DEFAULT_MAX_LINES: u32 = 100;

/// [`add_to_cart_with_cap`] with the default cap on lines.
pub async fn add_to_cart(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: &str,
    product_id: i32,
    quantity: i64,
) -> Result<CartItem, ShopError> {
    add_to_cart_with_cap(db, session_id, product_id, quantity, DEFAULT_MAX_LINES).await
}

/// Adds `quantity` of a product to the session's cart: a new line, or more on the existing one.
/// Atomic: concurrent adds never lose an update nor make two lines, and a line never holds more
/// than the product's stock (the refusal says how many are left). A new line is refused when
/// the cart already has `max_lines` (bounding what one session can make the database hold).
pub async fn add_to_cart_with_cap(
    db: &(impl ConnectionTrait + TransactionTrait),
    session_id: &str,
    product_id: i32,
    quantity: i64,
    max_lines: u32,
) -> Result<CartItem, ShopError> {
    validate_session_id(session_id)?;
    let quantity = validate_add_quantity(quantity)?;
    // The insert only happens when the product exists with enough stock and the cart has room
    // for a new line (or already has this one); on conflict the update only happens when the
    // sum still fits the stock (written as a difference so the arithmetic cannot overflow).
    let sql = "INSERT INTO cart_items (session_id, product_id, quantity, created_at, updated_at) \
               SELECT $1, p.id, $2, $3, $3 FROM products p \
               WHERE p.id = $4 AND p.stock >= $2 AND p.archived_at IS NULL \
               AND ((SELECT COUNT(*) FROM cart_items c WHERE c.session_id = $1) < $5 \
                    OR EXISTS (SELECT 1 FROM cart_items c \
                               WHERE c.session_id = $1 AND c.product_id = $4)) \
               ON CONFLICT (session_id, product_id) DO UPDATE \
               SET quantity = cart_items.quantity + excluded.quantity, \
                   updated_at = excluded.updated_at \
               WHERE cart_items.quantity <= \
                   (SELECT stock FROM products WHERE products.id = excluded.product_id) \
                   - excluded.quantity \
               RETURNING id";
    let values = vec![
        session_id.into(),
        quantity.into(),
        Utc::now().into(),
        product_id.into(),
        i64::from(max_lines).into(),
    ];
    let txn = db.begin().await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Concurrent adds to one cart would each count the lines before the others commit;
        // taking turns per cart keeps the cap exact. (SQLite runs one writer at a time.)
        txn.execute_raw(statement(
            &txn,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            vec![session_id.into()],
        ))
        .await?;
    }
    let added = txn.query_one_raw(statement(&txn, sql, values)).await?;
    txn.commit().await?;
    match added {
        Some(_) => get_line(db, session_id, product_id)
            .await?
            .ok_or(ShopError::NotFound),
        None => Err(add_refusal(db, session_id, product_id, max_lines).await),
    }
}

/// Why an add changed nothing: a full cart, no such product, or not enough stock.
async fn add_refusal(
    db: &impl ConnectionTrait,
    session_id: &str,
    product_id: i32,
    max_lines: u32,
) -> ShopError {
    let lines = cart_item::Entity::find()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .count(db)
        .await;
    let has_line = get_line(db, session_id, product_id).await;
    match (lines, has_line) {
        (Ok(lines), Ok(None)) if lines >= u64::from(max_lines) => ShopError::CartFull { max_lines },
        (Err(err), _) => err.into(),
        (_, Err(err)) => err,
        _ => refusal(db, session_id, product_id, true).await,
    }
}

/// Sets the quantity of an existing line; 0 removes it (and returns `None`).
pub async fn set_quantity(
    db: &impl ConnectionTrait,
    session_id: &str,
    product_id: i32,
    quantity: i64,
) -> Result<Option<CartItem>, ShopError> {
    validate_session_id(session_id)?;
    let quantity = validate_set_quantity(quantity)?;
    if quantity == 0 {
        remove_from_cart(db, session_id, product_id).await?;
        return Ok(None);
    }
    let sql = "UPDATE cart_items SET quantity = $1, updated_at = $2 \
               WHERE session_id = $3 AND product_id = $4 \
               AND $1 <= (SELECT stock FROM products \
                          WHERE products.id = $4 AND products.archived_at IS NULL) \
               RETURNING id";
    let values = vec![
        quantity.into(),
        Utc::now().into(),
        session_id.into(),
        product_id.into(),
    ];
    if db
        .query_one_raw(statement(db, sql, values))
        .await?
        .is_some()
    {
        return get_line(db, session_id, product_id).await;
    }
    // Nothing changed: either there is no such line, or the stock is too low.
    if get_line(db, session_id, product_id).await?.is_none() {
        return Err(ShopError::NotFound);
    }
    Err(refusal(db, session_id, product_id, false).await)
}

/// Removes a product's line from the cart. Of concurrent removes, exactly one succeeds.
pub async fn remove_from_cart(
    db: &impl ConnectionTrait,
    session_id: &str,
    product_id: i32,
) -> Result<(), ShopError> {
    validate_session_id(session_id)?;
    let result = cart_item::Entity::delete_many()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .filter(cart_item::Column::ProductId.eq(product_id))
        .exec(db)
        .await?;
    match result.rows_affected {
        0 => Err(ShopError::NotFound),
        _ => Ok(()),
    }
}

/// Empties the session's cart; returns how many lines were removed.
pub async fn clear_cart(db: &impl ConnectionTrait, session_id: &str) -> Result<u64, ShopError> {
    validate_session_id(session_id)?;
    let result = cart_item::Entity::delete_many()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Deletes the carts that nobody has touched for `idle`: every line of a session whose newest
/// change is older than that (one statement). Returns how many lines went.
pub async fn delete_idle_carts(
    db: &impl ConnectionTrait,
    idle: std::time::Duration,
) -> Result<u64, ShopError> {
    let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::MAX);
    let cutoff = Utc::now()
        .checked_sub_signed(idle)
        .unwrap_or(chrono::DateTime::<Utc>::MIN_UTC);
    let sql = "DELETE FROM cart_items WHERE session_id IN \
               (SELECT session_id FROM cart_items GROUP BY session_id \
                HAVING MAX(updated_at) < $1)";
    let result = db
        .execute_raw(statement(db, sql, vec![cutoff.into()]))
        .await?;
    Ok(result.rows_affected())
}

/// A product of a merged cart that did not fit: what the customer asked for in all and what
/// the account's cart now holds (0 when the cart had no room for another line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedLine {
    pub product_id: i32,
    pub name: String,
    pub wanted: i64,
    pub kept: i32,
}

/// Moves the guest cart `from` into the account cart `into` (signing in): quantities of one
/// product add up, capped at the product's stock (and [`MAX_QUANTITY`]); a product the
/// account's cart has no room for stays out. The guest cart is gone afterwards. One
/// transaction, and the guest lines are taken with one `DELETE … RETURNING`, so two
/// sign-ins at once cannot both move them.
pub async fn merge_carts(
    db: &sea_orm::DatabaseConnection,
    from: &str,
    into: &str,
    max_lines: u32,
) -> Result<Vec<CappedLine>, ShopError> {
    validate_session_id(from)?;
    validate_session_id(into)?;
    if from == into {
        return Ok(Vec::new());
    }
    let txn = super::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Takes turns with adds to the account's cart, as they take turns with each other.
        txn.execute_raw(statement(
            &txn,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            vec![into.into()],
        ))
        .await?;
    }
    let taken = txn
        .query_all_raw(statement(
            &txn,
            "DELETE FROM cart_items WHERE session_id = $1 RETURNING product_id, quantity",
            vec![from.into()],
        ))
        .await?;
    let mut lines = cart_item::Entity::find()
        .filter(cart_item::Column::SessionId.eq(into))
        .count(&txn)
        .await?;
    let mut capped = Vec::new();
    let now = Utc::now();
    for row in taken {
        let product_id: i32 = row.try_get("", "product_id")?;
        let guest: i32 = row.try_get("", "quantity")?;
        let Some(product) = product::Entity::find_by_id(product_id).one(&txn).await? else {
            continue;
        };
        let existing = cart_item::Entity::find()
            .filter(cart_item::Column::SessionId.eq(into))
            .filter(cart_item::Column::ProductId.eq(product_id))
            .one(&txn)
            .await?;
        let had = existing.as_ref().map_or(0, |line| line.quantity);
        let wanted = i64::from(had) + i64::from(guest);
        let room = existing.is_some() || lines < u64::from(max_lines);
        // An archived product is no longer for sale: nothing of it moves.
        let on_sale = product.archived_at.is_none();
        let limit = if on_sale {
            i64::from(product.stock.max(0)).min(MAX_QUANTITY)
        } else {
            0
        };
        let kept = if room {
            wanted.min(limit.max(i64::from(had)))
        } else {
            0
        };
        // `kept` is at most MAX_QUANTITY or an existing line's quantity: it fits an i32.
        let kept = i32::try_from(kept).unwrap_or(had);
        if i64::from(kept) < wanted {
            capped.push(CappedLine {
                product_id,
                name: product.name.clone(),
                wanted,
                kept,
            });
        }
        match existing {
            Some(line) if kept > had => {
                cart_item::Entity::update_many()
                    .col_expr(cart_item::Column::Quantity, kept.into())
                    .col_expr(cart_item::Column::UpdatedAt, now.into())
                    .filter(cart_item::Column::Id.eq(line.id))
                    .exec(&txn)
                    .await?;
            }
            None if kept > 0 => {
                cart_item::Entity::insert(cart_item::ActiveModel {
                    session_id: sea_orm::ActiveValue::Set(into.to_owned()),
                    product_id: sea_orm::ActiveValue::Set(product_id),
                    quantity: sea_orm::ActiveValue::Set(kept),
                    created_at: sea_orm::ActiveValue::Set(now),
                    updated_at: sea_orm::ActiveValue::Set(now),
                    ..Default::default()
                })
                .exec(&txn)
                .await?;
                lines += 1;
            }
            _ => {}
        }
    }
    txn.commit().await?;
    Ok(capped)
}

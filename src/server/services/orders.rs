//! Checkout and orders. Placing an order is three steps, so a unit is sold exactly once and
//! nothing is charged for stock the shop does not have:
//!
//! 1. **Reserve** (one transaction): every cart line's stock is taken with a conditional
//!    update (`stock = stock - q WHERE stock >= q`), and the order is created in
//!    `pending_payment` with its lines (name and price as they are now). If any line is
//!    short, everything rolls back and the error names every short line.
//! 2. **Pay**: the order's payment provider is asked, outside any transaction (a gateway can
//!    take seconds; no lock is held meanwhile).
//! 3. **Record** (a second transaction): approved → `paid`/`placed`, the ordered cart lines
//!    removed, and the confirmation email queued in the outbox; declined → `cancelled` and
//!    the stock put back. A process that dies between 1 and 3 leaves a `pending_payment`
//!    order that [`cancel_stale`] cancels and restocks later.
//!
//! Every status change is a conditional update from the status the rules allow
//! ([`OrderStatus::can_become`]), so checkout and the sweep can never both win.

use crate::error::ShopError;
use crate::model::inventory::MovementReason;
use crate::model::order::{
    card_digits, last4, CheckoutInput, Order, OrderLine, OrderStatus, PaymentChoice,
    UnavailableLine, MAX_IDEMPOTENCY_KEY_LEN,
};
use crate::model::CartItem;
use crate::server::entities::money::Money;
use crate::server::entities::{account, cart_item, order, order_event, order_line, product};
use crate::server::mail;
use crate::server::services::cart::validate_session_id;
use crate::server::services::catalogue_cache::CatalogueCache;
use crate::server::services::payments::{card_brand, PaymentOutcome, PaymentRequest, Payments};
use crate::server::services::{accounts, inventory};
use crate::server::services::{begin_write, statement};
use chrono::{DateTime, DurationRound, Utc};
use rand::RngCore;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    SqlErr,
};
use sha2::{Digest, Sha256};
use std::future::Future;
use std::time::{Duration, Instant};

/// Order numbers start here: the first order is HP-10001.
const NUMBER_BASE: i64 = 10_000;
/// How long a request waits for a concurrent one with the same `Idempotency-Key` to finish
/// before answering `OrderInProgress`.
const IDEMPOTENCY_WAIT: Duration = Duration::from_secs(10);
/// The payment lease: the process paying for an order renews it while the provider answers;
/// once it has run out, the process is presumed dead and a retry with the same key takes
/// the payment over. Short, so a retry after a crash settles the order within one request.
const PAYMENT_LEASE: Duration = Duration::from_secs(5);
const LEASE_RENEWAL: Duration = Duration::from_secs(1);
/// The longest a payment provider may take; then the attempt counts as failed (voided).
const PAYMENT_TIMEOUT: Duration = Duration::from_secs(30);
/// Orders the sweep handles per run (it runs again soon).
const SWEEP_BATCH: u64 = 200;

/// What checkout needs: the database, the payment providers, the catalogue cache (stock
/// changes show at once) and the shop's public URL (links in emails).
#[derive(Clone, Copy)]
pub struct OrderDeps<'a> {
    pub db: &'a DatabaseConnection,
    pub payments: &'a Payments,
    pub catalogue: &'a CatalogueCache,
    pub shop_url: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOrder {
    pub order: Order,
    /// True when an earlier request with the same `Idempotency-Key` made this order.
    pub replayed: bool,
}

/// Places an order for the session's cart: the one entry point for the REST API and the
/// checkout page.
///
/// Errors: `InvalidFields` (400, by field), `Invalid` (400: empty cart, bad session id or
/// key), `Unavailable` (409, every short line), `PaymentDeclined` (402),
/// `IdempotencyKeyReused` (422), `OrderInProgress` (409). After any of them the stock and the
/// cart are as they were.
///
/// With an `idempotency_key`, the same key and the same request give the same order
/// (`replayed`), even when sent concurrently; a declined or cancelled order releases its key.
/// When the process that reserved the order died before recording its payment (its payment
/// lease ran out), a retry takes the payment over and completes the same order.
pub async fn place_order(
    deps: &OrderDeps<'_>,
    session_id: &str,
    input: &CheckoutInput,
    idempotency_key: Option<&str>,
) -> Result<PlacedOrder, ShopError> {
    let result = try_place_order(deps, session_id, input, idempotency_key).await;
    match &result {
        Ok(placed) if !placed.replayed => {
            metrics::counter!("shop_orders_placed_total").increment(1)
        }
        Ok(_) => {}
        Err(err) => {
            metrics::counter!("shop_orders_refused_total", "reason" => err.kind()).increment(1);
        }
    }
    result
}

async fn try_place_order(
    deps: &OrderDeps<'_>,
    session_id: &str,
    input: &CheckoutInput,
    idempotency_key: Option<&str>,
) -> Result<PlacedOrder, ShopError> {
    validate_session_id(session_id)?;
    input.validate().map_err(ShopError::InvalidFields)?;
    if let Some(key) = idempotency_key {
        validate_idempotency_key(key)?;
    }
    let input = input.normalized();
    let fingerprint = fingerprint(session_id, &input);
    let deadline = Instant::now() + IDEMPOTENCY_WAIT;
    loop {
        if let Some(key) = idempotency_key {
            if let Some(existing) = replay(deps, key, &fingerprint, &input, deadline).await? {
                return Ok(PlacedOrder {
                    order: existing,
                    replayed: true,
                });
            }
        }
        match try_reserve(deps.db, session_id, &input, idempotency_key, &fingerprint).await? {
            Reserved::Order(reservation) => {
                deps.catalogue.invalidate();
                let order = pay(deps, *reservation, &input).await?;
                return Ok(PlacedOrder {
                    order,
                    replayed: false,
                });
            }
            // Another request with this key got there first: wait for its order.
            Reserved::KeyTaken if Instant::now() < deadline => {}
            Reserved::KeyTaken => return Err(ShopError::OrderInProgress),
        }
    }
}

/// The order with this token; `NotFound` for unknown or malformed tokens.
pub async fn order_by_token(db: &impl ConnectionTrait, token: &str) -> Result<Order, ShopError> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ShopError::NotFound);
    }
    let row = order::Entity::find()
        .filter(order::Column::Token.eq(token.to_ascii_lowercase()))
        .one(db)
        .await?
        .ok_or(ShopError::NotFound)?;
    load(db, row).await
}

/// One page of a customer's orders, newest first, and how many they have in all.
pub async fn customer_orders(
    db: &impl ConnectionTrait,
    customer_id: i32,
    page: u64,
    page_size: u64,
) -> Result<(u64, Vec<Order>), ShopError> {
    let query = order::Entity::find().filter(order::Column::CustomerId.eq(customer_id));
    let count = query.clone().count(db).await?;
    let offset = page.saturating_sub(1).saturating_mul(page_size);
    if offset >= count && page > 1 {
        return Err(ShopError::NotFound);
    }
    let rows = query
        .order_by_desc(order::Column::CreatedAt)
        .order_by_desc(order::Column::Id)
        .offset(offset)
        .limit(page_size)
        .all(db)
        .await?;
    let mut orders = Vec::with_capacity(rows.len());
    for row in rows {
        orders.push(load(db, row).await?);
    }
    Ok((count, orders))
}

/// Step 1 alone: reserves the stock and creates the `pending_payment` order, without asking
/// for payment. [`place_order`] is the way to order; this is public so tests can play a
/// process that dies before payment.
pub async fn reserve(
    db: &DatabaseConnection,
    session_id: &str,
    input: &CheckoutInput,
    idempotency_key: Option<&str>,
) -> Result<Order, ShopError> {
    validate_session_id(session_id)?;
    input.validate().map_err(ShopError::InvalidFields)?;
    let input = input.normalized();
    let fingerprint = fingerprint(session_id, &input);
    match try_reserve(db, session_id, &input, idempotency_key, &fingerprint).await? {
        Reserved::Order(r) => Ok(r.order),
        Reserved::KeyTaken => Err(ShopError::Internal),
    }
}

/// Cancels and restocks orders left in `pending_payment` for longer than `older_than` (their
/// process died between reservation and payment, and no retry took them over). Returns how
/// many it cancelled. An order whose payment is still in progress (live lease) is left alone.
pub async fn cancel_stale(db: &DatabaseConnection, older_than: Duration) -> Result<u64, ShopError> {
    let older_than = chrono::Duration::from_std(older_than).map_err(|_| ShopError::Internal)?;
    let now = Utc::now();
    let cutoff = now - older_than;
    let stale: Vec<i32> = order::Entity::find()
        .select_only()
        .column(order::Column::Id)
        .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
        .filter(order::Column::CreatedAt.lt(cutoff))
        .filter(lease_expired(now))
        .order_by_asc(order::Column::Id)
        .limit(SWEEP_BATCH)
        .into_tuple()
        .all(db)
        .await?;
    let mut cancelled = 0;
    for id in stale {
        let txn = begin_write(db).await?;
        if cancel_and_restock(&txn, id).await? {
            cancelled += 1;
            tracing::warn!(order = id, "cancelled an order left pending payment");
        }
        txn.commit().await?;
    }
    Ok(cancelled)
}

/// At most 255 characters, printable ASCII (it travels in an HTTP header).
pub fn validate_idempotency_key(key: &str) -> Result<(), ShopError> {
    if key.is_empty() || key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(ShopError::invalid(format!(
            "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} characters"
        )));
    }
    if !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(ShopError::invalid(
            "Idempotency-Key must be printable ASCII",
        ));
    }
    Ok(())
}

/// The request's identity for idempotency: SHA-256 of the session and the normalised input.
/// The card number enters only as brand, length and last four: a plain hash of a card
/// number could be reversed by trying every number, so it would be the number itself.
fn fingerprint(session_id: &str, input: &CheckoutInput) -> String {
    let mut input = input.clone();
    if let PaymentChoice::Card { card_number } = &mut input.payment {
        let digits = card_digits(card_number);
        *card_number = format!(
            "{}/{}/{}",
            card_brand(&digits),
            digits.len(),
            last4(&digits)
        );
    }
    let mut hasher = Sha256::new();
    hasher.update(session_id.as_bytes());
    hasher.update([0]);
    // Serialising plain structs of strings cannot fail; an empty body would still differ
    // from any real one.
    hasher.update(serde_json::to_vec(&input).unwrap_or_default());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An existing order for `key`: `None` when there is none (go ahead), the order when it is
/// settled, 422 when it was made from another request. A pending order is waited for while
/// its payment lease lives (409 `OrderInProgress` past the deadline) and taken over when the
/// lease has run out.
async fn replay(
    deps: &OrderDeps<'_>,
    key: &str,
    fingerprint: &str,
    input: &CheckoutInput,
    deadline: Instant,
) -> Result<Option<Order>, ShopError> {
    loop {
        let Some(row) = order::Entity::find()
            .filter(order::Column::IdempotencyKey.eq(key))
            .one(deps.db)
            .await?
        else {
            return Ok(None);
        };
        if row.request_fingerprint.as_deref() != Some(fingerprint) {
            return Err(ShopError::IdempotencyKeyReused);
        }
        if row.status != OrderStatus::PendingPayment.as_str() {
            return load(deps.db, row).await.map(Some);
        }
        if claim_abandoned(deps.db, row.id).await? {
            tracing::warn!(order = %row.number, "taking over the payment of an abandoned order");
            let session_id = row.session_id.clone();
            let (id, order) = (row.id, load(deps.db, row).await?);
            let reservation = Reservation {
                id,
                session_id,
                order,
            };
            return pay(deps, reservation, input).await.map(Some);
        }
        if Instant::now() >= deadline {
            return Err(ShopError::OrderInProgress);
        }
        // A concurrent request with this key is still paying: wait for its outcome.
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Orders whose payment lease has run out (or that never had one).
fn lease_expired(now: DateTime<Utc>) -> sea_orm::Condition {
    sea_orm::Condition::any()
        .add(order::Column::PaymentLeaseUntil.is_null())
        .add(order::Column::PaymentLeaseUntil.lt(now))
}

/// Takes the payment lease of a pending order whose lease has run out: true for exactly one
/// of any number of racing callers (one conditional statement).
async fn claim_abandoned(db: &DatabaseConnection, id: i32) -> Result<bool, ShopError> {
    let at = now();
    let claimed = order::Entity::update_many()
        .col_expr(
            order::Column::PaymentLeaseUntil,
            Expr::value(lease_from(at)),
        )
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
        .filter(lease_expired(at))
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Keeps the lease of a pending order alive while `work` runs, so retries wait for it
/// instead of taking the payment over.
async fn holding_lease<T>(db: &DatabaseConnection, id: i32, work: impl Future<Output = T>) -> T {
    let renew = async {
        let mut every = tokio::time::interval(LEASE_RENEWAL);
        every.tick().await; // the first tick is immediate; the lease is fresh
        loop {
            every.tick().await;
            let renewed = order::Entity::update_many()
                .col_expr(
                    order::Column::PaymentLeaseUntil,
                    Expr::value(lease_from(now())),
                )
                .filter(order::Column::Id.eq(id))
                .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
                .exec(db)
                .await;
            if let Err(err) = renewed {
                // The next renewal may succeed; the lease has several of them in hand.
                tracing::warn!(order = id, error = %err, "could not renew a payment lease");
            }
        }
    };
    tokio::select! {
        out = work => out,
        never = renew => never,
    }
}

fn lease_from(at: DateTime<Utc>) -> DateTime<Utc> {
    at + chrono::Duration::from_std(PAYMENT_LEASE).unwrap_or(chrono::Duration::seconds(5))
}

pub(crate) async fn load(db: &impl ConnectionTrait, row: order::Model) -> Result<Order, ShopError> {
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(row.id))
        .order_by_asc(order_line::Column::Id)
        .all(db)
        .await?;
    Order::from_rows(row, lines)
}

/// The account whose cart this is: an order placed from a customer's cart is theirs.
async fn customer_of_cart(
    db: &impl ConnectionTrait,
    cart_key: &str,
) -> Result<Option<i32>, ShopError> {
    if !accounts::is_account_cart(cart_key) {
        return Ok(None);
    }
    Ok(account::Entity::find()
        .filter(account::Column::CartKey.eq(cart_key))
        .one(db)
        .await?
        .map(|row| row.id))
}

/// Timestamps at microsecond precision, what both databases keep, so an order read back
/// equals the one returned when it was made.
pub(crate) fn now() -> DateTime<Utc> {
    let now = Utc::now();
    now.duration_trunc(chrono::Duration::microseconds(1))
        .unwrap_or(now)
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether an order (committed) holds this idempotency key.
async fn key_taken(txn: &DatabaseTransaction, key: Option<&str>) -> Result<bool, ShopError> {
    let Some(key) = key else {
        return Ok(false);
    };
    Ok(order::Entity::find()
        .filter(order::Column::IdempotencyKey.eq(key))
        .count(txn)
        .await?
        > 0)
}

struct Reservation {
    id: i32,
    session_id: String,
    order: Order,
}

enum Reserved {
    Order(Box<Reservation>),
    KeyTaken,
}

/// Step 1: one transaction; on any error it rolls back (dropping it does).
async fn try_reserve(
    db: &DatabaseConnection,
    session_id: &str,
    input: &CheckoutInput,
    idempotency_key: Option<&str>,
    fingerprint: &str,
) -> Result<Reserved, ShopError> {
    let txn = begin_write(db).await?;
    if key_taken(&txn, idempotency_key).await? {
        return Ok(Reserved::KeyTaken);
    }
    // By product id: concurrent checkouts lock products in one order, so they cannot
    // deadlock on PostgreSQL.
    let cart = cart_item::Entity::find()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .find_also_related(product::Entity)
        .order_by_asc(cart_item::Column::ProductId)
        .all(&txn)
        .await?;
    let lines: Vec<(cart_item::Model, product::Model)> = cart
        .into_iter()
        .filter_map(|(line, product)| product.map(|p| (line, p)))
        .collect();
    if lines.is_empty() {
        // A concurrent request with the same key may have just bought this cart.
        if key_taken(&txn, idempotency_key).await? {
            return Ok(Reserved::KeyTaken);
        }
        return Err(ShopError::invalid("Your cart is empty"));
    }
    let mut short = Vec::new();
    for (line, product) in &lines {
        let taken = txn
            .execute_raw(statement(
                &txn,
                "UPDATE products SET stock = stock - $1 \
                 WHERE id = $2 AND stock >= $1 AND archived_at IS NULL",
                vec![line.quantity.into(), product.id.into()],
            ))
            .await?;
        if taken.rows_affected() == 0 {
            // Read again: the stock may have changed since the cart was read.
            let available = product::Entity::find_by_id(product.id)
                .one(&txn)
                .await?
                .filter(|p| p.archived_at.is_none())
                .map_or(0, |p| p.stock.max(0));
            short.push(UnavailableLine {
                product_id: product.id,
                name: product.name.clone(),
                available,
                requested: line.quantity,
            });
        }
    }
    if !short.is_empty() {
        // The same: the units may have gone to a concurrent request with this key.
        let taken = key_taken(&txn, idempotency_key).await?;
        txn.rollback().await?;
        if taken {
            return Ok(Reserved::KeyTaken);
        }
        return Err(ShopError::Unavailable(short));
    }

    let order_lines: Vec<OrderLine> = lines
        .iter()
        .map(|(line, product)| OrderLine {
            product_id: product.id,
            name: product.name.clone(),
            unit_price: product.price.0,
            quantity: line.quantity,
            total_price: CartItem::line_total(product.price.0, line.quantity),
        })
        .collect();
    let (subtotal, shipping_price, total) = crate::model::order::order_summary(
        order_lines.iter().map(|l| l.total_price),
        input.shipping_method,
    );
    let (brand, last4) = match &input.payment {
        PaymentChoice::Card { card_number } => (
            Some(card_brand(card_number).to_owned()),
            Some(last4(card_number)),
        ),
        PaymentChoice::CashOnDelivery => (None, None),
    };
    let at = now();
    let token = new_token();
    let a = &input.shipping_address;
    let row = order::ActiveModel {
        // Replaced below by the number made from the id; the token is unique meanwhile.
        number: Set(format!("pending-{token}")),
        token: Set(token),
        status: Set(OrderStatus::PendingPayment.as_str().to_owned()),
        email: Set(input.email.clone()),
        ship_name: Set(a.name.clone()),
        ship_line1: Set(a.line1.clone()),
        ship_line2: Set(a.line2.clone()),
        ship_city: Set(a.city.clone()),
        ship_postal_code: Set(a.postal_code.clone()),
        ship_country: Set(a.country.clone()),
        shipping_method: Set(input.shipping_method.as_str().to_owned()),
        shipping_price: Set(money(shipping_price)),
        subtotal: Set(money(subtotal)),
        total: Set(money(total)),
        payment_method: Set(input.payment.method().as_str().to_owned()),
        card_brand: Set(brand),
        card_last4: Set(last4),
        payment_reference: Set(None),
        session_id: Set(session_id.to_owned()),
        customer_id: Set(customer_of_cart(&txn, session_id).await?),
        idempotency_key: Set(idempotency_key.map(str::to_owned)),
        request_fingerprint: Set(Some(fingerprint.to_owned())),
        payment_lease_until: Set(Some(lease_from(at))),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    let mut row = match row.insert(&txn).await {
        Ok(row) => row,
        Err(err) if idempotency_key.is_some() && is_unique_violation(&err) => {
            txn.rollback().await?;
            return Ok(Reserved::KeyTaken);
        }
        Err(err) => return Err(err.into()),
    };
    // Unique and gap-tolerant on both databases, with no counter to contend on.
    row.number = format!("HP-{}", NUMBER_BASE + i64::from(row.id));
    order::Entity::update_many()
        .col_expr(order::Column::Number, Expr::value(row.number.clone()))
        .filter(order::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    let line_rows = order_lines.iter().map(|l| order_line::ActiveModel {
        order_id: Set(row.id),
        product_id: Set(l.product_id),
        product_name: Set(l.name.clone()),
        unit_price: Set(money(l.unit_price)),
        quantity: Set(l.quantity),
        ..Default::default()
    });
    order_line::Entity::insert_many(line_rows)
        .exec(&txn)
        .await?;
    order_event::Entity::insert(order_event::ActiveModel {
        order_id: Set(row.id),
        from_status: Set(None),
        to_status: Set(OrderStatus::PendingPayment.as_str().to_owned()),
        account_id: Set(None),
        note: Set(None),
        created_at: Set(at),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    for line in &order_lines {
        inventory::record(
            &txn,
            line.product_id,
            -line.quantity,
            MovementReason::Checkout,
            Some(row.id),
            None,
        )
        .await?;
    }
    txn.commit().await?;
    let id = row.id;
    let order = Order::from_rows(row, Vec::new()).map(|mut o| {
        o.lines = order_lines;
        o
    })?;
    Ok(Reserved::Order(Box::new(Reservation {
        id,
        session_id: session_id.to_owned(),
        order,
    })))
}

/// Exactly two decimals, as the columns hold it.
fn money(amount: Decimal) -> Money {
    let mut rounded = amount.round_dp(2);
    rounded.rescale(2);
    Money(rounded)
}

/// Steps 2 and 3.
async fn pay(
    deps: &OrderDeps<'_>,
    reservation: Reservation,
    input: &CheckoutInput,
) -> Result<Order, ShopError> {
    let Reservation {
        id,
        session_id,
        mut order,
    } = reservation;
    let card_number = match &input.payment {
        PaymentChoice::Card { card_number } => Some(card_number.as_str()),
        PaymentChoice::CashOnDelivery => None,
    };
    let provider = deps.payments.provider(input.payment.method());
    let request = PaymentRequest {
        order_number: &order.number,
        amount: order.total,
        currency: "USD",
        card_number,
    };
    let asked = tokio::time::timeout(PAYMENT_TIMEOUT, provider.authorize(request));
    let answer = match holding_lease(deps.db, id, asked).await {
        Ok(answer) => answer,
        Err(_) => {
            tracing::warn!(order = %order.number, "the payment provider did not answer in time");
            provider.void(&order.number, None).await;
            Err(ShopError::PaymentDeclined(
                "The payment could not be confirmed in time, and nothing was charged. Please try again.".into(),
            ))
        }
    };
    match answer {
        Ok(PaymentOutcome::Approved { status, reference }) => {
            let at = now();
            order.status = status;
            order.updated_at = at;
            if confirm(deps, id, &session_id, &order, reference.as_deref(), at).await? {
                return Ok(order);
            }
            // A retry that took the payment over recorded it first: the provider is
            // idempotent per order number, so that is this very payment.
            if let Some(row) = order::Entity::find_by_id(id).one(deps.db).await? {
                if row.status == order.status.as_str() {
                    return load(deps.db, row).await;
                }
            }
            // The sweep cancelled the order while the provider answered (it took longer
            // than the pending timeout): the stock is back on the shelf, so undo the payment.
            provider.void(&order.number, reference.as_deref()).await;
            tracing::warn!(order = %order.number, "payment approved after the order timed out; voided");
            Err(ShopError::PaymentDeclined(
                "Your order timed out before the payment was confirmed, and nothing was charged. Please try again.".into(),
            ))
        }
        Ok(PaymentOutcome::Declined(reason)) => {
            release(deps, id).await?;
            Err(ShopError::PaymentDeclined(reason))
        }
        Err(err) => {
            release(deps, id).await?;
            Err(err)
        }
    }
}

/// Step 3 on approval; false when the order was no longer pending.
async fn confirm(
    deps: &OrderDeps<'_>,
    id: i32,
    session_id: &str,
    order: &Order,
    reference: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, ShopError> {
    let txn = begin_write(deps.db).await?;
    let moved = move_status(
        &txn,
        id,
        OrderStatus::PendingPayment,
        order.status,
        at,
        |q| {
            q.col_expr(
                order::Column::PaymentReference,
                Expr::value(reference.map(str::to_owned)),
            )
        },
    )
    .await?;
    if !moved {
        txn.rollback().await?;
        return Ok(false);
    }
    // Only the lines that were ordered: one added meanwhile in another tab stays.
    let ordered: Vec<i32> = order.lines.iter().map(|l| l.product_id).collect();
    cart_item::Entity::delete_many()
        .filter(cart_item::Column::SessionId.eq(session_id))
        .filter(cart_item::Column::ProductId.is_in(ordered))
        .exec(&txn)
        .await?;
    let email = mail::order_confirmation(order, deps.shop_url);
    email
        .outbox_row(mail::ORDER_CONFIRMATION, &order.email, Some(id), at)
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(true)
}

/// Step 3 on decline or failure: cancel, restock, free the key.
async fn release(deps: &OrderDeps<'_>, id: i32) -> Result<(), ShopError> {
    let txn = begin_write(deps.db).await?;
    cancel_and_restock(&txn, id).await?;
    txn.commit().await?;
    deps.catalogue.invalidate();
    Ok(())
}

/// Moves a pending order to `cancelled`, releases its idempotency key and puts its units
/// back, in the caller's transaction. False when it was not pending (nothing changed).
async fn cancel_and_restock(txn: &DatabaseTransaction, id: i32) -> Result<bool, ShopError> {
    cancel_and_restock_from(txn, id, OrderStatus::PendingPayment, None).await
}

/// Moves an order from `from` to `cancelled` (by staff member `by`, if any), releases its
/// idempotency key and puts its units back, each a `cancellation` movement of the ledger,
/// in the caller's transaction. False when it was not in `from` (nothing changed).
pub(crate) async fn cancel_and_restock_from(
    txn: &DatabaseTransaction,
    id: i32,
    from: OrderStatus,
    by: Option<i32>,
) -> Result<bool, ShopError> {
    let moved = move_status_by(
        txn,
        id,
        from,
        OrderStatus::Cancelled,
        now(),
        by,
        None,
        |q| q.col_expr(order::Column::IdempotencyKey, Expr::value(None::<String>)),
    )
    .await?;
    if !moved {
        return Ok(false);
    }
    let lines = order_line::Entity::find()
        .filter(order_line::Column::OrderId.eq(id))
        .all(txn)
        .await?;
    for line in lines {
        // A product deleted since simply has nothing to restock.
        let restocked = txn
            .execute_raw(statement(
                txn,
                "UPDATE products SET stock = stock + $1 WHERE id = $2",
                vec![line.quantity.into(), line.product_id.into()],
            ))
            .await?;
        if restocked.rows_affected() > 0 {
            inventory::record(
                txn,
                line.product_id,
                line.quantity,
                MovementReason::Cancellation,
                Some(id),
                None,
            )
            .await?;
        }
    }
    Ok(true)
}

/// The one way a status changes: allowed by the model's rules, and conditional on the
/// current status, so of two racing changes only one happens. Each change is a row of the
/// order's history.
async fn move_status(
    txn: &DatabaseTransaction,
    id: i32,
    from: OrderStatus,
    to: OrderStatus,
    at: DateTime<Utc>,
    extra: impl FnOnce(sea_orm::UpdateMany<order::Entity>) -> sea_orm::UpdateMany<order::Entity>,
) -> Result<bool, ShopError> {
    move_status_by(txn, id, from, to, at, None, None, extra).await
}

/// [`move_status`] by staff member `by` (none: the shop itself), with a note for the history.
#[allow(clippy::too_many_arguments)] // One statement's worth of facts about one change.
pub(crate) async fn move_status_by(
    txn: &DatabaseTransaction,
    id: i32,
    from: OrderStatus,
    to: OrderStatus,
    at: DateTime<Utc>,
    by: Option<i32>,
    note: Option<String>,
    extra: impl FnOnce(sea_orm::UpdateMany<order::Entity>) -> sea_orm::UpdateMany<order::Entity>,
) -> Result<bool, ShopError> {
    if !from.can_become(to) {
        tracing::error!(order = id, ?from, ?to, "status change not allowed");
        return Err(ShopError::Internal);
    }
    let update = order::Entity::update_many()
        .col_expr(order::Column::Status, Expr::value(to.as_str()))
        .col_expr(order::Column::UpdatedAt, Expr::value(at))
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.eq(from.as_str()));
    let result = extra(update).exec(txn).await?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    order_event::Entity::insert(order_event::ActiveModel {
        order_id: Set(id),
        from_status: Set(Some(from.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        account_id: Set(by),
        note: Set(note),
        created_at: Set(at),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::order::{ShippingAddress, ShippingMethod};

    fn input(card: &str) -> CheckoutInput {
        CheckoutInput {
            email: "ada@example.com".into(),
            shipping_address: ShippingAddress {
                name: "Ada".into(),
                line1: "1 Road".into(),
                line2: String::new(),
                city: "Town".into(),
                postal_code: "12345".into(),
                country: "US".into(),
            },
            shipping_method: ShippingMethod::Standard,
            payment: PaymentChoice::Card {
                card_number: card.into(),
            },
        }
    }

    #[test]
    fn fingerprints_tell_requests_apart_without_the_card_number() {
        let a = fingerprint("s", &input("4242424242424242"));
        assert_eq!(a.len(), 64);
        assert_eq!(a, fingerprint("s", &input("4242424242424242")));
        assert_ne!(a, fingerprint("t", &input("4242424242424242")));
        assert_ne!(a, fingerprint("s", &input("4000000000000002")));
        let mut express = input("4242424242424242");
        express.shipping_method = ShippingMethod::Express;
        assert_ne!(a, fingerprint("s", &express));
    }

    #[test]
    fn idempotency_keys() {
        assert!(validate_idempotency_key("a").is_ok());
        assert!(validate_idempotency_key(&"k".repeat(255)).is_ok());
        assert!(validate_idempotency_key(&"k".repeat(256)).is_err());
        assert!(validate_idempotency_key("").is_err());
        assert!(validate_idempotency_key("é").is_err());
        assert!(validate_idempotency_key("a\nb").is_err());
    }

    #[test]
    fn tokens_are_128_bits_of_hex() {
        let t = new_token();
        assert_eq!(t.len(), 32);
        assert!(t.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(t, new_token());
    }
}

//! Checkout and orders against real databases (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): races for the last unit, payments, the pending-order sweep,
//! idempotency, validation, and the outbox email over real SMTP and to files.
#![cfg(feature = "ssr")]

mod common;

use chrono::{DurationRound, Utc};
use common::TestDb;
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use shop::error::ShopError;
use shop::model::order::{
    CheckoutInput, OrderStatus, PaymentChoice, PaymentMethod, ShippingAddress, ShippingMethod,
    UnavailableLine,
};
use shop::server::entities::{order, outbox_email, product};
use shop::server::jobs::{outbox, sweep};
use shop::server::mail::Mailer;
use shop::server::services::catalogue_cache::CatalogueCache;
use shop::server::services::orders::{self, OrderDeps, PlacedOrder};
use shop::server::services::payments::{
    BoxFuture, PaymentOutcome, PaymentProvider, PaymentRequest, Payments, TestCardProcessor,
};
use shop::server::services::{cart, catalogue};
use std::sync::Arc;
use std::time::Duration;

const GOOD_CARD: &str = "4242 4242 4242 4242";
const DECLINED_CARD: &str = "4000 0000 0000 0002";
const POOR_CARD: &str = "4000 0000 0000 9995";
const FROM: &str = "Harbor & Pine <orders@harborandpine.example>";

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// What a running server holds, owned, so concurrent tasks can share it.
struct Shop {
    db: DatabaseConnection,
    payments: Payments,
    catalogue: CatalogueCache,
}

impl Shop {
    fn new(t: &TestDb) -> Arc<Self> {
        Self::with_payments(t, Payments::default())
    }

    fn with_payments(t: &TestDb, payments: Payments) -> Arc<Self> {
        Arc::new(Self {
            db: t.db.clone(),
            payments,
            catalogue: CatalogueCache::new(Duration::from_secs(60)),
        })
    }

    fn deps(&self) -> OrderDeps<'_> {
        OrderDeps {
            db: &self.db,
            payments: &self.payments,
            catalogue: &self.catalogue,
            shop_url: "http://shop.test",
        }
    }

    async fn place(
        &self,
        session: &str,
        input: &CheckoutInput,
        key: Option<&str>,
    ) -> Result<PlacedOrder, ShopError> {
        orders::place_order(&self.deps(), session, input, key).await
    }
}

fn input(payment: PaymentChoice) -> CheckoutInput {
    CheckoutInput {
        email: "ada@example.com".into(),
        shipping_address: ShippingAddress {
            name: "Ada Lovelace".into(),
            line1: "12 Harbor Road".into(),
            line2: String::new(),
            city: "Portland".into(),
            postal_code: "97201".into(),
            country: "US".into(),
        },
        shipping_method: ShippingMethod::Standard,
        payment,
    }
}

fn card(number: &str) -> CheckoutInput {
    input(PaymentChoice::Card {
        card_number: number.into(),
    })
}

fn cod() -> CheckoutInput {
    input(PaymentChoice::CashOnDelivery)
}

async fn stock(t: &TestDb, id: i32) -> i32 {
    product::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .stock
}

async fn set_stock(t: &TestDb, id: i32, stock: i32) {
    product::Entity::update_many()
        .col_expr(product::Column::Stock, Expr::value(stock))
        .filter(product::Column::Id.eq(id))
        .exec(&t.db)
        .await
        .unwrap();
}

async fn orders_in(t: &TestDb, status: OrderStatus) -> u64 {
    order::Entity::find()
        .filter(order::Column::Status.eq(status.as_str()))
        .count(&t.db)
        .await
        .unwrap()
}

/// What happens to the lease of a process that died: nothing renews it, so it runs out.
async fn let_lease_run_out(t: &TestDb, token: &str) {
    let past = Utc::now() - chrono::Duration::seconds(1);
    order::Entity::update_many()
        .col_expr(order::Column::PaymentLeaseUntil, Expr::value(past))
        .filter(order::Column::Token.eq(token))
        .exec(&t.db)
        .await
        .unwrap();
}

/// A card gateway that answers after a while (with the local test processor's answers).
struct SlowGateway(Duration);

impl PaymentProvider for SlowGateway {
    fn authorize<'a>(
        &'a self,
        request: PaymentRequest<'a>,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ShopError>> {
        Box::pin(async move {
            tokio::time::sleep(self.0).await;
            TestCardProcessor.authorize(request).await
        })
    }
}

async fn all_orders(t: &TestDb) -> u64 {
    order::Entity::find().count(&t.db).await.unwrap()
}

async fn outbox_rows(t: &TestDb) -> Vec<outbox_email::Model> {
    outbox_email::Entity::find().all(&t.db).await.unwrap()
}

async fn cart_count(t: &TestDb, session: &str) -> i64 {
    cart::get_cart(&t.db, session).await.unwrap().count()
}

/// `buyers` shoppers each have one unit of a product with `units` in stock in their carts,
/// and all check out at once: exactly `units` orders, the rest told it is sold out.
async fn race_for(t: &TestDb, units: i32, buyers: usize) {
    let id = t.product("Duo Espresso Machine", "649.00", units).await;
    for i in 0..buyers {
        cart::add_to_cart(&t.db, &format!("buyer-{i}"), id, 1)
            .await
            .unwrap();
    }
    let shop = Shop::new(t);
    let tasks: Vec<_> = (0..buyers)
        .map(|i| {
            let shop = shop.clone();
            tokio::spawn(async move {
                let payment = if i % 2 == 0 { card(GOOD_CARD) } else { cod() };
                shop.place(&format!("buyer-{i}"), &payment, None).await
            })
        })
        .collect();
    let (mut sold, mut refused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            Ok(placed) => {
                assert!(matches!(
                    placed.order.status,
                    OrderStatus::Paid | OrderStatus::Placed
                ));
                sold += 1;
            }
            Err(ShopError::Unavailable(lines)) => {
                assert_eq!(
                    lines,
                    [UnavailableLine {
                        product_id: id,
                        name: "Duo Espresso Machine".into(),
                        available: 0,
                        requested: 1
                    }]
                );
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?} on {}", t.backend),
        }
    }
    assert_eq!(
        (sold, refused),
        (units, buyers as i32 - units),
        "{}",
        t.backend
    );
    assert_eq!(stock(t, id).await, 0, "never negative, nothing lost");
    assert_eq!(
        orders_in(t, OrderStatus::Paid).await + orders_in(t, OrderStatus::Placed).await,
        units as u64
    );
    assert_eq!(all_orders(t).await, units as u64, "refusals leave no order");
    assert_eq!(outbox_rows(t).await.len(), units as usize);
}

async fn the_last_unit_sells_exactly_once(t: &TestDb) {
    race_for(t, 1, 100).await;
}

async fn three_units_sell_to_exactly_three_buyers(t: &TestDb) {
    race_for(t, 3, 100).await;
}

async fn a_card_order_is_paid_and_keeps_only_brand_and_last4(t: &TestDb) {
    let mug = t.product("Mug", "19.90", 10).await;
    let lamp = t.product("Lamp", "40.00", 5).await;
    cart::add_to_cart(&t.db, "s", mug, 2).await.unwrap();
    cart::add_to_cart(&t.db, "s", lamp, 1).await.unwrap();
    cart::add_to_cart(&t.db, "other", mug, 1).await.unwrap();
    let shop = Shop::new(t);
    let placed = shop.place("s", &card(GOOD_CARD), None).await.unwrap();
    assert!(!placed.replayed);
    let o = &placed.order;
    assert_eq!(o.status, OrderStatus::Paid);
    assert!(o.number.starts_with("HP-1"), "{}", o.number);
    assert_eq!(o.token.len(), 32);
    assert_eq!(o.payment.method, PaymentMethod::Card);
    assert_eq!(o.payment.last4.as_deref(), Some("4242"));
    assert_eq!(o.payment.brand.as_deref(), Some("visa"));
    assert_eq!(o.lines.len(), 2);
    assert_eq!((o.lines[0].name.as_str(), o.lines[0].quantity), ("Mug", 2));
    assert_eq!(o.lines[0].total_price, dec("39.80"));
    // 79.80 is over the free-shipping line.
    assert_eq!(
        (o.subtotal, o.shipping_price, o.total),
        (dec("79.80"), dec("0"), dec("79.80"))
    );
    assert_eq!((stock(t, mug).await, stock(t, lamp).await), (8, 4));
    assert_eq!(cart_count(t, "s").await, 0, "the cart is emptied");
    assert_eq!(cart_count(t, "other").await, 1, "other carts are not");
    // Read back, it is the same order; the number is never stored anywhere.
    assert_eq!(&orders::order_by_token(&t.db, &o.token).await.unwrap(), o);
    let row = order::Entity::find().one(&t.db).await.unwrap().unwrap();
    assert!(!format!("{row:?}").contains("4242424242424242"));
    assert!(!format!("{:?}", outbox_rows(t).await).contains("4242424242424242"));
    // Lines are snapshots: a later price change does not touch them.
    product::Entity::update_many()
        .col_expr(
            product::Column::Price,
            Expr::value(shop::server::entities::money::Money(dec("99.00"))),
        )
        .exec(&t.db)
        .await
        .unwrap();
    let again = orders::order_by_token(&t.db, &o.token).await.unwrap();
    assert_eq!(again.lines[0].unit_price, dec("19.90"));
}

async fn cash_on_delivery_is_placed(t: &TestDb) {
    let id = t.product("Apron", "24.00", 3).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let mut express = cod();
    express.shipping_method = ShippingMethod::Express;
    let o = Shop::new(t).place("s", &express, None).await.unwrap().order;
    assert_eq!(o.status, OrderStatus::Placed);
    assert_eq!(o.payment.method, PaymentMethod::CashOnDelivery);
    assert_eq!(
        (o.payment.last4.clone(), o.payment.brand.clone()),
        (None, None)
    );
    assert_eq!(
        (o.subtotal, o.shipping_price, o.total),
        (dec("24.00"), dec("14.90"), dec("38.90"))
    );
    assert_eq!(stock(t, id).await, 2);
    let mail = outbox_rows(t).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].recipient, "ada@example.com");
    assert!(mail[0].subject.contains(&o.number));
    assert!(mail[0]
        .body
        .contains(&format!("http://shop.test/orders/{}", o.token)));
}

/// A decline: nothing reserved, the cart as it was, no paid order, no email; and the same
/// idempotency key can be used again with another card.
async fn declined_cards_restore_stock_and_cart(t: &TestDb) {
    let id = t.product("Kettle", "35.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 2).await.unwrap();
    let shop = Shop::new(t);
    let before = shop.catalogue.product(&t.db, id).await.unwrap().stock;
    for (number, message) in [
        (DECLINED_CARD, "Your card was declined."),
        (POOR_CARD, "Your card has insufficient funds."),
    ] {
        let err = shop
            .place("s", &card(number), Some("key-1"))
            .await
            .unwrap_err();
        assert_eq!(err, ShopError::PaymentDeclined(message.into()));
        assert_eq!(err.to_string(), message);
        assert_eq!(stock(t, id).await, 5);
        assert_eq!(
            shop.catalogue.product(&t.db, id).await.unwrap().stock,
            before,
            "the cache shows the restored stock"
        );
        assert_eq!(cart_count(t, "s").await, 2);
    }
    assert_eq!(orders_in(t, OrderStatus::Paid).await, 0);
    assert_eq!(orders_in(t, OrderStatus::Cancelled).await, 2);
    assert!(outbox_rows(t).await.is_empty());
    let placed = shop
        .place("s", &card(GOOD_CARD), Some("key-1"))
        .await
        .unwrap();
    assert_eq!(
        (placed.order.status, placed.replayed),
        (OrderStatus::Paid, false)
    );
    assert_eq!(stock(t, id).await, 3);
}

async fn short_lines_are_all_named_and_nothing_is_taken(t: &TestDb) {
    let a = t.product("Duo Espresso Machine", "649.00", 3).await;
    let b = t.product("Linen Apron", "24.00", 2).await;
    let c = t.product("Mug", "9.00", 10).await;
    cart::add_to_cart(&t.db, "s", a, 2).await.unwrap();
    cart::add_to_cart(&t.db, "s", b, 2).await.unwrap();
    cart::add_to_cart(&t.db, "s", c, 1).await.unwrap();
    set_stock(t, a, 1).await;
    set_stock(t, b, 0).await;
    let err = Shop::new(t).place("s", &cod(), None).await.unwrap_err();
    let ShopError::Unavailable(lines) = &err else {
        panic!("{err:?}")
    };
    let short: Vec<(i32, i32)> = lines.iter().map(|l| (l.product_id, l.available)).collect();
    assert_eq!(short, [(a, 1), (b, 0)]);
    assert_eq!(
        err.to_string(),
        "Some items in your cart are no longer available. Duo Espresso Machine: only 1 left. Linen Apron: sold out."
    );
    assert_eq!(
        (stock(t, a).await, stock(t, b).await, stock(t, c).await),
        (1, 0, 10),
        "the line that could be had was rolled back too"
    );
    assert_eq!(cart_count(t, "s").await, 5);
    assert_eq!(all_orders(t).await, 0);
}

async fn an_empty_cart_cannot_check_out(t: &TestDb) {
    let err = Shop::new(t)
        .place("nobody", &cod(), None)
        .await
        .unwrap_err();
    assert_eq!(err, ShopError::invalid("Your cart is empty"));
    assert_eq!(all_orders(t).await, 0);
}

/// A process that dies after reserving and before recording the payment: the sweep cancels
/// the order once it is older than the timeout, and the units come back.
async fn a_crash_before_payment_is_swept_and_restocked(t: &TestDb) {
    let id = t.product("Lantern", "30.00", 4).await;
    cart::add_to_cart(&t.db, "s", id, 3).await.unwrap();
    let shop = Shop::new(t);
    let pending = orders::reserve(&t.db, "s", &card(GOOD_CARD), None)
        .await
        .unwrap();
    assert_eq!(pending.status, OrderStatus::PendingPayment);
    assert_eq!(stock(t, id).await, 1);
    assert_eq!(
        shop.catalogue.product(&t.db, id).await.unwrap().stock,
        1,
        "read while reserved"
    );
    let hour = Duration::from_secs(3600);
    assert_eq!(
        sweep::run_once(&t.db, &shop.catalogue, hour).await.unwrap(),
        0
    );
    assert_eq!(stock(t, id).await, 1, "young orders are left alone");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let short = Duration::from_millis(10);
    assert_eq!(
        sweep::run_once(&t.db, &shop.catalogue, short)
            .await
            .unwrap(),
        0,
        "an order whose payment lease lives may still be paid"
    );
    let_lease_run_out(t, &pending.token).await;
    assert_eq!(
        sweep::run_once(&t.db, &shop.catalogue, short)
            .await
            .unwrap(),
        1
    );
    assert_eq!(stock(t, id).await, 4);
    assert_eq!(shop.catalogue.product(&t.db, id).await.unwrap().stock, 4);
    let swept = orders::order_by_token(&t.db, &pending.token).await.unwrap();
    assert_eq!(swept.status, OrderStatus::Cancelled);
    assert_eq!(cart_count(t, "s").await, 3, "the cart is still there");
    assert_eq!(
        sweep::run_once(&t.db, &shop.catalogue, short)
            .await
            .unwrap(),
        0,
        "once"
    );
    assert_eq!(stock(t, id).await, 4);
    // The shopper can simply check out again.
    let again = shop.place("s", &cod(), None).await.unwrap();
    assert_eq!(again.order.status, OrderStatus::Placed);
    assert_eq!(stock(t, id).await, 1);
}

/// A process that dies after reserving and before recording the payment, while its client
/// retries with the same key (several times at once): once the dead process's payment lease
/// runs out, one retry takes the payment over; every retry gets that same order, paid.
async fn a_retry_completes_the_order_of_a_process_that_died(t: &TestDb) {
    let id = t.product("Kettle", "40.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 2).await.unwrap();
    let shop = Shop::new(t);
    let input = card(GOOD_CARD);
    let abandoned = orders::reserve(&t.db, "s", &input, Some("crash-key"))
        .await
        .unwrap();
    let retries: Vec<_> = (0..6)
        .map(|_| {
            let (shop, input) = (shop.clone(), input.clone());
            tokio::spawn(async move { shop.place("s", &input, Some("crash-key")).await })
        })
        .collect();
    for retry in retries {
        let placed = retry.await.unwrap().unwrap();
        assert!(placed.replayed);
        assert_eq!(placed.order.number, abandoned.number, "{}", t.backend);
        assert_eq!(placed.order.status, OrderStatus::Paid);
        assert_eq!(placed.order.lines, abandoned.lines);
    }
    let stored = orders::order_by_token(&t.db, &abandoned.token)
        .await
        .unwrap();
    assert_eq!(stored.status, OrderStatus::Paid);
    assert_eq!(all_orders(t).await, 1);
    assert_eq!(stock(t, id).await, 3, "reserved once, never restocked");
    assert_eq!(cart_count(t, "s").await, 0);
    assert_eq!(outbox_rows(t).await.len(), 1, "one confirmation");
}

/// A retry while the first request's gateway is slow but alive: the lease is renewed, so the
/// retry never takes over; past its wait it is told the order is in progress, and later
/// gets the order the first request made.
async fn a_retry_waits_for_a_payment_in_progress(t: &TestDb) {
    let id = t.product("Kettle", "40.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let payments = Payments {
        card: Arc::new(SlowGateway(Duration::from_secs(12))),
        ..Payments::default()
    };
    let shop = Shop::with_payments(t, payments);
    let input = card(GOOD_CARD);
    let first = {
        let (shop, input) = (shop.clone(), input.clone());
        tokio::spawn(async move { shop.place("s", &input, Some("slow-key")).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let retry = shop.place("s", &input, Some("slow-key")).await;
    assert_eq!(
        retry.unwrap_err(),
        ShopError::OrderInProgress,
        "{}",
        t.backend
    );
    let placed = first.await.unwrap().unwrap();
    assert!(!placed.replayed);
    assert_eq!(placed.order.status, OrderStatus::Paid);
    let again = shop.place("s", &input, Some("slow-key")).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.order, placed.order);
    assert_eq!(all_orders(t).await, 1);
    assert_eq!(stock(t, id).await, 4);
    assert_eq!(outbox_rows(t).await.len(), 1);
}

async fn concurrent_requests_with_one_key_make_one_order(t: &TestDb) {
    let id = t.product("Stool", "55.00", 20).await;
    cart::add_to_cart(&t.db, "s", id, 2).await.unwrap();
    let shop = Shop::new(t);
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let shop = shop.clone();
            tokio::spawn(async move {
                shop.place("s", &card(GOOD_CARD), Some("double-click"))
                    .await
            })
        })
        .collect();
    let mut placed = Vec::new();
    for task in tasks {
        placed.push(task.await.unwrap().unwrap());
    }
    assert_eq!(
        placed.iter().filter(|p| !p.replayed).count(),
        1,
        "{}",
        t.backend
    );
    assert!(placed.iter().all(|p| p.order == placed[0].order));
    assert_eq!(placed[0].order.status, OrderStatus::Paid);
    assert_eq!(all_orders(t).await, 1);
    assert_eq!(stock(t, id).await, 18);
    assert_eq!(outbox_rows(t).await.len(), 1);
    // Later, with the cart empty, the same request still answers with the order.
    let later = shop
        .place("s", &card(GOOD_CARD), Some("double-click"))
        .await
        .unwrap();
    assert!(later.replayed);
    assert_eq!(later.order, placed[0].order);
}

async fn a_key_reused_with_another_body_is_refused(t: &TestDb) {
    let id = t.product("Stool", "55.00", 20).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let shop = Shop::new(t);
    shop.place("s", &cod(), Some("k")).await.unwrap();
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let mut other = cod();
    other.email = "someone@example.com".into();
    assert_eq!(
        shop.place("s", &other, Some("k")).await,
        Err(ShopError::IdempotencyKeyReused)
    );
    assert_eq!(
        shop.place("another-session", &cod(), Some("k")).await,
        Err(ShopError::IdempotencyKeyReused)
    );
    assert_eq!(all_orders(t).await, 1);
    assert_eq!(cart_count(t, "s").await, 1);
    assert_eq!(stock(t, id).await, 19);
}

async fn hostile_input_changes_nothing(t: &TestDb) {
    let id = t.product("Mug", "9.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let shop = Shop::new(t);
    let huge = "x".repeat(100_000);
    let cases: Vec<(CheckoutInput, &str)> = vec![
        (
            CheckoutInput {
                email: huge.clone(),
                ..cod()
            },
            "email",
        ),
        (
            CheckoutInput {
                email: "robert'); DROP TABLE orders;--".into(),
                ..cod()
            },
            "email",
        ),
        (
            CheckoutInput {
                email: "ada@example.com\r\nBcc: all@example.com".into(),
                ..cod()
            },
            "email",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.name = "\u{202e}".repeat(201);
                i
            },
            "shipping_address.name",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.line1 = String::new();
                i
            },
            "shipping_address.line1",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.line2 = huge.clone();
                i
            },
            "shipping_address.line2",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.city = "Zürich\0".into();
                i
            },
            "shipping_address.city",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.postal_code = "1".repeat(21);
                i
            },
            "shipping_address.postal_code",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.country = "ZZ".into();
                i
            },
            "shipping_address.country",
        ),
        (
            {
                let mut i = cod();
                i.shipping_address.country = "us ".repeat(3);
                i
            },
            "shipping_address.country",
        ),
        (card("4242 4242 4242 4241"), "payment.card_number"),
        (card("4242"), "payment.card_number"),
        (card("4242 4242 4242 4242 4242"), "payment.card_number"),
        (card("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢"), "payment.card_number"),
    ];
    for (bad, field) in cases {
        match shop.place("s", &bad, None).await {
            Err(ShopError::InvalidFields(fields)) => {
                assert!(fields.contains_key(field), "{field}: {fields:?}");
                assert_eq!(fields.len(), 1, "{fields:?}");
            }
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(
        shop.place("", &cod(), None).await,
        Err(ShopError::invalid("session_id must not be empty"))
    );
    assert!(matches!(
        shop.place("s", &cod(), Some(&"k".repeat(256))).await,
        Err(ShopError::Invalid(_))
    ));
    // Unicode within the limits is welcome.
    let mut unicode = cod();
    unicode.shipping_address.name = "Zoë Ångström-東京".into();
    unicode.shipping_address.city = "Zürich".into();
    assert_eq!(all_orders(t).await, 0);
    assert_eq!((stock(t, id).await, cart_count(t, "s").await), (5, 1));
    let o = shop.place("s", &unicode, None).await.unwrap().order;
    assert_eq!(o.shipping_address.name, "Zoë Ångström-東京");
}

async fn unknown_and_malformed_tokens_are_not_found(t: &TestDb) {
    for token in [
        "",
        "nope",
        &"0".repeat(32),
        &"g".repeat(32),
        "../../etc/passwd",
    ] {
        assert_eq!(
            orders::order_by_token(&t.db, token).await,
            Err(ShopError::NotFound),
            "{token}"
        );
    }
}

/// A loopback SMTP sink: Debian's aiosmtpd storing every message in a maildir.
struct SmtpSink {
    child: std::process::Child,
    maildir: std::path::PathBuf,
}

impl SmtpSink {
    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    }

    async fn start(port: u16, maildir: &std::path::Path) -> Self {
        let child = std::process::Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .spawn()
            .expect("python3-aiosmtpd (apt-get install python3-aiosmtpd; .ci/setup --test does)");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self {
                    child,
                    maildir: maildir.to_owned(),
                };
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        panic!("the SMTP sink did not start on port {port}");
    }

    fn messages(&self) -> Vec<String> {
        let mut all = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.join(sub)) {
                for e in entries {
                    all.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
                }
            }
        }
        all
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "shop-mail-{name}-{}-{}",
        std::process::id(),
        Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The confirmation goes out once over real SMTP: a failed attempt (no server yet) is
/// retried after its backoff, and a second worker run, with a new mailer as after a
/// restart, sends nothing again.
async fn the_confirmation_email_is_sent_once_over_smtp(t: &TestDb) {
    let id = t.product("Teapot", "28.00", 2).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let order = Shop::new(t).place("s", &cod(), None).await.unwrap().order;
    let port = SmtpSink::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    // Microseconds: what both databases keep, so the stored retry time compares equal.
    let now = Utc::now()
        .duration_trunc(chrono::Duration::microseconds(1))
        .unwrap();

    let down = Mailer::smtp(&url, FROM).unwrap();
    let report = outbox::deliver_due(&t.db, &down, now).await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    let row = &outbox_rows(t).await[0];
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_none() && row.last_error.is_some());
    assert_eq!(row.next_attempt_at, now + outbox::backoff(1));
    let early = outbox::deliver_due(&t.db, &down, now).await.unwrap();
    assert_eq!((early.sent, early.failed), (0, 0), "not before its backoff");

    let maildir = temp_dir("smtp");
    let sink = SmtpSink::start(port, &maildir.join("box")).await;
    let later = now + outbox::backoff(1);
    let first = Mailer::smtp(&url, FROM).unwrap();
    assert_eq!(
        outbox::deliver_due(&t.db, &first, later)
            .await
            .unwrap()
            .sent,
        1
    );
    let restarted = Mailer::smtp(&url, FROM).unwrap();
    let again = outbox::deliver_due(&t.db, &restarted, later + chrono::Duration::hours(2))
        .await
        .unwrap();
    assert_eq!((again.sent, again.failed), (0, 0));

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{}", t.backend);
    let message = &messages[0];
    assert!(message.contains("To: ada@example.com"), "{message}");
    assert!(message.contains(&format!(
        "Subject: Your Harbor & Pine order {}",
        order.number
    )));
    assert!(message.contains(&format!("/orders/{}", order.token)));
    assert!(message.contains("Message-ID: <outbox-"));
    let row = &outbox_rows(t).await[0];
    assert_eq!(row.attempts, 2);
    assert!(row.sent_at.is_some() && row.last_error.is_none() && row.claimed_until.is_none());
    drop(sink);
    let _ = std::fs::remove_dir_all(maildir);
}

/// Without SMTP the email is an .eml file, written once however often the worker runs.
async fn the_confirmation_email_is_written_once_as_a_file(t: &TestDb) {
    let id = t.product("Teapot", "28.00", 2).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let order = Shop::new(t)
        .place("s", &card(GOOD_CARD), None)
        .await
        .unwrap()
        .order;
    let dir = temp_dir("files");
    let now = Utc::now();
    let mailer = Mailer::files(dir.join("mail"), FROM).unwrap();
    assert_eq!(
        outbox::deliver_due(&t.db, &mailer, now).await.unwrap().sent,
        1
    );
    let restarted = Mailer::files(dir.join("mail"), FROM).unwrap();
    assert_eq!(
        outbox::deliver_due(&t.db, &restarted, now)
            .await
            .unwrap()
            .sent,
        0
    );
    let files: Vec<_> = std::fs::read_dir(dir.join("mail"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "eml");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        text.contains(&order.number) && text.contains("visa ending in 4242"),
        "{text}"
    );
    assert!(!text.contains("4242424242424242"));
    let _ = std::fs::remove_dir_all(dir);
}

/// Two workers (two instances) racing over the same rows send each email once.
async fn two_workers_send_each_email_once(t: &TestDb) {
    let id = t.product("Cup", "5.00", 50).await;
    let shop = Shop::new(t);
    for i in 0..6 {
        let session = format!("s{i}");
        cart::add_to_cart(&t.db, &session, id, 1).await.unwrap();
        shop.place(&session, &cod(), None).await.unwrap();
    }
    let dir = temp_dir("race");
    let a = Mailer::files(dir.clone(), FROM).unwrap();
    let b = Mailer::files(dir.clone(), FROM).unwrap();
    let now = Utc::now();
    let (ra, rb) = tokio::join!(
        outbox::deliver_due(&t.db, &a, now),
        outbox::deliver_due(&t.db, &b, now)
    );
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 6);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 6);
    let _ = std::fs::remove_dir_all(dir);
}

async fn stock_changes_show_in_the_catalogue_at_once(t: &TestDb) {
    let id = t.product("Vase", "12.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 2).await.unwrap();
    let shop = Shop::new(t);
    assert_eq!(shop.catalogue.product(&t.db, id).await.unwrap().stock, 5);
    shop.place("s", &cod(), None).await.unwrap();
    assert_eq!(shop.catalogue.product(&t.db, id).await.unwrap().stock, 3);
    assert_eq!(catalogue::get_product(&t.db, id).await.unwrap().stock, 3);
}

on_both_backends!(
    the_last_unit_sells_exactly_once,
    three_units_sell_to_exactly_three_buyers,
    a_card_order_is_paid_and_keeps_only_brand_and_last4,
    cash_on_delivery_is_placed,
    declined_cards_restore_stock_and_cart,
    short_lines_are_all_named_and_nothing_is_taken,
    an_empty_cart_cannot_check_out,
    a_crash_before_payment_is_swept_and_restocked,
    a_retry_completes_the_order_of_a_process_that_died,
    a_retry_waits_for_a_payment_in_progress,
    concurrent_requests_with_one_key_make_one_order,
    a_key_reused_with_another_body_is_refused,
    hostile_input_changes_nothing,
    unknown_and_malformed_tokens_are_not_found,
    the_confirmation_email_is_sent_once_over_smtp,
    the_confirmation_email_is_written_once_as_a_file,
    two_workers_send_each_email_once,
    stock_changes_show_in_the_catalogue_at_once,
);

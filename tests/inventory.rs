//! The stock ledger and the staff stock API against real databases (SQLite always,
//! PostgreSQL with `TEST_DATABASE_URL`): every change is a movement, the movements sum to
//! the stock under concurrent adjustments, checkouts and declined cards, stock never goes
//! negative, and the API checks the token's role.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::http::{app, send};
use common::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use shop::error::ShopError;
use shop::model::inventory::MovementReason;
use shop::model::order::{CheckoutInput, PaymentChoice, ShippingAddress, ShippingMethod};
use shop::server::entities::{audit_entry, product, stock_movement};
use shop::server::services::accounts::{self, AdminGrant, Registration};
use shop::server::services::catalogue_cache::CatalogueCache;
use shop::server::services::orders::{self, OrderDeps};
use shop::server::services::payments::Payments;
use shop::server::services::{api_tokens, cart, inventory};
use std::time::Duration;

const GOOD: &str = "correct horse battery";

async fn stock(t: &TestDb, id: i32) -> i32 {
    product::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .stock
}

async fn ledger_sum(t: &TestDb, id: i32) -> i64 {
    stock_movement::Entity::find()
        .filter(stock_movement::Column::ProductId.eq(id))
        .all(&t.db)
        .await
        .unwrap()
        .iter()
        .map(|m| i64::from(m.delta))
        .sum()
}

async fn admin(t: &TestDb, email: &str) -> i32 {
    let grant = accounts::make_admin(&t.db, email, || Ok(GOOD.to_owned()))
        .await
        .unwrap();
    assert_eq!(grant, AdminGrant::Created);
    accounts::find_by_email(&t.db, email)
        .await
        .unwrap()
        .unwrap()
        .id
}

fn order(payment: PaymentChoice) -> CheckoutInput {
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

async fn adjustments_are_relative_recorded_and_never_negative(t: &TestDb) {
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let staff = admin(t, "staff@example.com").await;
    assert_eq!(
        inventory::adjust(&t.db, lamp, 7, "received", staff)
            .await
            .unwrap(),
        12
    );
    assert_eq!(
        inventory::adjust(&t.db, lamp, -2, "damaged", staff)
            .await
            .unwrap(),
        10
    );
    assert_eq!(
        inventory::adjust(&t.db, lamp, -11, "correction", staff).await,
        Err(ShopError::StockWouldGoNegative { stock: 10 })
    );
    for (delta, reason) in [
        (0, "received"),
        (5, "checkout"),
        (5, "initial"),
        (5, ""),
        (1_000_001, "received"),
        (i64::MIN, "received"),
    ] {
        assert!(
            matches!(
                inventory::adjust(&t.db, lamp, delta, reason, staff).await,
                Err(ShopError::Invalid(_))
            ),
            "{delta} {reason}"
        );
    }
    assert_eq!(
        inventory::adjust(&t.db, 999_999, 1, "received", staff).await,
        Err(ShopError::NotFound)
    );
    let history = inventory::history(&t.db, lamp).await.unwrap();
    let reasons: Vec<(i32, MovementReason)> = history.iter().map(|m| (m.delta, m.reason)).collect();
    assert_eq!(
        reasons,
        [
            (5, MovementReason::Initial),
            (7, MovementReason::Received),
            (-2, MovementReason::Damaged)
        ]
    );
    assert_eq!(ledger_sum(t, lamp).await, 10);
    assert_eq!(stock(t, lamp).await, 10);
    let audit = audit_entry::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(
        audit.len(),
        2,
        "each change is audited; refusals are not changes"
    );
    assert_eq!(audit[0].account_id, staff);
    assert_eq!(audit[0].action, "stock.adjust");
    assert_eq!(audit[0].entity_id, Some(lamp));
    assert!(audit[0].before.as_deref().unwrap().contains("\"stock\":5"));
    assert!(audit[0].after.as_deref().unwrap().contains("\"stock\":12"));
}

async fn the_ledger_sums_to_the_stock_under_concurrent_adjustments_and_checkouts(t: &TestDb) {
    let lamp = t.product("Lamp", "40.00", 30).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let staff = admin(t, "staff@example.com").await;
    let payments = std::sync::Arc::new(Payments::default());
    let catalogue = std::sync::Arc::new(CatalogueCache::new(Duration::from_secs(60)));
    let mut tasks = Vec::new();
    for i in 0..12 {
        let db = t.db.clone();
        let (payments, catalogue) = (payments.clone(), catalogue.clone());
        tasks.push(tokio::spawn(async move {
            match i % 3 {
                // Checkouts of 3, some declined (their stock comes back as a cancellation).
                0 | 1 => {
                    let session = format!("buyer-{i}");
                    if cart::add_to_cart(&db, &session, lamp, 3).await.is_err() {
                        return;
                    }
                    let deps = OrderDeps {
                        db: &db,
                        payments: &payments,
                        catalogue: &catalogue,
                        shop_url: "http://shop.test",
                    };
                    let payment = if i % 3 == 0 {
                        PaymentChoice::CashOnDelivery
                    } else {
                        PaymentChoice::Card {
                            card_number: "4000 0000 0000 0002".into(),
                        }
                    };
                    let _ = orders::place_order(&deps, &session, &order(payment), None).await;
                }
                // Staff take some out and put some in.
                _ => {
                    let _ = inventory::adjust(&db, lamp, -4, "damaged", staff).await;
                    let _ = inventory::adjust(&db, lamp, 2, "received", staff).await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let stock_now = stock(t, lamp).await;
    assert!(stock_now >= 0);
    assert_eq!(
        ledger_sum(t, lamp).await,
        i64::from(stock_now),
        "the ledger sums to the stock"
    );
    let reasons: std::collections::BTreeSet<String> = stock_movement::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.reason)
        .collect();
    for reason in ["initial", "checkout", "cancellation", "damaged", "received"] {
        assert!(reasons.contains(reason), "{reason} in {reasons:?}");
    }
}

async fn the_stock_api_needs_an_admin_token(t: &TestDb) {
    let app = app(t);
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let staff = admin(t, "staff@example.com").await;
    let Registration::Created(customer) = accounts::register(&t.db, "cus@example.com", GOOD)
        .await
        .unwrap()
    else {
        panic!("new account");
    };
    let staff_token = api_tokens::create(&t.db, staff, "ops")
        .await
        .unwrap()
        .secret;
    let customer_token = api_tokens::create(&t.db, customer.id, "mine")
        .await
        .unwrap()
        .secret;
    let post = |auth: Option<String>, path: String, body: serde_json::Value| {
        let app = app.clone();
        async move {
            let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
            if let Some(token) = auth {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            send(&app, request.body(Body::from(body.to_string())).unwrap()).await
        }
    };
    let path = format!("/api/products/{lamp}/stock/");
    let body = json!({"delta": 3, "reason": "received"});
    let r = post(None, path.clone(), body.clone()).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.headers[header::WWW_AUTHENTICATE], "Bearer");
    let r = post(Some(customer_token), path.clone(), body.clone()).await;
    assert_eq!(r.status, 403);
    assert!(r.error().contains("admin"));
    assert_eq!(stock(t, lamp).await, 5, "refusals change nothing");

    let r = post(Some(staff_token.clone()), path.clone(), body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["stock"], 8);
    assert_eq!(r.json()["id"], lamp);
    for (bad, status) in [
        (json!({"delta": 0, "reason": "received"}), 400),
        (json!({"delta": 3, "reason": "stolen"}), 400),
        (json!({"delta": "3", "reason": "received"}), 400),
        (json!({"delta": 1e30, "reason": "received"}), 400),
        (json!({"reason": "received"}), 400),
        (json!({"delta": -9, "reason": "damaged"}), 409),
    ] {
        let r = post(Some(staff_token.clone()), path.clone(), bad.clone()).await;
        assert_eq!(r.status, status, "{bad}: {}", r.text());
        assert!(!r.error().is_empty());
    }
    for missing in [
        "/api/products/999999/stock/",
        "/api/products/nope/stock/",
        "/api/products/99999999999999/stock/",
    ] {
        let r = post(Some(staff_token.clone()), missing.to_owned(), body.clone()).await;
        assert_eq!(r.status, 404, "{missing}");
    }
    assert_eq!(stock(t, lamp).await, 8);
    assert_eq!(ledger_sum(t, lamp).await, 8);
}

async fn admin_create_promotes_or_creates(t: &TestDb) {
    // Someone signed up with the operator's email first, and made a token.
    let Registration::Created(squatter) =
        accounts::register(&t.db, "ops@example.com", "squatters passphrase")
            .await
            .unwrap()
    else {
        panic!("new account");
    };
    let token = api_tokens::create(&t.db, squatter.id, "mine")
        .await
        .unwrap()
        .secret;
    let grant = accounts::make_admin(&t.db, "OPS@example.com", || Ok(GOOD.to_owned()))
        .await
        .unwrap();
    assert_eq!(grant, AdminGrant::Promoted);
    assert!(
        accounts::authenticate(&t.db, "ops@example.com", "squatters passphrase")
            .await
            .unwrap()
            .is_none(),
        "promotion sets the operator's password"
    );
    assert!(accounts::authenticate(&t.db, "ops@example.com", GOOD)
        .await
        .unwrap()
        .is_some());
    assert!(
        api_tokens::authenticate(&t.db, &token)
            .await
            .unwrap()
            .is_none(),
        "tokens revoked"
    );
    assert_eq!(
        accounts::make_admin(&t.db, "ops@example.com", || Ok(GOOD.to_owned()))
            .await
            .unwrap(),
        AdminGrant::AlreadyAdmin
    );
    assert!(
        accounts::make_admin(&t.db, "new@example.com", || Ok("short".to_owned()))
            .await
            .is_err()
    );
    assert!(accounts::find_by_email(&t.db, "new@example.com")
        .await
        .unwrap()
        .is_none());
    let row = accounts::find_by_email(&t.db, "ops@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.role, "admin");
}

async fn stock_cannot_overflow(t: &TestDb) {
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let staff = admin(t, "staff@example.com").await;
    sea_orm::ConnectionTrait::execute_unprepared(
        &t.db,
        &format!("UPDATE products SET stock = 2147483000 WHERE id = {lamp}"),
    )
    .await
    .unwrap();
    let refused = inventory::adjust(&t.db, lamp, 1000, "received", staff).await;
    assert!(matches!(refused, Err(ShopError::Invalid(_))), "{refused:?}");
    assert_eq!(stock(t, lamp).await, 2147483000);
    assert_eq!(
        inventory::adjust(&t.db, lamp, 647, "received", staff)
            .await
            .unwrap(),
        i32::MAX
    );
}

async fn archived_products_leave_every_cart_and_the_stock_api(t: &TestDb) {
    let app = app(t);
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let staff = admin(t, "staff@example.com").await;
    cart::add_to_cart(&t.db, "someone", lamp, 2).await.unwrap();
    shop::server::services::product_admin::archive(&t.db, lamp, staff)
        .await
        .unwrap();
    assert!(cart::get_cart(&t.db, "someone")
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        cart::set_quantity(&t.db, "someone", lamp, 1).await,
        Err(ShopError::NotFound)
    );
    let token = api_tokens::create(&t.db, staff, "ops")
        .await
        .unwrap()
        .secret;
    let request = Request::post(format!("/api/products/{lamp}/stock/"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(
            json!({"delta": 3, "reason": "received"}).to_string(),
        ))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 404);
    assert_eq!(stock(t, lamp).await, 5, "nothing changed");
}

on_both_backends!(
    stock_cannot_overflow,
    archived_products_leave_every_cart_and_the_stock_api,
    adjustments_are_relative_recorded_and_never_negative,
    the_ledger_sums_to_the_stock_under_concurrent_adjustments_and_checkouts,
    the_stock_api_needs_an_admin_token,
    admin_create_promotes_or_creates,
);

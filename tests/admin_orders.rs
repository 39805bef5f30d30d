//! Orders as staff run them (SQLite always, PostgreSQL with `TEST_DATABASE_URL`): every
//! status action, legal and illegal; shipping emails the customer; cancelling restocks
//! (ledger rows) and refunds a card order; two staff acting at once; the CSV export; and the
//! order pages through the router.
#![cfg(feature = "ssr")]

mod common;

use common::browser::{location, Browser};
use common::http::{app, testid_text};
use common::TestDb;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shop::error::ShopError;
use shop::model::admin::OrderAction;
use shop::model::order::{
    CheckoutInput, OrderStatus, PaymentChoice, ShippingAddress, ShippingMethod,
};
use shop::server::entities::{outbox_email, product, stock_movement};
use shop::server::services::catalogue_cache::CatalogueCache;
use shop::server::services::orders::{self, OrderDeps};
use shop::server::services::payments::Payments;
use shop::server::services::{accounts, cart, inventory, order_admin};
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

struct Shop {
    db: sea_orm::DatabaseConnection,
    payments: Payments,
    catalogue: CatalogueCache,
}

impl Shop {
    fn new(t: &TestDb) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Self {
            db: t.db.clone(),
            payments: Payments::default(),
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

    async fn order(&self, product: i32, quantity: i64, payment: PaymentChoice) -> String {
        let session = format!("s-{}", rand_suffix());
        cart::add_to_cart(&self.db, &session, product, quantity)
            .await
            .unwrap();
        let input = CheckoutInput {
            email: "ada@example.com".into(),
            shipping_address: ShippingAddress {
                name: "Ada, Countess".into(),
                line1: "12 Harbor Road".into(),
                line2: String::new(),
                city: "Portland".into(),
                postal_code: "97201".into(),
                country: "US".into(),
            },
            shipping_method: ShippingMethod::Standard,
            payment,
        };
        orders::place_order(&self.deps(), &session, &input, None)
            .await
            .unwrap()
            .order
            .number
    }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

fn card() -> PaymentChoice {
    PaymentChoice::Card {
        card_number: "4242 4242 4242 4242".into(),
    }
}

async fn stock(t: &TestDb, id: i32) -> i32 {
    product::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .stock
}

async fn staff(t: &TestDb) -> i32 {
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    accounts::find_by_email(&t.db, "boss@example.com")
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn every_action_follows_the_order_rules(t: &TestDb) {
    let shop = Shop::new(t);
    let lamp = t.product("Lamp", "40.00", 20).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let by = staff(t).await;
    let deps = shop.deps();

    // Cash on delivery: placed → paid → shipped → delivered; then nothing more.
    let cod = shop.order(lamp, 1, PaymentChoice::CashOnDelivery).await;
    let illegal = order_admin::act(&deps, &cod, OrderAction::MarkDelivered, "", by).await;
    assert!(
        matches!(illegal, Err(ShopError::NotAllowedNow(_))),
        "{illegal:?}"
    );
    let paid = order_admin::act(&deps, &cod, OrderAction::MarkPaid, "", by)
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Paid);
    assert!(matches!(
        order_admin::act(&deps, &cod, OrderAction::MarkPaid, "", by).await,
        Err(ShopError::NotAllowedNow(_))
    ));
    assert!(matches!(
        order_admin::act(&deps, &cod, OrderAction::Ship, "  ", by).await,
        Err(ShopError::Invalid(_))
    ));
    let shipped = order_admin::act(&deps, &cod, OrderAction::Ship, "1Z999AA10123456784", by)
        .await
        .unwrap();
    assert_eq!(
        (shipped.status, shipped.tracking_number.as_deref()),
        (OrderStatus::Shipped, Some("1Z999AA10123456784"))
    );
    assert!(
        matches!(
            order_admin::act(&deps, &cod, OrderAction::Cancel, "", by).await,
            Err(ShopError::NotAllowedNow(_))
        ),
        "it has left the warehouse"
    );
    let delivered = order_admin::act(&deps, &cod, OrderAction::MarkDelivered, "", by)
        .await
        .unwrap();
    assert_eq!(delivered.status, OrderStatus::Delivered);
    for action in OrderAction::ALL {
        assert!(
            matches!(
                order_admin::act(&deps, &cod, action, "T1", by).await,
                Err(ShopError::NotAllowedNow(_))
            ),
            "{action:?}"
        );
    }
    let shipped_mail = outbox_email::Entity::find()
        .filter(outbox_email::Column::Kind.eq("order_shipped"))
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(shipped_mail.len(), 1);
    assert_eq!(shipped_mail[0].recipient, "ada@example.com");
    assert!(shipped_mail[0].body.contains("1Z999AA10123456784"));

    // A card order cancelled: restocked (ledger rows) and refunded (in its history).
    let before = stock(t, lamp).await;
    let paid_card = shop.order(lamp, 3, card()).await;
    assert_eq!(stock(t, lamp).await, before - 3);
    let cancelled = order_admin::act(&deps, &paid_card, OrderAction::Cancel, "", by)
        .await
        .unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(stock(t, lamp).await, before);
    let detail = order_admin::detail(&t.db, &paid_card).await.unwrap();
    let notes: Vec<String> = detail
        .history
        .iter()
        .filter_map(|e| e.note.clone())
        .collect();
    assert!(
        notes.iter().any(|n| n.starts_with("Refunded $")),
        "{notes:?}"
    );
    assert!(detail
        .history
        .iter()
        .any(|e| e.by.as_deref() == Some("boss@example.com")));
    let statuses: Vec<OrderStatus> = detail.history.iter().map(|e| e.to).collect();
    assert_eq!(
        &statuses[..3],
        [
            OrderStatus::PendingPayment,
            OrderStatus::Paid,
            OrderStatus::Cancelled
        ]
    );
    let ledger: i64 = stock_movement::Entity::find()
        .filter(stock_movement::Column::ProductId.eq(lamp))
        .all(&t.db)
        .await
        .unwrap()
        .iter()
        .map(|m| i64::from(m.delta))
        .sum();
    assert_eq!(
        ledger,
        i64::from(stock(t, lamp).await),
        "the ledger sums to the stock"
    );
    assert_eq!(
        order_admin::act(&deps, "HP-1", OrderAction::Cancel, "", by)
            .await
            .unwrap_err(),
        ShopError::NotFound
    );
}

async fn two_staff_cancelling_at_once_restock_once(t: &TestDb) {
    let shop = Shop::new(t);
    let lamp = t.product("Lamp", "40.00", 10).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    let by = staff(t).await;
    let number = shop.order(lamp, 4, PaymentChoice::CashOnDelivery).await;
    let tries = (0..6).map(|_| {
        let (shop, number) = (shop.clone(), number.clone());
        tokio::spawn(async move {
            order_admin::act(&shop.deps(), &number, OrderAction::Cancel, "", by)
                .await
                .is_ok()
        })
    });
    let mut worked = 0;
    for attempt in tries.collect::<Vec<_>>() {
        worked += usize::from(attempt.await.unwrap());
    }
    assert_eq!(worked, 1);
    assert_eq!(stock(t, lamp).await, 10, "restocked once");
}

async fn orders_export_as_csv(t: &TestDb) {
    let shop = Shop::new(t);
    let lamp = t.product("Lamp", "40.00", 10).await;
    let number = shop.order(lamp, 1, PaymentChoice::CashOnDelivery).await;
    let today = chrono::Utc::now().date_naive();
    let csv = order_admin::export_csv(&t.db, today, today).await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("number,placed_at,status,email,name"));
    assert!(lines[1].starts_with(&format!("{number},")));
    assert!(
        lines[1].contains("\"Ada, Countess\""),
        "quoted: {}",
        lines[1]
    );
    assert!(lines[1].contains(",40.00,"));
    let yesterday = today - chrono::Duration::days(1);
    assert_eq!(
        order_admin::export_csv(&t.db, yesterday, yesterday)
            .await
            .unwrap()
            .lines()
            .count(),
        1
    );
    assert!(order_admin::export_csv(&t.db, today, yesterday)
        .await
        .is_err());
}

async fn staff_run_orders_from_the_pages(t: &TestDb) {
    let app = app(t);
    let shop = Shop::new(t);
    let lamp = t.product("Lamp", "40.00", 10).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    staff(t).await;
    let number = shop.order(lamp, 2, PaymentChoice::CashOnDelivery).await;
    let mut boss = Browser::new(&app);
    assert_eq!(
        boss.post(
            "/account/login",
            &[("email", "boss@example.com"), ("password", PASSWORD)]
        )
        .await
        .status,
        303
    );
    let list = boss
        .get("/admin/orders?status=placed&q=ADA%40")
        .await
        .text();
    assert!(
        list.contains(&format!("href=\"/admin/orders/{number}\"")),
        "{list}"
    );
    assert_eq!(
        testid_text(&list, "order-total").as_deref(),
        Some("1 orders")
    );
    let none = boss.get("/admin/orders?status=shipped").await.text();
    assert_eq!(
        testid_text(&none, "order-total").as_deref(),
        Some("0 orders")
    );
    let page = boss.get(&format!("/admin/orders/{number}")).await.text();
    assert!(
        page.contains(">Ship</button>")
            && page.contains(">Mark paid</button>")
            && page.contains(">Cancel order</button>")
    );
    assert!(!page.contains(">Mark delivered</button>"));
    let action = format!("/admin/orders/{number}/status");
    let refused = boss
        .post(&action, &[("action", "ship"), ("tracking_number", "")])
        .await;
    assert_eq!(refused.status, 400);
    assert!(testid_text(&refused.text(), "form-error")
        .unwrap()
        .contains("tracking number"));
    let shipped = boss
        .post(
            &action,
            &[("action", "ship"), ("tracking_number", "TRACK-42")],
        )
        .await;
    assert_eq!(shipped.status, 303);
    assert_eq!(
        location(&shipped),
        format!("/admin/orders/{number}?done=order-updated")
    );
    let page = boss.get(&format!("/admin/orders/{number}")).await.text();
    assert_eq!(
        testid_text(&page, "admin-order-status").as_deref(),
        Some("Shipped")
    );
    let illegal = boss.post(&action, &[("action", "cancel")]).await;
    assert_eq!(illegal.status, 409);
    let csv = boss
        .get(&format!(
            "/admin/orders/export.csv?from={0}&to={0}",
            chrono::Utc::now().date_naive()
        ))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.text().contains("TRACK-42"));
    assert_eq!(
        boss.get("/admin/orders/export.csv?from=yesterday&to=2026-01-01")
            .await
            .status,
        400
    );
    assert_eq!(boss.get("/admin/orders/HP-1").await.status, 404);
    // A customer gets no CSV.
    accounts::register(&t.db, "cus@example.com", PASSWORD)
        .await
        .unwrap();
    let mut customer = Browser::new(&app);
    customer
        .post(
            "/account/login",
            &[("email", "cus@example.com"), ("password", PASSWORD)],
        )
        .await;
    let today = chrono::Utc::now().date_naive();
    let refused = customer
        .get(&format!("/admin/orders/export.csv?from={today}&to={today}"))
        .await;
    assert!(
        refused.status == 403 || refused.status == 404,
        "{}",
        refused.status
    );
    assert!(!refused.text().contains("TRACK-42"));
}

on_both_backends!(
    every_action_follows_the_order_rules,
    two_staff_cancelling_at_once_restock_once,
    orders_export_as_csv,
    staff_run_orders_from_the_pages,
);

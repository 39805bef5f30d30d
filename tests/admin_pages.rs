//! The admin through the real router (SQLite always, PostgreSQL with `TEST_DATABASE_URL`):
//! every admin page, form post and server function is refused to guests (the sign-in page)
//! and customers (404 for pages, 403 for calls), found by walking the router's routes so a
//! new one cannot be forgotten; the dashboard's figures; stock adjustments from the form.
#![cfg(feature = "ssr")]

mod common;

use common::browser::{location, Browser};
use common::http::{app, testid_text};
use common::TestDb;
use shop::server::router::{route_list, ADMIN_FORMS};
use shop::server::services::{accounts, inventory};

const PASSWORD: &str = "correct horse battery";

async fn signed_in_as(app: &axum::Router, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let reply = browser
        .post(
            "/account/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 303, "{email} signs in");
    browser
}

/// Every admin page path (parameters filled in) and every admin call (form posts and
/// server functions), from the router itself.
fn admin_routes(product: i32, order: &str) -> (Vec<String>, Vec<String>) {
    let fill = |path: &str| {
        path.split('/')
            .map(|segment| {
                if segment.contains("number") {
                    order.to_owned()
                } else if segment.starts_with(':') || segment.starts_with('{') {
                    product.to_string()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let pages: Vec<String> = route_list()
        .iter()
        .map(|r| r.path().to_owned())
        .filter(|p| p == "/admin" || p.starts_with("/admin/"))
        .map(|p| fill(&p))
        .collect();
    let mut calls: Vec<String> = ADMIN_FORMS.iter().map(|p| fill(p)).collect();
    calls.extend(
        leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path.to_owned())
            .filter(|p| p.starts_with("/_fn/admin/")),
    );
    assert!(pages.len() >= 3, "{pages:?}");
    assert!(calls.len() >= 4, "{calls:?}");
    (pages, calls)
}

/// A guest's cash-on-delivery order of one `product`; its number.
async fn place_order(app: &axum::Router, product: i32) -> String {
    let mut shopper = Browser::new(app);
    shopper.get("/").await;
    shopper.add_to_cart(product, 1).await;
    let placed = shopper
        .post(
            "/checkout",
            &[
                ("idempotency_key", "k-walk-1"),
                ("email", "ada@example.com"),
                ("name", "Ada"),
                ("line1", "1 Pier Road"),
                ("city", "Portland"),
                ("postal_code", "97201"),
                ("country", "US"),
                ("shipping_method", "standard"),
                ("payment_method", "cash_on_delivery"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303);
    let page = shopper.get(&location(&placed)).await.text();
    testid_text(&page, "order-number").expect("the order page shows its number")
}

async fn every_admin_route_checks_the_role(t: &TestDb) {
    let app = app(t);
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    accounts::register(&t.db, "cus@example.com", PASSWORD)
        .await
        .unwrap();
    let order = place_order(&app, lamp).await;
    let (pages, calls) = admin_routes(lamp, &order);
    let mut guest = Browser::new(&app);
    let mut customer = signed_in_as(&app, "cus@example.com").await;
    let mut boss = signed_in_as(&app, "boss@example.com").await;
    for page in &pages {
        let reply = guest.get(page).await;
        assert!(reply.status.is_redirection(), "{page}: {}", reply.status);
        assert_eq!(location(&reply), format!("/account/login?next={page}"));
        let reply = customer.get(page).await;
        assert_eq!(reply.status, 404, "{page}");
        assert!(
            !reply.text().contains("Dashboard"),
            "{page}: nothing of the admin shows"
        );
        let reply = boss.get(page).await;
        assert_eq!(reply.status, 200, "{page}");
    }
    for call in &calls {
        let reply = customer
            .post(call, &[("delta", "5"), ("reason", "received")])
            .await;
        assert_eq!(reply.status, 403, "{call}");
        // A form post's URL is no page: its GET is refused one way or another.
        let reply = customer.get(call).await;
        assert!(
            [403, 404, 405].contains(&reply.status.as_u16()),
            "{call}: {}",
            reply.status
        );
        let reply = guest
            .post(call, &[("delta", "5"), ("reason", "received")])
            .await;
        assert!(
            reply.status == 403 || reply.status.is_redirection(),
            "{call}: {}",
            reply.status
        );
    }
    assert_eq!(
        inventory::history(&t.db, lamp).await.unwrap().len(),
        2,
        "no call changed the stock (the opening stock and the order's sale only)"
    );
}

async fn staff_adjust_stock_from_the_product_page(t: &TestDb) {
    let app = app(t);
    let lamp = t.product("Lamp", "40.00", 5).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    let mut boss = signed_in_as(&app, "boss@example.com").await;
    let path = format!("/admin/products/{lamp}");
    let page = boss.get(&path).await.text();
    assert_eq!(
        testid_text(&page, "admin-stock").as_deref(),
        Some("5 in stock")
    );
    let form = format!("{path}/stock");
    let reply = boss
        .post(&form, &[("delta", "+12"), ("reason", "received")])
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(location(&reply), format!("{path}?done=stock-adjusted"));
    let page = boss.get(&location(&reply)).await.text();
    assert_eq!(
        testid_text(&page, "admin-stock").as_deref(),
        Some("17 in stock")
    );
    assert!(testid_text(&page, "notice").unwrap().contains("adjusted"));
    for (delta, reason, status, says) in [
        ("-18", "damaged", 409, "below zero"),
        ("lots", "received", 400, "whole number"),
        ("99999999999999999999", "received", 400, "whole number"),
        ("0", "received", 400, "not 0"),
        ("3", "checkout", 400, "reason"),
    ] {
        let reply = boss
            .post(&form, &[("delta", delta), ("reason", reason)])
            .await;
        assert_eq!(reply.status, status, "{delta} {reason}");
        assert!(
            testid_text(&reply.text(), "form-error")
                .unwrap()
                .contains(says),
            "{delta}"
        );
    }
    let from_elsewhere = boss
        .post_from(
            &form,
            &[("delta", "1"), ("reason", "received")],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(from_elsewhere.status, 403);
    let history = inventory::history(&t.db, lamp).await.unwrap();
    assert_eq!(history.iter().map(|m| m.delta).sum::<i32>(), 17);
    assert_eq!(history.len(), 2);
    // The table finds it; a search for wildcard characters finds nothing extra.
    let table = boss.get("/admin/products?q=LAM").await.text();
    assert!(table.contains(&format!("href=\"{path}\"")));
    assert_eq!(
        testid_text(&table, "product-total").as_deref(),
        Some("1 products")
    );
    let table = boss.get("/admin/products?q=%25").await.text();
    assert_eq!(
        testid_text(&table, "product-total").as_deref(),
        Some("0 products")
    );
    assert_eq!(boss.get("/admin/products?page=99").await.status, 404);
}

async fn the_dashboard_counts_todays_takings(t: &TestDb) {
    let app = app(t);
    let lamp = t.product("Lamp", "40.00", 3).await;
    inventory::open_ledgers(&t.db).await.unwrap();
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    let mut shopper = Browser::new(&app);
    shopper.get("/").await;
    shopper.add_to_cart(lamp, 2).await;
    let placed = shopper
        .post(
            "/checkout",
            &[
                ("idempotency_key", "k-dash-1"),
                ("email", "ada@example.com"),
                ("name", "Ada"),
                ("line1", "1 Pier Road"),
                ("city", "Portland"),
                ("postal_code", "97201"),
                ("country", "US"),
                ("shipping_method", "standard"),
                ("payment_method", "cash_on_delivery"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303);
    let mut boss = signed_in_as(&app, "boss@example.com").await;
    let page = boss.get("/admin").await.text();
    let today = testid_text(&page, "today").unwrap();
    assert!(today.contains("Today"), "{today}");
    assert!(
        page.contains("$80.00"),
        "two lamps, free shipping from $75: today's revenue"
    );
    assert!(page.contains("1 orders"));
    assert!(page.contains("data-testid=\"revenue-chart\""));
    assert!(
        page.contains("Lamp</a>: 1 left"),
        "low stock lists the lamp"
    );
}

on_both_backends!(
    every_admin_route_checks_the_role,
    staff_adjust_stock_from_the_product_page,
    the_dashboard_counts_todays_takings,
);

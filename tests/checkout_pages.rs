//! The checkout page and the order page through the real router: the form post places the
//! order and redirects to it, or renders the form again with the typed values, each error
//! tied to its field and the failure's status; re-posting one form makes one order.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::http::{app, page, send, testid_text, Reply, HOST};
use common::TestDb;
use shop::server::services::cart;
use shop::server::session::{new_session_id, COOKIE_NAME};

const ORIGIN: &str = "http://127.0.0.1:3000";

async fn post_checkout(
    app: &axum::Router,
    session: &str,
    origin: &str,
    form: &[(&str, &str)],
) -> Reply {
    let body = form
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    let request = Request::post("/checkout")
        .header(header::HOST, HOST)
        .header(header::ORIGIN, origin)
        .header(header::COOKIE, format!("{COOKIE_NAME}={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

fn form<'a>(key: &'a str, overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("email", "ada@example.com"),
        ("name", "Ada Lovelace"),
        ("line1", "12 Harbor Road"),
        ("line2", ""),
        ("city", "Portland"),
        ("postal_code", "97201"),
        ("country", "US"),
        ("shipping_method", "standard"),
        ("payment_method", "card"),
        ("card_number", "4242 4242 4242 4242"),
        ("idempotency_key", key),
    ];
    for (name, value) in overrides {
        if let Some(field) = fields.iter_mut().find(|(n, _)| n == name) {
            field.1 = value;
        }
    }
    fields
}

async fn stock(t: &TestDb, id: i32) -> i32 {
    shop::server::services::catalogue::get_product(&t.db, id)
        .await
        .unwrap()
        .stock
}

async fn checkout_page_places_an_order_and_shows_it(t: &TestDb) {
    let lamp = t.product("Desk Lamp", "30.00", 5).await;
    let app = app(t);
    let session = new_session_id();

    let empty = page(&app, "/checkout", &session).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text().contains("Your cart is empty") && !empty.text().contains("Place order"));

    cart::add_to_cart(&t.db, &session, lamp, 2).await.unwrap();
    let html = page(&app, "/checkout", &session).await.text();
    for label in [
        "Email",
        "Full name",
        "Address line 1",
        "Address line 2",
        "City",
        "Postal code",
        "Country",
        "Card number",
        "Place order",
    ] {
        assert!(html.contains(&format!(">{label}<")), "label {label}");
    }
    assert!(
        html.contains(r#"<option value="US" selected"#),
        "US by default"
    );
    assert!(
        html.contains("$60.00") && html.contains("$64.90"),
        "subtotal and total with standard shipping"
    );
    let cart_html = page(&app, "/cart", &session).await.text();
    assert!(
        cart_html.contains(r#"href="/checkout""#),
        "the cart links to checkout"
    );

    let key = new_session_id();
    let placed = post_checkout(&app, &session, ORIGIN, &form(&key, &[])).await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.text());
    let location = placed.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    let token = location.strip_prefix("/orders/").expect("order page");
    assert_eq!(token.len(), 32);
    assert_eq!(stock(t, lamp).await, 3);

    // Posting the same form again (a double click, a reload) is the same order.
    let again = post_checkout(&app, &session, ORIGIN, &form(&key, &[])).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(again.headers[header::LOCATION], location.as_str());
    assert_eq!(stock(t, lamp).await, 3);

    let order = page(&app, &location, &session).await;
    assert_eq!(order.status, StatusCode::OK);
    let html = order.text();
    assert!(html.contains("Thank you for your order"));
    assert!(html.contains(r#"data-testid="order-number">HP-"#));
    assert!(html.contains(r#"data-testid="order-status">Paid<"#));
    assert!(html.contains(r#"data-testid="order-total" class="price price-large">$64.90<"#));
    assert!(html.contains("Card ending in 4242") && !html.contains("4242 4242"));
    assert_eq!(
        testid_text(&html, "cart-count").as_deref(),
        Some("0"),
        "the cart is empty"
    );
    // Another browser with the link sees it too; an unknown token is a 404.
    assert_eq!(
        page(&app, &location, &new_session_id()).await.status,
        StatusCode::OK
    );
    let unknown = page(&app, &format!("/orders/{}", "0".repeat(32)), &session).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn a_failed_checkout_keeps_the_form_and_marks_the_fields(t: &TestDb) {
    let mug = t.product("Mug", "10.00", 2).await;
    let app = app(t);
    let session = new_session_id();
    cart::add_to_cart(&t.db, &session, mug, 2).await.unwrap();
    let key = new_session_id();

    let invalid = post_checkout(
        &app,
        &session,
        ORIGIN,
        &form(
            &key,
            &[
                ("email", "not-an-email"),
                ("city", ""),
                ("card_number", "4242 4242 4242 4241"),
                ("name", "Ada <b>Lovelace</b>"),
            ],
        ),
    )
    .await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.headers[header::CACHE_CONTROL], "no-store");
    let html = invalid.text();
    for field in ["email", "city", "card_number"] {
        assert!(
            html.contains(&format!(r#"id="{field}" name="{field}""#))
                && html.contains(&format!(r#"aria-describedby="{field}-error""#)),
            "{field} is marked"
        );
        assert!(
            html.contains(&format!(r#"id="{field}-error""#)),
            "{field} has its message"
        );
    }
    assert_eq!(html.matches(r#"aria-invalid="true""#).count(), 3);
    assert!(
        html.contains(r#"value="not-an-email""#),
        "typed values stay"
    );
    assert!(
        html.contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;"),
        "and are escaped"
    );
    assert_eq!(stock(t, mug).await, 2);

    let declined = post_checkout(
        &app,
        &session,
        ORIGIN,
        &form(&key, &[("card_number", "4000 0000 0000 0002")]),
    )
    .await;
    assert_eq!(declined.status, StatusCode::PAYMENT_REQUIRED);
    assert!(declined.text().contains("Your card was declined."));
    assert_eq!(stock(t, mug).await, 2);
    assert_eq!(cart::get_cart(&t.db, &session).await.unwrap().count(), 2);

    // The last unit went elsewhere meanwhile: the page names the product and what is left.
    let other = new_session_id();
    cart::add_to_cart(&t.db, &other, mug, 1).await.unwrap();
    let first = post_checkout(
        &app,
        &other,
        ORIGIN,
        &form(&new_session_id(), &[("payment_method", "cash_on_delivery")]),
    )
    .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let short = post_checkout(&app, &session, ORIGIN, &form(&key, &[])).await;
    assert_eq!(short.status, StatusCode::CONFLICT);
    assert!(short.text().contains("Mug: only 1 left"));
    assert!(short.text().contains("Review your cart"));
    assert_eq!(stock(t, mug).await, 1);

    // Another site's page cannot place orders with the shopper's cart.
    let forged = post_checkout(
        &app,
        &session,
        "https://evil.example",
        &form(&new_session_id(), &[]),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Nonsense choices are field errors, not failures.
    let odd = post_checkout(
        &app,
        &session,
        ORIGIN,
        &form(
            &key,
            &[("shipping_method", "teleport"), ("payment_method", "gold")],
        ),
    )
    .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST);
    assert_eq!(stock(t, mug).await, 1);
}

on_both_backends!(
    checkout_page_places_an_order_and_shows_it,
    a_failed_checkout_keeps_the_form_and_marks_the_fields,
);

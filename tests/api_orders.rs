//! `POST /api/orders/` and `GET /api/orders/{token}/` through the real router: every status
//! the API documents, on SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::http::{app, get, order_body, post_json, post_raw, send, Reply};
use common::TestDb;
use serde_json::{json, Value};

fn card(number: &str) -> Value {
    json!({"method": "card", "card_number": number})
}

fn cod() -> Value {
    json!({"method": "cash_on_delivery"})
}

async fn post_order(app: &Router, body: &Value, key: Option<&str>) -> Reply {
    let mut request = Request::post("/api/orders/").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

async fn add(app: &Router, session: &str, product: i32, quantity: i64) {
    let r = post_json(
        app,
        "/api/cart/",
        json!({"session_id": session, "product_id": product, "quantity": quantity}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

async fn stock(app: &Router, id: i32) -> i64 {
    get(app, &format!("/api/products/{id}/")).await.json()["stock"]
        .as_i64()
        .unwrap()
}

async fn cart_len(app: &Router, session: &str) -> usize {
    get(app, &format!("/api/cart/?session_id={session}"))
        .await
        .json()
        .as_array()
        .unwrap()
        .len()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn an_order_is_created_with_the_documented_shape(t: &TestDb) {
    let mug = t.product("Mug", "19.90", 5).await;
    let app = app(t);
    add(&app, "s", mug, 2).await;
    let r = post_order(&app, &order_body("s", card("4242 4242 4242 4242")), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let order = r.json();
    assert_eq!(
        keys(&order),
        [
            "created_at",
            "email",
            "lines",
            "number",
            "payment",
            "shipping_address",
            "shipping_method",
            "shipping_price",
            "status",
            "subtotal",
            "token",
            "total",
            "tracking_number",
            "updated_at"
        ]
    );
    assert_eq!(
        order["tracking_number"],
        Value::Null,
        "set when the order ships"
    );
    assert_eq!(keys(&order)[0], "created_at");
    assert_eq!(order["status"], "paid");
    assert_eq!(
        order["payment"],
        json!({"method": "card", "last4": "4242", "brand": "visa"})
    );
    assert_eq!(
        order["lines"],
        json!([{"product_id": mug, "name": "Mug", "unit_price": "19.90", "quantity": 2, "total_price": "39.80"}])
    );
    assert_eq!(
        (
            &order["subtotal"],
            &order["shipping_price"],
            &order["total"]
        ),
        (&json!("39.80"), &json!("4.90"), &json!("44.70"))
    );
    assert_eq!(order["shipping_address"]["country"], "US");
    assert!(order["number"].as_str().unwrap().starts_with("HP-"));
    assert!(r.headers.get("idempotent-replayed").is_none());
    let token = order["token"].as_str().unwrap();
    assert_eq!(
        r.headers["location"].to_str().unwrap(),
        format!("/api/orders/{token}/")
    );
    assert!(!r.text().contains("4242424242424242"));
    assert_eq!(stock(&app, mug).await, 3);
    assert_eq!(cart_len(&app, "s").await, 0);
    for path in [
        format!("/api/orders/{token}/"),
        format!("/api/orders/{token}"),
    ] {
        let shown = get(&app, &path).await;
        assert_eq!(shown.status, StatusCode::OK, "{path}");
        assert_eq!(shown.json(), order);
    }
    // Cash on delivery: placed, no card fields.
    add(&app, "s", mug, 1).await;
    let r = post_order(&app, &order_body("s", cod()), None).await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["status"], "placed");
    assert_eq!(r.json()["payment"], json!({"method": "cash_on_delivery"}));
}

async fn the_same_key_and_body_replay_the_order(t: &TestDb) {
    let mug = t.product("Mug", "19.90", 5).await;
    let app = app(t);
    add(&app, "s", mug, 1).await;
    let request = order_body("s", cod());
    let first = post_order(&app, &request, Some("order-1")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = post_order(&app, &request, Some("order-1")).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.json(), first.json());
    assert_eq!(stock(&app, mug).await, 4, "one order");
    let mut other = request.clone();
    other["shipping_method"] = json!("express");
    let reused = post_order(&app, &other, Some("order-1")).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reused.error(),
        "This Idempotency-Key was already used with a different request"
    );
    for bad in ["k".repeat(256), "é".to_string()] {
        let mut req = Request::post("/api/orders/").header("content-type", "application/json");
        req = req.header("idempotency-key", bad.as_bytes());
        let r = send(&app, req.body(Body::from(request.to_string())).unwrap()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            r.error().starts_with("Idempotency-Key must be"),
            "{}",
            r.error()
        );
    }
}

async fn bad_fields_are_400_and_name_each_field(t: &TestDb) {
    let mug = t.product("Mug", "19.90", 5).await;
    let app = app(t);
    add(&app, "s", mug, 1).await;
    let mut bad = order_body("s", card("4242 4242 4242 4241"));
    bad["email"] = json!("nobody");
    bad["shipping_address"]["country"] = json!("XX");
    bad["shipping_address"]["city"] = json!(42);
    bad["shipping_address"]["postal_code"] = json!("1".repeat(21));
    bad["shipping_method"] = json!("teleport");
    let r = post_order(&app, &bad, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let reply = r.json();
    assert_eq!(reply["error"], "Please correct the 6 fields marked");
    assert_eq!(
        reply["fields"],
        json!({
            "email": "Enter an email address like name@example.com",
            "payment.card_number": "This card number is not valid: check the digits",
            "shipping_address.city": "Must be text",
            "shipping_address.country": "Choose a country from the list",
            "shipping_address.postal_code": "Postal code must be at most 20 characters",
            "shipping_method": "Choose Standard or Express shipping",
        })
    );
    let mut no_payment = order_body("s", json!("cash"));
    no_payment["shipping_address"] = json!("somewhere");
    let r = post_order(&app, &no_payment, None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let fields = r.json()["fields"].clone();
    assert_eq!(fields["payment.method"], "Choose Card or Cash on delivery");
    assert_eq!(fields["shipping_address"], "Enter the shipping address");
    let one = {
        let mut b = order_body("s", cod());
        b["shipping_address"]["name"] = json!("");
        b
    };
    let r = post_order(&app, &one, None).await;
    assert_eq!(
        r.json(),
        json!({"error": "Enter your full name", "fields": {"shipping_address.name": "Enter your full name"}})
    );
    let mut no_session = order_body("s", cod());
    no_session["session_id"] = json!(7);
    let r = post_order(&app, &no_session, None).await;
    assert_eq!(
        (r.status, r.error()),
        (
            StatusCode::BAD_REQUEST,
            "session_id must be a string".into()
        )
    );
    let r = post_order(&app, &order_body("empty-cart", cod()), None).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::BAD_REQUEST, "Your cart is empty".into())
    );
    let r = post_raw(
        &app,
        "/api/orders/",
        "application/json",
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(stock(&app, mug).await, 5);
    assert_eq!(cart_len(&app, "s").await, 1);
}

async fn declined_cards_are_402_and_change_nothing(t: &TestDb) {
    let mug = t.product("Mug", "19.90", 5).await;
    let app = app(t);
    add(&app, "s", mug, 2).await;
    for (number, message) in [
        ("4000 0000 0000 0002", "Your card was declined."),
        ("4000000000009995", "Your card has insufficient funds."),
    ] {
        let r = post_order(&app, &order_body("s", card(number)), Some("retry-me")).await;
        assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(r.json(), json!({"error": message}));
        assert_eq!(stock(&app, mug).await, 5);
        assert_eq!(cart_len(&app, "s").await, 1);
    }
    // The key of a declined attempt is free for the next card.
    let r = post_order(
        &app,
        &order_body("s", card("4242424242424242")),
        Some("retry-me"),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

async fn stock_that_ran_out_is_409_naming_what_is_left(t: &TestDb) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use shop::server::entities::product;
    let machine = t.product("Duo Espresso Machine", "649.00", 3).await;
    let app = app(t);
    add(&app, "s", machine, 2).await;
    product::Entity::update_many()
        .col_expr(product::Column::Stock, Expr::value(1))
        .filter(product::Column::Id.eq(machine))
        .exec(&t.db)
        .await
        .unwrap();
    let r = post_order(&app, &order_body("s", cod()), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(
        r.json(),
        json!({
            "error": "Some items in your cart are no longer available. Duo Espresso Machine: only 1 left.",
            "unavailable": [{"product_id": machine, "available": 1}]
        })
    );
    assert_eq!(stock(&app, machine).await, 1);
    assert_eq!(cart_len(&app, "s").await, 1);
}

async fn transport_errors_and_unknown_orders(t: &TestDb) {
    let app = app(t);
    let r = post_raw(&app, "/api/orders/", "text/plain", b"{}".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!(
        "{{\"session_id\":\"s\",\"email\":\"{}\"}}",
        "x".repeat(1024 * 1024 + 1)
    );
    let r = post_raw(&app, "/api/orders/", "application/json", huge.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    for path in [
        "/api/orders/0123456789abcdef0123456789abcdef/",
        "/api/orders/nope",
        "/api/orders/%00/",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json(), json!({"error": "Not found"}));
    }
    // Listing orders is a customer's, with their API token (see tests/account_pages.rs).
    let r = get(&app, "/api/orders/").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers["www-authenticate"], "Bearer");
    let r = send(
        &app,
        Request::delete("/api/orders/").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
}

async fn checkouts_past_the_write_limit_get_429(t: &TestDb) {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let mug = t.product("Mug", "19.90", 5).await;
    let app = common::http::app_with(t, &[("SHOP_WRITE_RATE_LIMIT", "2")]);
    add(&app, "s", mug, 1).await;
    let order = || {
        let mut request = Request::post("/api/orders/")
            .header("content-type", "application/json")
            .body(Body::from(order_body("s", cod()).to_string()))
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo("10.9.9.9:4000".parse::<SocketAddr>().unwrap()));
        request
    };
    assert_eq!(send(&app, order()).await.status, StatusCode::CREATED);
    // The cart is empty now, but the limiter answers before anything is read.
    assert_eq!(send(&app, order()).await.status, StatusCode::BAD_REQUEST);
    let limited = send(&app, order()).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(stock(&app, mug).await, 4);
}

async fn openapi_documents_every_order_status(t: &TestDb) {
    let doc = get(&app(t), "/api/openapi.json").await.json();
    let create = &doc["paths"]["/api/orders/"]["post"]["responses"];
    for status in [
        "200", "201", "400", "402", "409", "413", "415", "422", "429",
    ] {
        assert!(create.get(status).is_some(), "POST /api/orders/ {status}");
    }
    let show = &doc["paths"]["/api/orders/{token}/"]["get"]["responses"];
    for status in ["200", "404"] {
        assert!(
            show.get(status).is_some(),
            "GET /api/orders/{{token}}/ {status}"
        );
    }
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "Order",
        "PlaceOrderRequest",
        "PaymentChoice",
        "FieldErrorBody",
        "UnavailableBody",
    ] {
        assert!(schemas.get(schema).is_some(), "{schema}");
    }
}

on_both_backends!(
    an_order_is_created_with_the_documented_shape,
    the_same_key_and_body_replay_the_order,
    bad_fields_are_400_and_name_each_field,
    declined_cards_are_402_and_change_nothing,
    stock_that_ran_out_is_409_naming_what_is_left,
    transport_errors_and_unknown_orders,
    checkouts_past_the_write_limit_get_429,
    openapi_documents_every_order_status,
);

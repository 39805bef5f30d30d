//! The storefront's server side through the real router: server-rendered pages (content,
//! status codes, the session cookie, the cart count on first paint) and the server
//! functions' cross-site protection and no-JavaScript form posts.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::http::{app, get, page, send, testid_text, Reply, HOST};
use common::TestDb;
use shop::server::seed;
use shop::server::services::catalogue;
use shop::server::session::{new_session_id, COOKIE_NAME};

async fn call_server_fn(
    app: &axum::Router,
    path: &str,
    form: &str,
    session: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("{COOKIE_NAME}={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

async fn api_cart_count(app: &axum::Router, session: &str) -> i64 {
    let cart = get(app, &format!("/api/cart/?session_id={session}"))
        .await
        .json();
    cart.as_array()
        .unwrap()
        .iter()
        .map(|i| i["quantity"].as_i64().unwrap())
        .sum()
}

async fn pages_render_on_the_server(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let app = app(t);
    let products = catalogue::all_products(&t.db).await.unwrap();

    let home = get(&app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(html.contains(&products[0].name) && html.contains(&products[23].name));
    assert!(!html.contains(&products[24].name), "24 per page");
    assert_eq!(testid_text(&html, "cart-count").as_deref(), Some("0"));
    let cookie = home.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let second = get(&app, "/?page=2").await.text();
    assert!(second.contains(&products[24].name) && !second.contains(&products[0].name));
    assert!(
        second.contains("href=\"/?page=1\""),
        "page links work without JS"
    );

    let product = &products[0];
    let detail = get(&app, &format!("/product/{}", product.id)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let html = detail.text();
    assert!(
        html.contains(&format!("<title>{} · ", product.name)),
        "title"
    );
    assert!(html.contains(&shop::model::format_money(product.price)));
    assert!(html.contains("Add to Cart") || product.stock == 0);

    for missing in ["/product/999999", "/product/abc", "/no-such-page"] {
        let r = get(&app, missing).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(r.text().contains("Page not found"), "{missing}");
    }
    let cart = get(&app, "/cart").await;
    assert_eq!(cart.status, StatusCode::OK);
    assert!(cart.text().contains("Your cart is empty"));
    // Assets and the API do not hand out session cookies.
    assert!(get(&app, "/api/products/")
        .await
        .headers
        .get(header::SET_COOKIE)
        .is_none());
}

async fn server_fns_change_only_same_origin_carts(t: &TestDb) {
    let id = t.product("Kettle", "30.00", 5).await;
    let app = app(t);
    let session = new_session_id();
    let form = format!("product_id={id}&quantity=2");
    let own = [("origin", "http://127.0.0.1:3000")];
    let added = call_server_fn(&app, "/_fn/cart/add", &form, &session, &own).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    assert_eq!(api_cart_count(&app, &session).await, 2);
    // The server renders the right cart: count on first paint, and the line on /cart.
    let html = page(&app, "/cart", &session).await.text();
    assert_eq!(testid_text(&html, "cart-count").as_deref(), Some("2"));
    assert!(html.contains("Kettle") && html.contains("$60.00"));
    assert_eq!(
        testid_text(&page(&app, "/", &session).await.text(), "cart-count").as_deref(),
        Some("2")
    );

    // Cross-site: refused, nothing changes.
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("referer", "https://evil.example/page")],
        vec![],
    ] {
        let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &headers).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        let r = call_server_fn(
            &app,
            "/_fn/cart/remove",
            &format!("product_id={id}"),
            &session,
            &headers,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(api_cart_count(&app, &session).await, 2);
    // With JavaScript, a refusal answers with its own status and says why.
    let over = call_server_fn(
        &app,
        "/_fn/cart/add",
        &format!("product_id={id}&quantity=4"),
        &session,
        &own,
    )
    .await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    assert_eq!(over.text(), r#"{"OutOfStock":{"available":3}}"#);
    assert_eq!(api_cart_count(&app, &session).await, 2);

    // Without JavaScript a form post comes back to the page, with the error in the URL.
    let no_js = [
        ("origin", "http://127.0.0.1:3000"),
        ("referer", "http://127.0.0.1:3000/cart"),
        ("accept", "text/html"),
    ];
    let r = call_server_fn(
        &app,
        "/_fn/cart/update",
        &format!("product_id={id}&quantity=3"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    // Leptos strips earlier error info from the Referer and may leave an empty query behind.
    let location = r.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(location.trim_end_matches('?'), "http://127.0.0.1:3000/cart");
    assert_eq!(api_cart_count(&app, &session).await, 3);
    let r = call_server_fn(
        &app,
        "/_fn/cart/update",
        &format!("product_id={id}&quantity=9"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let path = location.trim_start_matches("http://127.0.0.1:3000");
    let html = page(&app, path, &session).await.text();
    assert!(
        html.contains("Only 5 left"),
        "the error is shown after the redirect"
    );
    assert_eq!(api_cart_count(&app, &session).await, 3);
    let r = call_server_fn(
        &app,
        "/_fn/cart/remove",
        &format!("product_id={id}"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(api_cart_count(&app, &session).await, 0);
    assert!(page(&app, "/cart", &session)
        .await
        .text()
        .contains("Your cart is empty"));
}

/// Page numbers no catalogue has, and server-function arguments that do not decode, are the
/// caller's error: a 404 or 400 at once, never a 500, a dropped connection or a timeout.
async fn hostile_page_numbers_and_arguments_answer_at_once(t: &TestDb) {
    let id = t.product("Kettle", "30.00", 5).await;
    let app = app(t);
    let answers = [
        ("/?page=18446744073709551615", 404),
        ("/?page=9223372036854775808", 404),
        ("/?page=99999999999999999999999", 404),
        ("/?page=0", 404),
        ("/?page=-1", 404),
        ("/?page=abc", 404),
        ("/?page=2", 404),
        ("/?page=1", 200),
        ("/_fn/products?page=18446744073709551615", 404),
        ("/_fn/products?page=99999999999999999999999", 400),
        ("/_fn/products?page=x", 400),
        ("/_fn/product?id=99999999999", 400),
        ("/_fn/product?id=2147483647", 404),
        ("/product/99999999999999999999", 404),
    ];
    for (uri, expected) in answers {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(5), get(&app, uri))
            .await
            .unwrap_or_else(|_| panic!("{uri} did not answer at once"));
        assert_eq!(reply.status.as_u16(), expected, "{uri}: {}", reply.text());
    }
    let session = new_session_id();
    let own = [("origin", "http://127.0.0.1:3000")];
    for form in [
        "product_id=1&quantity=99999999999999999999".to_string(),
        format!("product_id={id}&quantity=abc"),
        format!("product_id={id}"),
        "product_id=99999999999&quantity=1".to_string(),
    ] {
        let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &own).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.text());
        assert!(
            r.text().contains("could not read that request"),
            "{}",
            r.text()
        );
    }
    // Without JavaScript the form comes back to its page with a friendly message.
    let referer = format!("http://127.0.0.1:3000/product/{id}");
    let no_js = [
        ("origin", "http://127.0.0.1:3000"),
        ("referer", referer.as_str()),
        ("accept", "text/html"),
    ];
    let form = format!("product_id={id}&quantity=99999999999999999999");
    let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &no_js).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let html = page(
        &app,
        location.trim_start_matches("http://127.0.0.1:3000"),
        &session,
    )
    .await
    .text();
    assert!(
        html.contains("Sorry, we could not read that request"),
        "the message is shown on the page"
    );
    assert_eq!(api_cart_count(&app, &session).await, 0);
}

on_both_backends!(
    hostile_page_numbers_and_arguments_answer_at_once,
    pages_render_on_the_server,
    server_fns_change_only_same_origin_carts
);

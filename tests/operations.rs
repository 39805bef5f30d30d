//! Operating the shop, in-process through the real router: request ids, security headers,
//! probes, write rate limits and body limits.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::http::{app, app_with, get, send};
use common::TestDb;
use std::net::SocketAddr;

async fn every_response_has_a_request_id(t: &TestDb) {
    let app = app(t);
    let r = get(&app, "/api/products/").await;
    let id = r.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 16);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_ne!(
        get(&app, "/health").await.headers["x-request-id"]
            .to_str()
            .unwrap(),
        id
    );
    // A caller's own id is kept, so it can follow a request through its own logs.
    let r = send(
        &app,
        Request::get("/health")
            .header("x-request-id", "trace-me-42")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(r.headers["x-request-id"], "trace-me-42");
    // Anything else a caller sends (too long, odd bytes) is replaced, never logged as given.
    for hostile in [
        "a".repeat(65),
        "id with spaces".into(),
        "x;rm -rf".into(),
        "naïve".into(),
    ] {
        let r = send(
            &app,
            Request::get("/health")
                .header("x-request-id", hostile.as_bytes())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        let given = r.headers["x-request-id"].to_str().unwrap();
        assert_ne!(given.as_bytes(), hostile.as_bytes());
        assert_eq!(given.len(), 16, "{given}");
    }
}

async fn pages_carry_security_headers(t: &TestDb) {
    t.product("Mug", "5.00", 5).await;
    let app = app(t);
    let r = get(&app, "/").await;
    let csp = r.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    for directive in [
        "default-src 'self'",
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains('*'),
        "{csp}"
    );
    // The inline scripts Leptos writes carry this response's nonce.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(
        r.text().contains(&format!("nonce=\"{nonce}\"")),
        "scripts are not stamped with the nonce"
    );
    assert_ne!(
        get(&app, "/").await.headers[header::CONTENT_SECURITY_POLICY],
        r.headers[header::CONTENT_SECURITY_POLICY]
    );
    assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(
        r.headers[header::REFERRER_POLICY],
        "strict-origin-when-cross-origin"
    );
    assert_eq!(r.headers[header::X_FRAME_OPTIONS], "DENY");
    let api = get(&app, "/api/products/").await;
    assert_eq!(api.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // Pages show the shopper's own cart, and the API their own data: never a shared cache.
    assert_eq!(r.headers[header::CACHE_CONTROL], "private, no-cache");
    assert_eq!(api.headers[header::CACHE_CONTROL], "private, no-cache");
}

async fn probes_report_process_and_database(t: &TestDb) {
    let app = app(t);
    let health = get(&app, "/health").await;
    assert_eq!(
        (health.status, health.json()["status"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    let ready = get(&app, "/ready").await;
    assert_eq!(
        (ready.status, ready.json()["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );
    // The database goes away: not ready, but still healthy, and no 5xx leaks details.
    t.db.close_by_ref().await.unwrap();
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.error(), "database unavailable");
    assert_eq!(get(&app, "/health").await.status, StatusCode::OK);
}

fn from(addr: &str, request: axum::http::request::Builder, body: Body) -> Request<Body> {
    let mut request = request.body(body).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
    request
}

async fn writes_past_the_limit_get_429(t: &TestDb) {
    let id = t.product("Mug", "5.00", 100).await;
    let app = app_with(t, &[("SHOP_WRITE_RATE_LIMIT", "5")]);
    let add = |addr: &'static str| {
        from(
            addr,
            Request::post("/api/cart/").header("content-type", "application/json"),
            Body::from(format!("{{\"session_id\": \"rl\", \"product_id\": {id}}}")),
        )
    };
    for _ in 0..5 {
        assert_eq!(
            send(&app, add("10.1.1.1:5000")).await.status,
            StatusCode::CREATED
        );
    }
    let limited = send(&app, add("10.1.1.1:5001")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.error().contains("Too many requests"));
    // Refusals carry the same headers as every other answer.
    assert_eq!(limited.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(limited.headers["x-request-id"].len(), 16);
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Other clients and reads are not limited; the refused write changed nothing.
    assert_eq!(
        send(&app, add("10.2.2.2:5000")).await.status,
        StatusCode::CREATED
    );
    let read = send(
        &app,
        from(
            "10.1.1.1:5000",
            Request::get("/api/cart/?session_id=rl"),
            Body::empty(),
        ),
    )
    .await;
    assert_eq!(
        (read.status, read.json()[0]["quantity"].as_i64()),
        (StatusCode::OK, Some(6))
    );
}

async fn bodies_over_a_mebibyte_are_refused_everywhere(t: &TestDb) {
    let app = app(t);
    let big = vec![b'a'; 1024 * 1024 + 1];
    let page_form = Request::post("/_fn/cart/add")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("content-length", big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    assert_eq!(
        send(&app, page_form).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let api = Request::post("/api/cart/")
        .header("content-type", "application/json")
        .body(Body::from(big))
        .unwrap();
    let r = send(&app, api).await;
    assert_eq!(
        (r.status, r.error()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body is too large".to_string()
        )
    );
}

/// A write from `peer` that says it was forwarded for `forwarded` (if anything).
fn forwarded_add(peer: &str, forwarded: Option<&str>, id: i32) -> Request<Body> {
    let mut builder = Request::post("/api/cart/").header("content-type", "application/json");
    if let Some(client) = forwarded {
        builder = builder.header("x-forwarded-for", client);
    }
    from(
        peer,
        builder,
        Body::from(format!("{{\"session_id\": \"fw\", \"product_id\": {id}}}")),
    )
}

async fn limits_follow_the_client_behind_trusted_proxies_only(t: &TestDb) {
    let id = t.product("Mug", "5.00", 1000).await;
    let app = app_with(
        t,
        &[
            ("SHOP_WRITE_RATE_LIMIT", "2"),
            ("SHOP_TRUSTED_PROXIES", "10.0.0.0/8"),
        ],
    );
    let status = |peer: &'static str, client: Option<&'static str>| {
        let app = app.clone();
        async move { send(&app, forwarded_add(peer, client, id)).await.status }
    };
    let (created, limited) = (StatusCode::CREATED, StatusCode::TOO_MANY_REQUESTS);
    let steps = [
        // Behind our proxy, each shopper has a bucket of their own.
        ("10.0.0.9:1", Some("198.51.100.1"), created),
        ("10.0.0.9:1", Some("198.51.100.1"), created),
        ("10.0.0.9:1", Some("198.51.100.1"), limited),
        ("10.0.0.9:1", Some("198.51.100.2"), created),
        ("10.0.0.9:1", Some("198.51.100.2"), created),
        ("10.0.0.9:1", Some("198.51.100.2"), limited),
        // A client that is not our proxy cannot pick a fresh address with the header.
        ("203.0.113.5:1", Some("1.1.1.1"), created),
        ("203.0.113.5:1", Some("2.2.2.2"), created),
        ("203.0.113.5:1", Some("3.3.3.3"), limited),
        // IPv6 clients are one client per /64, whatever the host part.
        ("[2001:db8:5:6::1]:1", None, created),
        ("[2001:db8:5:6::2]:1", None, created),
        ("[2001:db8:5:6:ffff::3]:1", None, limited),
        ("[2001:db8:5:7::1]:1", None, created),
    ];
    for (peer, client, expected) in steps {
        assert_eq!(
            status(peer, client).await,
            expected,
            "{peer} for {client:?}"
        );
    }
}

async fn browsing_never_uses_the_write_budget(t: &TestDb) {
    let id = t.product("Mug", "5.00", 10).await;
    let app = app_with(t, &[("SHOP_WRITE_RATE_LIMIT", "1")]);
    // The read-only server functions are GETs, and reads are never limited.
    for uri in [
        "/_fn/products?page=1".to_string(),
        format!("/_fn/product?id={id}"),
        "/_fn/cart".to_string(),
    ] {
        for _ in 0..5 {
            let r = send(&app, from("10.3.3.3:1", Request::get(&uri), Body::empty())).await;
            assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text());
        }
    }
    let r = send(&app, from("10.3.3.3:1", Request::get("/"), Body::empty())).await;
    assert_eq!(r.status, StatusCode::OK);
    // The one write is still there to use.
    assert_eq!(
        send(&app, forwarded_add("10.3.3.3:1", None, id))
            .await
            .status,
        StatusCode::CREATED
    );
}

async fn a_star_lets_any_origin_read_the_api_without_credentials(t: &TestDb) {
    let app = app_with(t, &[("SHOP_CORS_ORIGINS", "*")]);
    let preflight = send(
        &app,
        Request::builder()
            .method("OPTIONS")
            .uri("/api/cart/")
            .header("origin", "https://elsewhere.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(preflight.status.is_success(), "{}", preflight.status);
    assert_eq!(preflight.headers["access-control-allow-origin"], "*");
    assert!(!preflight
        .headers
        .contains_key("access-control-allow-credentials"));
}

on_both_backends!(
    limits_follow_the_client_behind_trusted_proxies_only,
    browsing_never_uses_the_write_budget,
    a_star_lets_any_origin_read_the_api_without_credentials,
    every_response_has_a_request_id,
    pages_carry_security_headers,
    probes_report_process_and_database,
    writes_past_the_limit_get_429,
    bodies_over_a_mebibyte_are_refused_everywhere,
);

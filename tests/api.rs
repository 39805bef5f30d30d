//! The REST API through the real router: every endpoint, every bad input, on SQLite and
//! (with `TEST_DATABASE_URL`) PostgreSQL.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::http::{app, app_with, get, post_json, post_raw, send, BASE};
use common::TestDb;
use serde_json::{json, Value};
use shop::server::rest::products::MAX_PAGE;
use shop::server::seed;

async fn seeded(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

async fn product_list_is_the_original_shape(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    for path in ["/api/products/", "/api/products"] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let list = r.json();
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 48);
        let ids: Vec<i64> = list.iter().map(|p| p["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "ordered by id");
        let p = &list[0];
        assert_eq!(
            keys(p),
            [
                "category",
                "created_at",
                "description",
                "id",
                "image_url",
                "name",
                "price",
                "stock",
                "updated_at"
            ]
        );
        let price = p["price"].as_str().unwrap();
        assert!(
            price
                .split_once('.')
                .is_some_and(|(_, cents)| cents.len() == 2),
            "{price}"
        );
        assert!(p["image_url"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{BASE}/images/")));
        let created = p["created_at"].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(created).is_ok() && created.ends_with('Z'),
            "{created}"
        );
    }
}

async fn product_pages_use_the_drf_envelope(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    let r = get(&app, "/api/products/?page=2&page_size=10").await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    assert_eq!(keys(&body), ["count", "next", "previous", "results"]);
    assert_eq!(body["count"], 48);
    assert_eq!(body["results"].as_array().unwrap().len(), 10);
    assert_eq!(
        body["next"],
        format!("{BASE}/api/products/?page=3&page_size=10")
    );
    assert_eq!(
        body["previous"],
        format!("{BASE}/api/products/?page=1&page_size=10")
    );
    let last = get(&app, "/api/products/?page=5&page_size=10").await.json();
    assert_eq!(
        (last["results"].as_array().unwrap().len(), &last["next"]),
        (8, &Value::Null)
    );
    let first = get(&app, "/api/products/?page_size=100").await.json();
    assert_eq!(
        (
            first["results"].as_array().unwrap().len(),
            &first["previous"]
        ),
        (48, &Value::Null)
    );
    for (query, status) in [
        ("page=0", StatusCode::BAD_REQUEST),
        ("page=abc", StatusCode::BAD_REQUEST),
        ("page=-1", StatusCode::BAD_REQUEST),
        ("page_size=101", StatusCode::BAD_REQUEST),
        ("page_size=0", StatusCode::BAD_REQUEST),
        ("page=99", StatusCode::NOT_FOUND),
    ] {
        let r = get(&app, &format!("/api/products/?{query}")).await;
        assert_eq!(r.status, status, "{query}");
        assert!(!r.error().is_empty());
    }
}

async fn one_product_or_404(t: &TestDb) {
    let id = t.product("Mug", "19.9", 4).await;
    let app = app(t);
    for path in [
        format!("/api/products/{id}/"),
        format!("/api/products/{id}"),
    ] {
        let r = get(&app, &path).await;
        assert_eq!(r.status, StatusCode::OK);
        let p = r.json();
        assert_eq!(
            (
                p["id"].as_i64(),
                p["name"].as_str(),
                p["price"].as_str(),
                p["stock"].as_i64()
            ),
            (Some(i64::from(id)), Some("Mug"), Some("19.90"), Some(4))
        );
    }
    for path in [
        "/api/products/999999/",
        "/api/products/abc/",
        "/api/products/99999999999999999999/",
        "/api/products/-1/",
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(r.json(), json!({"error": "Not found"}));
    }
    let r = get(&app, "/api/nothing-here/").await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::NOT_FOUND, "Not found".to_string())
    );
}

async fn cart_flow(t: &TestDb) {
    let mug = t.product("Mug", "19.99", 10).await;
    let pen = t.product("Pen", "2.50", 10).await;
    let app = app(t);
    let r = post_json(
        &app,
        "/api/cart/",
        json!({"session_id": "abc", "product_id": mug, "quantity": 2}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let item = r.json();
    assert_eq!(
        keys(&item),
        [
            "created_at",
            "id",
            "product",
            "quantity",
            "session_id",
            "total_price",
            "updated_at"
        ]
    );
    assert_eq!(
        (item["quantity"].as_i64(), item["total_price"].as_str()),
        (Some(2), Some("39.98"))
    );
    assert_eq!(item["product"]["name"], "Mug");
    assert_eq!(item["session_id"], "abc");
    // A second add raises the same line; quantity defaults to 1; no trailing slash works too.
    let again = post_json(
        &app,
        "/api/cart",
        json!({"session_id": "abc", "product_id": mug}),
    )
    .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(
        (
            again.json()["id"].clone(),
            again.json()["quantity"].as_i64()
        ),
        (item["id"].clone(), Some(3))
    );
    post_json(
        &app,
        "/api/cart/",
        json!({"session_id": "abc", "product_id": pen, "quantity": 4}),
    )
    .await;

    let cart = get(&app, "/api/cart/?session_id=abc").await;
    assert_eq!(cart.status, StatusCode::OK);
    let lines = cart.json();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["total_price"], "10.00");
    assert_eq!(
        get(&app, "/api/cart?session_id=nobody").await.json(),
        json!([])
    );

    let updated = post_json(
        &app,
        "/api/cart/update/",
        json!({"session_id": "abc", "product_id": pen, "quantity": 1}),
    )
    .await;
    assert_eq!(
        (updated.status, updated.json()["quantity"].as_i64()),
        (StatusCode::OK, Some(1))
    );
    let zero = post_json(
        &app,
        "/api/cart/update/",
        json!({"session_id": "abc", "product_id": pen, "quantity": 0}),
    )
    .await;
    assert_eq!(zero.status, StatusCode::OK);
    assert!(zero.json()["message"].is_string());

    let removed = post_json(
        &app,
        "/api/cart/remove/",
        json!({"session_id": "abc", "product_id": mug}),
    )
    .await;
    assert_eq!(removed.status, StatusCode::OK);
    assert_eq!(removed.json(), json!({"message": "Item removed from cart"}));
    let again = post_json(
        &app,
        "/api/cart/remove",
        json!({"session_id": "abc", "product_id": mug}),
    )
    .await;
    assert_eq!(
        (again.status, again.error()),
        (StatusCode::NOT_FOUND, "Not found".to_string())
    );
    assert_eq!(
        get(&app, "/api/cart/?session_id=abc").await.json(),
        json!([])
    );
}

async fn stock_limits_are_409_with_what_is_left(t: &TestDb) {
    let id = t.product("Rare", "5.00", 3).await;
    let app = app(t);
    let r = post_json(
        &app,
        "/api/cart/",
        json!({"session_id": "s", "product_id": id, "quantity": 4}),
    )
    .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::CONFLICT, "Only 3 left".to_string())
    );
    for _ in 0..3 {
        assert_eq!(
            post_json(
                &app,
                "/api/cart/",
                json!({"session_id": "s", "product_id": id})
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let r = post_json(
        &app,
        "/api/cart/",
        json!({"session_id": "s", "product_id": id}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.error().contains("no more"), "{}", r.error());
    let r = post_json(
        &app,
        "/api/cart/update/",
        json!({"session_id": "s", "product_id": id, "quantity": 9}),
    )
    .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::CONFLICT, "Only 3 left".to_string())
    );
    assert_eq!(
        get(&app, "/api/cart/?session_id=s").await.json()[0]["quantity"],
        3
    );
}

async fn bad_input_is_4xx_json_and_changes_nothing(t: &TestDb) {
    let id = t.product("Mug", "5.00", 50).await;
    let app = app(t);
    let long = "x".repeat(256);
    let cases: Vec<(&str, Value, StatusCode)> = vec![
        (
            "/api/cart/",
            json!({"product_id": id, "quantity": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "", "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "   ", "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": 42, "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": null, "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": long, "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": 0}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": -3}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": 1.5}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": "2"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": null}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": 9223372036854775808u64}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": id, "quantity": 9223372036854775807i64}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": 999999}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": 9223372036854775807i64}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": "1"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s", "product_id": 1.5}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/",
            json!({"session_id": "s"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/update/",
            json!({"session_id": "s", "product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/update/",
            json!({"session_id": "s", "product_id": id, "quantity": -1}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/update/",
            json!({"session_id": "s", "product_id": id, "quantity": 1}),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/cart/remove/",
            json!({"session_id": "s"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/remove/",
            json!({"product_id": id}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/cart/remove/",
            json!({"session_id": "s", "product_id": id}),
            StatusCode::NOT_FOUND,
        ),
    ];
    for (path, body, status) in cases {
        let r = post_json(&app, path, body.clone()).await;
        assert_eq!(r.status, status, "{path} {body}: {}", r.text());
        assert!(!r.error().is_empty());
    }
    let raw: Vec<(&str, &[u8], StatusCode)> = vec![
        (
            "application/json",
            b"{\"session_id\": \"s\", \"product_id\": ",
            StatusCode::BAD_REQUEST,
        ),
        ("application/json", b"[1, 2]", StatusCode::BAD_REQUEST),
        ("application/json", b"\"text\"", StatusCode::BAD_REQUEST),
        ("application/json", b"", StatusCode::BAD_REQUEST),
        (
            "text/plain",
            b"{\"session_id\": \"s\", \"product_id\": 1}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "application/x-www-form-urlencoded",
            b"session_id=s&product_id=1",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "multipart/form-data; boundary=x",
            b"--x--",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (content_type, body, status) in raw {
        let r = post_raw(&app, "/api/cart/", content_type, body.to_vec()).await;
        assert_eq!(r.status, status, "{content_type}: {}", r.text());
        assert!(!r.error().is_empty());
    }
    let no_type = send(
        &app,
        Request::post("/api/cart/").body(Body::from("{}")).unwrap(),
    )
    .await;
    assert_eq!(no_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let huge = format!(
        "{{\"session_id\": \"s\", \"product_id\": {id}, \"pad\": \"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let r = post_raw(&app, "/api/cart/", "application/json", huge.into_bytes()).await;
    assert_eq!(
        (r.status, r.error()),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request body is too large".to_string()
        )
    );
    for path in [
        "/api/cart/",
        "/api/cart/?session_id=",
        "/api/cart/?session_id=%20%20",
        &format!("/api/cart/?session_id={}", "y".repeat(256)),
    ] {
        let r = get(&app, path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(!r.error().is_empty());
    }
    // Nothing above changed anything.
    assert_eq!(get(&app, "/api/cart/?session_id=s").await.json(), json!([]));
    assert_eq!(
        get(&app, &format!("/api/products/{id}/")).await.json()["stock"],
        50
    );
}

async fn concurrent_adds_and_removes_through_http(t: &TestDb) {
    let id = t.product("Hot", "1.00", 100).await;
    let app = app(t);
    let adds: Vec<_> = (0..30)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                post_json(
                    &app,
                    "/api/cart/",
                    json!({"session_id": "c", "product_id": id, "quantity": 2}),
                )
                .await
                .status
            })
        })
        .collect();
    for add in adds {
        assert_eq!(add.await.unwrap(), StatusCode::CREATED);
    }
    let cart = get(&app, "/api/cart/?session_id=c").await.json();
    assert_eq!(
        (cart.as_array().unwrap().len(), cart[0]["quantity"].as_i64()),
        (1, Some(60))
    );
    let removes: Vec<_> = (0..10)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move {
                post_json(
                    &app,
                    "/api/cart/remove/",
                    json!({"session_id": "c", "product_id": id}),
                )
                .await
                .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for remove in removes {
        statuses.push(remove.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1);
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::NOT_FOUND)
            .count(),
        9
    );
}

async fn cors_follows_the_allow_list(t: &TestDb) {
    let app = app_with(t, &[("SHOP_CORS_ORIGINS", "https://partner.example")]);
    let preflight = |origin: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri("/api/cart/")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = send(&app, preflight("https://partner.example")).await;
    assert!(allowed.status.is_success());
    assert_eq!(
        allowed.headers["access-control-allow-origin"],
        "https://partner.example"
    );
    assert!(allowed.headers["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let other = send(&app, preflight("https://evil.example")).await;
    assert!(other.headers.get("access-control-allow-origin").is_none());
    // Empty by default: same-origin only.
    let default = send(&app_with(t, &[]), preflight("https://partner.example")).await;
    assert!(default.headers.get("access-control-allow-origin").is_none());
}

async fn openapi_document_names_every_route(t: &TestDb) {
    let r = get(&app(t), "/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/products/", "get"),
        ("/api/products/{id}/", "get"),
        ("/api/cart/", "get"),
        ("/api/cart/", "post"),
        ("/api/cart/remove/", "post"),
        ("/api/cart/update/", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Product",
        "CartItem",
        "ErrorBody",
        "AddToCartRequest",
        "ProductPageResponse",
    ] {
        assert!(schemas.contains_key(schema), "{schema} missing");
    }
    assert_eq!(schemas["Product"]["properties"]["price"]["type"], "string");
}

/// Every page number or size answers at once: 400 when it is not an integer in its documented
/// range, 404 past the last page; never a dropped connection or a 500.
async fn paging_parameters_out_of_range_are_400_or_404(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    let refused = [
        "18446744073709551615", // u64::MAX
        "9223372036854775808",  // i64::MAX + 1
        "9223372036854775807",  // i64::MAX: over the documented maximum
        "18446744073709551616", // 2^64
        "100000000000000000000000000000",
        "9007199254740992", // MAX_PAGE + 1
        "0",
        "-1",
        "-9223372036854775808",
        "",
        "%20",
        "abc",
        "1.5",
        "1e3",
        "0x10",
    ];
    for name in ["page", "page_size"] {
        for value in refused {
            let r = get(&app, &format!("/api/products/?{name}={value}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}={value}");
            assert!(r.error().contains(name), "{name}={value}: {}", r.error());
        }
    }
    for query in [
        "page_size=101",
        "page=1&page_size=101",
        "page=2&page_size=0",
    ] {
        let r = get(&app, &format!("/api/products/?{query}")).await;
        assert_eq!(
            (r.status, r.error()),
            (
                StatusCode::BAD_REQUEST,
                "page_size must be between 1 and 100".to_string()
            ),
            "{query}"
        );
    }
    let r = get(&app, "/api/products/?page=0").await;
    assert_eq!(r.error(), format!("page must be between 1 and {MAX_PAGE}"));
    for query in [
        format!("page={MAX_PAGE}"),
        format!("page={MAX_PAGE}&page_size=100"),
        format!("page={MAX_PAGE}&page_size=1"),
        "page=49&page_size=1".to_string(),
        "page=3".to_string(),
    ] {
        let r = get(&app, &format!("/api/products/?{query}")).await;
        assert_eq!(
            (r.status, r.error()),
            (StatusCode::NOT_FOUND, "Not found".to_string()),
            "{query}"
        );
    }
    let last = get(&app, "/api/products/?page=48&page_size=1").await;
    assert_eq!(last.status, StatusCode::OK);
    assert_eq!(last.json()["results"].as_array().unwrap().len(), 1);
}

/// The service itself never computes an offset for a page past the last one.
async fn any_page_number_reaches_the_service_safely(t: &TestDb) {
    use shop::error::ShopError;
    use shop::server::services::catalogue;
    let empty = catalogue::list_products(&t.db, 1, 24).await.unwrap();
    assert_eq!(
        (empty.total, empty.items.len()),
        (0, 0),
        "page 1 of nothing"
    );
    assert_eq!(
        catalogue::list_products(&t.db, 2, 24).await,
        Err(ShopError::NotFound)
    );
    seeded(t).await;
    for (page, page_size) in [
        (u64::MAX, 100),
        (u64::MAX, 1),
        (i64::MAX as u64 + 1, 1),
        (i64::MAX as u64, 100),
        (u64::MAX / 100 + 1, 100),
        (49, 1),
        (3, 24),
    ] {
        assert_eq!(
            catalogue::list_products(&t.db, page, page_size).await,
            Err(ShopError::NotFound),
            "page {page} of {page_size}"
        );
    }
    let last = catalogue::list_products(&t.db, 48, 1).await.unwrap();
    assert_eq!(last.items.len(), 1);
}

/// The document's constraints are the validation's: each documented bound is accepted and
/// the value just past it refused, and the session_id pattern refuses exactly what the
/// service calls blank.
async fn documented_constraints_are_what_validation_accepts(t: &TestDb) {
    use shop::model::{MAX_PAGE_SIZE, MAX_QUANTITY, MAX_SESSION_ID_LEN};
    use shop::server::services::cart::validate_session_id;
    let id = t
        .product("Mug", "1.00", i32::try_from(MAX_QUANTITY).unwrap())
        .await;
    let app = app(t);
    let doc = get(&app, "/api/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    // A new line links to its cart, in OpenAPI's own spelling (`operationId`).
    let link = &doc["paths"]["/api/cart/"]["post"]["responses"]["201"]["links"]["ShowCart"];
    assert_eq!(
        (&link["operationId"], &link["parameters"]),
        (
            &json!("cart_index"),
            &json!({"session_id": "$response.body#/session_id"})
        )
    );
    let session = &schemas["SessionId"];
    assert_eq!(
        (&session["minLength"], &session["maxLength"]),
        (&json!(1), &json!(MAX_SESSION_ID_LEN))
    );
    let add = &schemas["AddToCartRequest"];
    assert_eq!(add["required"], json!(["session_id", "product_id"]));
    let quantity = &add["properties"]["quantity"];
    assert_eq!(
        (
            &quantity["type"],
            quantity["minimum"].as_f64(),
            quantity["maximum"].as_f64(),
            &quantity["default"]
        ),
        (
            &json!("integer"),
            Some(1.0),
            Some(MAX_QUANTITY as f64),
            &json!(1)
        ),
        "not nullable, 1 when absent"
    );
    let update = &schemas["UpdateCartRequest"]["properties"]["quantity"];
    assert_eq!(
        (update["minimum"].as_f64(), update["maximum"].as_f64()),
        (Some(0.0), Some(MAX_QUANTITY as f64))
    );
    let params = doc["paths"]["/api/products/"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let param = |name: &str| {
        let p = params.iter().find(|p| p["name"] == name).unwrap();
        (p["required"].clone(), p["schema"].clone())
    };
    let (required, page) = param("page");
    assert_eq!(required, json!(false));
    assert_eq!(
        (
            &page["type"],
            page["minimum"].as_f64(),
            page["maximum"].as_f64()
        ),
        (&json!("integer"), Some(1.0), Some(MAX_PAGE as f64))
    );
    let (_, page_size) = param("page_size");
    assert_eq!(
        (page_size["minimum"].as_f64(), page_size["maximum"].as_f64()),
        (Some(1.0), Some(MAX_PAGE_SIZE as f64))
    );

    let add_status = |session: String, quantity: Value| {
        let app = app.clone();
        async move {
            post_json(
                &app,
                "/api/cart/",
                json!({"session_id": session, "product_id": id, "quantity": quantity}),
            )
            .await
            .status
        }
    };
    let longest = "s".repeat(MAX_SESSION_ID_LEN);
    assert_eq!(
        add_status(longest.clone(), json!(MAX_QUANTITY)).await,
        StatusCode::CREATED
    );
    for (session, quantity) in [
        (longest.clone() + "s", json!(1)),
        ("q".to_string(), json!(MAX_QUANTITY + 1)),
        ("q".to_string(), json!(0)),
        ("q".to_string(), Value::Null),
    ] {
        assert_eq!(
            add_status(session.clone(), quantity.clone()).await,
            StatusCode::BAD_REQUEST,
            "{session} {quantity}"
        );
    }

    // Rust's and Python's regex engines both read the pattern's \uXXXX escapes.
    let pattern = regex::Regex::new(session["pattern"].as_str().unwrap()).unwrap();
    let near_blank = [
        '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{1c}', '\u{1f}', '\u{85}', '\u{a0}',
        '\u{1680}', '\u{180e}', '\u{2000}', '\u{200a}', '\u{200b}', '\u{2028}', '\u{2029}',
        '\u{202f}', '\u{205f}', '\u{3000}', '\u{feff}', '\0', 'x',
    ];
    for c in near_blank {
        for text in [
            c.to_string(),
            format!("{c}{c}"),
            format!(" {c}x"),
            format!("x{c}"),
        ] {
            let valid = validate_session_id(&text).is_ok();
            assert_eq!(pattern.is_match(&text), valid, "{text:?}");
            let r = get(
                &app,
                &format!(
                    "/api/cart/?session_id={}",
                    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
                ),
            )
            .await;
            let expected = if valid {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            assert_eq!(r.status, expected, "{text:?}: {}", r.text());
        }
    }
}

/// The full list comes in the encoding asked for, compressed once (not again per request, nor
/// twice by the compression layer), and decodes to exactly the plain JSON.
async fn the_full_list_is_served_precompressed(t: &TestDb) {
    use std::io::Read;
    seeded(t).await;
    let app = app(t);
    let fetch = |encoding: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::get("/api/products/")
                .header("accept-encoding", encoding)
                .body(Body::empty())
                .unwrap();
            send(&app, request).await
        }
    };
    let plain = fetch("identity").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(!plain.headers.contains_key("content-encoding"));
    assert_eq!(plain.json().as_array().unwrap().len(), 48);
    let br = fetch("gzip, deflate, br").await;
    assert_eq!(br.headers["content-encoding"], "br");
    assert_eq!(br.headers["vary"], "accept-encoding");
    let mut decoded = Vec::new();
    brotli::Decompressor::new(br.body.as_slice(), 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
    assert!(br.body.len() * 2 < plain.body.len(), "compressed");
    let gz = fetch("gzip").await;
    assert_eq!(gz.headers["content-encoding"], "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(gz.body.as_slice())
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain.body);
}

async fn search_filters_and_ordering_follow_drf(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    // A search without paging is a plain array, best match first.
    let r = get(&app, "/api/products/?search=espresso").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.first(),
        Some(&"Duo Espresso Machine"),
        "{}",
        t.backend
    );
    assert_eq!(list[0]["category"], "kitchen");
    // Filters combine with paging: DRF's envelope, and its links keep every filter.
    let r = get(
        &app,
        "/api/products/?category=kitchen&min_price=10&max_price=100.50&in_stock=true&ordering=-price&page_size=2",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let body = r.json();
    let count = body["count"].as_u64().unwrap();
    assert!(count > 2, "{body}");
    let prices: Vec<f64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["category"], "kitchen");
            assert!(p["stock"].as_i64().unwrap() > 0);
            p["price"].as_str().unwrap().parse::<f64>().unwrap()
        })
        .collect();
    assert!(prices.windows(2).all(|w| w[0] >= w[1]), "{prices:?}");
    assert!(prices.iter().all(|p| (10.0..=100.5).contains(p)));
    let next = body["next"].as_str().unwrap();
    for part in [
        "category=kitchen",
        "min_price=10",
        "max_price=100.50",
        "in_stock=true",
        "ordering=-price",
        "page=2",
        "page_size=2",
    ] {
        assert!(next.contains(part), "{next} lacks {part}");
    }
    let second = get(&app, next.strip_prefix(BASE).unwrap()).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.json()["count"].as_u64(), Some(count));
    // Every ordering value, ascending and descending.
    for ordering in [
        "price",
        "-price",
        "name",
        "-name",
        "created_at",
        "-created_at",
    ] {
        let r = get(
            &app,
            &format!("/api/products/?ordering={ordering}&page_size=100"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{ordering}");
        assert_eq!(r.json()["count"], 48);
    }
    let r = get(&app, "/api/products/?ordering=name").await;
    let names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
}

async fn bad_search_parameters_are_400(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    let long = "a".repeat(201);
    for query in [
        "ordering=price;drop",
        "ordering=relevance",
        "ordering=stock",
        "category=nope",
        "min_price=abc",
        "min_price=-1",
        "max_price=1e9",
        "max_price=100000000",
        "min_price=1.234",
        "in_stock=maybe",
        &format!("search={long}"),
        "search=%00",
    ] {
        let r = get(&app, &format!("/api/products/?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text());
        assert!(r.json()["error"].is_string(), "{query}");
    }
    // Hostile text is searched as words.
    for search in [
        "%22",
        "*",
        "-",
        ":",
        "(",
        "OR",
        "NEAR",
        "%27%3B+DROP+TABLE+products%3B--",
    ] {
        let r = get(&app, &format!("/api/products/?search={search}&page=1")).await;
        assert!(
            r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND,
            "{search}: {}",
            r.status
        );
    }
    assert_eq!(
        get(&app, "/api/products/")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        48
    );
}

async fn categories_list_with_counts(t: &TestDb) {
    seeded(t).await;
    let app = app(t);
    let r = get(&app, "/api/categories/").await;
    assert_eq!(r.status, StatusCode::OK);
    let list = r.json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 6, "{}", t.backend);
    assert_eq!(keys(&list[0]), ["id", "name", "product_count", "slug"]);
    let total: u64 = list
        .iter()
        .map(|c| c["product_count"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 48);
    let kitchen = list.iter().find(|c| c["slug"] == "kitchen").unwrap();
    let in_kitchen = get(&app, "/api/products/?category=kitchen").await.json();
    assert_eq!(
        in_kitchen.as_array().unwrap().len() as u64,
        kitchen["product_count"].as_u64().unwrap()
    );
}

on_both_backends!(
    search_filters_and_ordering_follow_drf,
    bad_search_parameters_are_400,
    categories_list_with_counts,
    the_full_list_is_served_precompressed,
    product_list_is_the_original_shape,
    product_pages_use_the_drf_envelope,
    one_product_or_404,
    cart_flow,
    stock_limits_are_409_with_what_is_left,
    bad_input_is_4xx_json_and_changes_nothing,
    concurrent_adds_and_removes_through_http,
    cors_follows_the_allow_list,
    openapi_document_names_every_route,
    paging_parameters_out_of_range_are_400_or_404,
    any_page_number_reaches_the_service_safely,
    documented_constraints_are_what_validation_accepts,
);

//! Staff manage products through the real router (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): create, edit and archive from the admin's forms and the staff API,
//! with the shop following at once; photos checked by decoding (real, truncated, oversized,
//! mislabelled and SVG files).
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::browser::{location, Browser};
use common::http::{app_with, send, testid_text, BASE, HOST};
use common::TestDb;
use sea_orm::EntityTrait;
use serde_json::json;
use shop::server::entities::{audit_entry, product};
use shop::server::services::{accounts, api_tokens, cart, inventory};
use std::io::Cursor;

const PASSWORD: &str = "correct horse battery";

async fn admin_browser(app: &axum::Router, t: &TestDb) -> Browser {
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    let mut boss = Browser::new(app);
    let reply = boss
        .post(
            "/account/login",
            &[("email", "boss@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 303);
    boss
}

fn media_dir() -> String {
    let dir = std::env::temp_dir().join(format!(
        "shop-media-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    dir.display().to_string()
}

async fn products_are_created_edited_and_archived_from_the_admin(t: &TestDb) {
    let app = app_with(t, &[("SHOP_CATALOGUE_CACHE_SECS", "60")]);
    let mut boss = admin_browser(&app, t).await;
    let refused = boss
        .post(
            "/admin/products",
            &[
                ("name", ""),
                ("price", "12.345"),
                ("category", "no-such"),
                ("stock", "-1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 400);
    let page = refused.text();
    for says in [
        "A name of 1 to 200",
        "at most two decimals",
        "Choose one of the categories",
    ] {
        assert!(page.contains(says), "{says}");
    }
    assert!(product::Entity::find().all(&t.db).await.unwrap().is_empty());

    let created = boss
        .post(
            "/admin/products",
            &[
                ("name", "Walnut Board"),
                ("description", "Oiled walnut."),
                ("price", "34.90"),
                ("category", ""),
                ("stock", "7"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text());
    let admin_path = location(&created).split('?').next().unwrap().to_owned();
    let id: i32 = admin_path.rsplit('/').next().unwrap().parse().unwrap();
    let mut shopper = Browser::new(&app);
    let shown = shopper.get(&format!("/product/{id}")).await;
    assert_eq!(shown.status, 200);
    assert!(shown.text().contains("Walnut Board"));
    assert_eq!(inventory::history(&t.db, id).await.unwrap()[0].delta, 7);

    let edited = boss
        .post(
            &admin_path,
            &[
                ("name", "Walnut Serving Board"),
                ("description", "Oiled."),
                ("price", "39.00"),
                ("category", ""),
            ],
        )
        .await;
    assert_eq!(edited.status, 303);
    let shown = shopper.get(&format!("/product/{id}")).await.text();
    assert!(
        shown.contains("Walnut Serving Board") && shown.contains("$39.00"),
        "the cache was emptied"
    );

    shopper.add_to_cart(id, 1).await;
    let archived = boss.post(&format!("{admin_path}/archive"), &[]).await;
    assert_eq!(archived.status, 303);
    assert_eq!(shopper.get(&format!("/product/{id}")).await.status, 404);
    assert!(!shopper
        .get("/search?q=walnut")
        .await
        .text()
        .contains("Walnut Serving Board"));
    assert_eq!(
        cart::add_to_cart(&t.db, "someone", id, 1)
            .await
            .unwrap_err(),
        shop::error::ShopError::NotFound
    );
    let api = send(
        &app,
        Request::get(format!("/api/products/{id}/"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(api.status, 404);
    let admin_page = boss.get(&admin_path).await.text();
    assert!(
        testid_text(&admin_page, "archived").is_some(),
        "staff still see it"
    );
    let actions: Vec<String> = audit_entry::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        ["product.create", "product.update", "product.archive"]
    );
}

fn multipart(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "shopboundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn picture(format: image::ImageFormat, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .unwrap();
    out.into_inner()
}

async fn photos_are_checked_by_decoding_and_stored_as_webp(t: &TestDb) {
    let media = media_dir();
    let app = app_with(t, &[("SHOP_MEDIA_DIR", media.as_str())]);
    let mut boss = admin_browser(&app, t).await;
    let lamp = t.product("Lamp", "40.00", 5).await;
    let upload = |name: &'static str, content_type: &'static str, bytes: Vec<u8>| {
        let app = app.clone();
        let cookies = boss
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        async move {
            let (ct, body) = multipart(name, content_type, &bytes);
            let request = Request::post(format!("/admin/products/{lamp}/image"))
                .header(header::HOST, HOST)
                .header(header::ORIGIN, BASE)
                .header(header::COOKIE, cookies)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap();
            send(&app, request).await
        }
    };
    let png = picture(image::ImageFormat::Png, 1200, 900);
    let jpeg = picture(image::ImageFormat::Jpeg, 640, 640);
    let refusals: Vec<(&str, &str, Vec<u8>, u16, &str)> = vec![
        (
            "cut.png",
            "image/png",
            png[..png.len() / 2].to_vec(),
            400,
            "could not be read",
        ),
        (
            "drawing.svg",
            "image/svg+xml",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            400,
            "JPEG, PNG or WebP",
        ),
        (
            "notes.png",
            "image/png",
            b"just some text, not a picture".to_vec(),
            400,
            "JPEG, PNG or WebP",
        ),
        (
            "huge.jpg",
            "image/jpeg",
            vec![0xFF; 5 * 1024 * 1024 + 10],
            400,
            "5 MB",
        ),
        ("empty.png", "image/png", Vec::new(), 400, "choose a photo"),
    ];
    for (name, content_type, bytes, status, says) in refusals {
        let reply = upload(name, content_type, bytes).await;
        assert_eq!(reply.status, status, "{name}");
        let message = testid_text(&reply.text(), "form-error").unwrap_or_default();
        assert!(message.contains(says), "{name}: {message}");
    }
    let before = product::Entity::find_by_id(lamp)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        before.image_url, "/images/placeholder.svg",
        "refusals change nothing"
    );

    // A photo over axum's 2 MB default for multipart bodies, under our 5 MB.
    let noise = {
        let img = image::RgbImage::from_fn(1100, 1000, |x, y| {
            let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)).wrapping_mul(2246822519);
            image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
        });
        let mut out = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    };
    assert!(
        noise.len() > 2 * 1024 * 1024 && noise.len() < 5 * 1024 * 1024,
        "{}",
        noise.len()
    );
    let reply = upload("big.png", "image/png", noise).await;
    assert_eq!(reply.status, 303, "a 3 MB photo is taken");
    // A JPEG sent as "image/png" named .png: what counts is what it decodes as.
    for (name, content_type, bytes) in [
        ("photo.png", "image/png", jpeg.clone()),
        ("photo.jpg", "image/jpeg", png.clone()),
    ] {
        let reply = upload(name, content_type, bytes).await;
        assert_eq!(reply.status, 303, "{name}: {}", reply.text());
    }
    let after = product::Entity::find_by_id(lamp)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert!(
        after.image_url.starts_with("/media/") && after.image_url.ends_with("-800.webp"),
        "{}",
        after.image_url
    );
    let served = boss.get(&after.image_url).await;
    assert_eq!(served.status, 200);
    assert_eq!(
        served.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let decoded = image::load_from_memory(&served.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (800, 600));
    let small = boss
        .get(&after.image_url.replace("-800.webp", "-400.webp"))
        .await;
    let decoded = image::load_from_memory(&small.body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (400, 300));
    std::fs::remove_dir_all(&media).ok();
}

async fn the_staff_api_creates_edits_and_archives(t: &TestDb) {
    let app = app_with(t, &[]);
    accounts::make_admin(&t.db, "boss@example.com", || Ok(PASSWORD.to_owned()))
        .await
        .unwrap();
    let boss = accounts::find_by_email(&t.db, "boss@example.com")
        .await
        .unwrap()
        .unwrap();
    let token = api_tokens::create(&t.db, boss.id, "ops")
        .await
        .unwrap()
        .secret;
    let customer = match accounts::register(&t.db, "cus@example.com", PASSWORD)
        .await
        .unwrap()
    {
        accounts::Registration::Created(a) => a,
        other => panic!("{other:?}"),
    };
    let customer_token = api_tokens::create(&t.db, customer.id, "mine")
        .await
        .unwrap()
        .secret;
    let call = |method: &'static str,
                path: String,
                token: Option<String>,
                body: Option<serde_json::Value>| {
        let app = app.clone();
        async move {
            let mut request = Request::builder().method(method).uri(path);
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let body = match body {
                Some(json) => {
                    request = request.header(header::CONTENT_TYPE, "application/json");
                    Body::from(json.to_string())
                }
                None => Body::empty(),
            };
            send(&app, request.body(body).unwrap()).await
        }
    };
    let new = json!({"name": "Oak Stool", "price": "89.00", "stock": 4});
    assert_eq!(
        call("POST", "/api/products/".into(), None, Some(new.clone()))
            .await
            .status,
        401
    );
    assert_eq!(
        call(
            "POST",
            "/api/products/".into(),
            Some(customer_token.clone()),
            Some(new.clone())
        )
        .await
        .status,
        403
    );
    let bad = call(
        "POST",
        "/api/products/".into(),
        Some(token.clone()),
        Some(json!({"name": "", "price": "0"})),
    )
    .await;
    assert_eq!(bad.status, 400);
    assert!(bad.json()["fields"]["name"].is_string() && bad.json()["fields"]["price"].is_string());
    let made = call(
        "POST",
        "/api/products/".into(),
        Some(token.clone()),
        Some(new),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text());
    let id = made.json()["id"].as_i64().unwrap();
    assert_eq!(made.json()["price"], "89.00");
    assert_eq!(made.json()["stock"], 4);
    assert!(made.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .ends_with(&format!("/api/products/{id}/")));

    let path = format!("/api/products/{id}/");
    let patched = call(
        "PATCH",
        path.clone(),
        Some(token.clone()),
        Some(json!({"price": "79.50"})),
    )
    .await;
    assert_eq!(patched.status, 200);
    assert_eq!(
        (
            patched.json()["price"].clone(),
            patched.json()["name"].clone()
        ),
        (json!("79.50"), json!("Oak Stool"))
    );
    let stock = call(
        "PATCH",
        path.clone(),
        Some(token.clone()),
        Some(json!({"stock": 100})),
    )
    .await;
    assert_eq!(stock.status, 400, "stock changes only with a reason");
    assert_eq!(
        call(
            "PATCH",
            path.clone(),
            Some(customer_token.clone()),
            Some(json!({"price": "1.00"}))
        )
        .await
        .status,
        403
    );
    assert_eq!(
        call("DELETE", path.clone(), Some(customer_token), None)
            .await
            .status,
        403
    );
    assert_eq!(
        call("DELETE", path.clone(), Some(token.clone()), None)
            .await
            .status,
        204
    );
    assert_eq!(call("GET", path.clone(), None, None).await.status, 404);
    assert_eq!(
        call("DELETE", path.clone(), Some(token.clone()), None)
            .await
            .status,
        404
    );
    assert_eq!(
        call(
            "PATCH",
            path,
            Some(token.clone()),
            Some(json!({"price": "1.00"}))
        )
        .await
        .status,
        404
    );
    assert_eq!(
        call("DELETE", "/api/products/abc/".into(), Some(token), None)
            .await
            .status,
        404
    );
}

on_both_backends!(
    products_are_created_edited_and_archived_from_the_admin,
    photos_are_checked_by_decoding_and_stored_as_webp,
    the_staff_api_creates_edits_and_archives,
);

//! Accounts through the real router, as a browser without JavaScript uses them (SQLite
//! always, PostgreSQL with `TEST_DATABASE_URL`): sign up, sign in and out with the session
//! id changing each time, the guest cart merged, checkout owned by the account, the
//! password reset link, throttling, Origin checks, API tokens and the Bearer API.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request};
use common::browser::{location, Browser};
use common::http::{app_with, send, testid_text, BASE};
use common::TestDb;
use sea_orm::EntityTrait;
use shop::server::entities::{cart_item, outbox_email};
use shop::server::services::accounts;

const PASSWORD: &str = "correct horse battery";
const AUTH_COOKIE: &str = "shop_auth";
const CART_COOKIE: &str = "shop_session";

async fn signed_up(browser: &mut Browser, email: &str) {
    let reply = browser
        .post(
            "/account/register",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    assert_eq!(location(&reply), "/account/login?done=registered");
}

async fn signed_in(browser: &mut Browser, email: &str) -> String {
    let reply = browser
        .post(
            "/account/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text());
    location(&reply)
}

async fn registering_signing_in_and_out_rotates_the_session(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut browser = Browser::new(&app);
    let home = browser.get("/").await;
    assert!(
        home.text().contains(">Sign in</a>"),
        "the navbar offers to sign in"
    );
    signed_up(&mut browser, "ann@example.com").await;
    // The same neutral answer for an email that already has an account.
    let mut other = Browser::new(&app);
    signed_up(&mut other, "ANN@example.com").await;

    let guest_cart = browser.cookies[CART_COOKIE].clone();
    // Someone planted a session id before sign-in: it must not become the signed-in one.
    browser
        .cookies
        .insert(AUTH_COOKIE.into(), "AAAAAAAAAAAAAAAAAAAAAA".into());
    assert_eq!(signed_in(&mut browser, "Ann@Example.com").await, "/account");
    let first = browser.cookies[AUTH_COOKIE].clone();
    assert_ne!(first, "AAAAAAAAAAAAAAAAAAAAAA");
    assert_ne!(
        browser.cookies[CART_COOKIE], guest_cart,
        "a new guest cart id too"
    );

    let account = browser.get("/account").await;
    assert_eq!(account.status, 200);
    assert_eq!(
        testid_text(&account.text(), "account-email").as_deref(),
        Some("ann@example.com")
    );
    assert!(account.text().contains(">Sign out</button>"));
    assert_eq!(account.headers[header::CACHE_CONTROL], "private, no-cache");

    // Signing in again (another tab) gives yet another id.
    signed_in(&mut browser, "ann@example.com").await;
    let second = browser.cookies[AUTH_COOKIE].clone();
    assert_ne!(first, second);
    // The old id signs no one in.
    let mut thief = Browser::new(&app);
    thief.cookies.insert(AUTH_COOKIE.into(), first);
    let stolen = thief.get("/account").await;
    assert_eq!(stolen.status, 302, "a guest is sent to sign in");
    assert_eq!(location(&stolen), "/account/login?next=/account");

    let out = browser.post("/account/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(location(&out), "/?done=signed-out");
    assert!(
        !browser.cookies.contains_key(AUTH_COOKIE),
        "the cookie is removed"
    );
    thief.cookies.insert(AUTH_COOKIE.into(), second);
    assert_eq!(
        thief.get("/account").await.status,
        302,
        "the session row is gone"
    );
    let home = browser.get("/?done=signed-out").await;
    assert_eq!(
        testid_text(&home.text(), "notice").as_deref(),
        Some("You are signed out.")
    );
}

async fn a_wrong_password_and_an_unknown_email_get_one_message(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut browser = Browser::new(&app);
    signed_up(&mut browser, "bo@example.com").await;
    let mut messages = Vec::new();
    for (email, password) in [
        ("bo@example.com", "not the password at all"),
        ("nobody@example.com", PASSWORD),
        ("", ""),
        ("bo@example.com", &"p".repeat(5000)),
    ] {
        let reply = browser
            .post(
                "/account/login",
                &[("email", email), ("password", password)],
            )
            .await;
        assert_eq!(reply.status, 400, "{email}");
        let page = reply.text();
        assert!(
            !page.contains(password) || password.is_empty(),
            "the password is never echoed"
        );
        assert!(!browser.cookies.contains_key(AUTH_COOKIE));
        messages.push(testid_text(&page, "form-error").unwrap());
    }
    // A NUL in the email is no account either (PostgreSQL text cannot even hold one).
    let reply = browser
        .post(
            "/account/login",
            &[("email", "bo\0@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 400);
    messages.push(testid_text(&reply.text(), "form-error").unwrap());
    let reply = browser
        .post("/account/password/forgot", &[("email", "bo\0@example.com")])
        .await;
    assert_eq!(reply.status, 303, "the neutral answer");
    messages.dedup();
    assert_eq!(
        messages,
        ["That email and password do not match an account."]
    );
    // A bad sign-up says what is wrong, and keeps the email (never the password).
    let reply = browser
        .post(
            "/account/register",
            &[("email", "cy@example.com"), ("password", "password123")],
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(testid_text(&reply.text(), "form-error")
        .unwrap()
        .contains("most common"));
    assert!(reply.text().contains("value=\"cy@example.com\""));
    assert!(!reply.text().contains("password123"));
}

async fn sign_in_attempts_are_throttled_per_account_and_per_address(t: &TestDb) {
    let app = app_with(t, &[("SHOP_AUTH_ATTEMPTS", "3")]);
    let mut browser = Browser::new(&app);
    signed_up(&mut browser, "dee@example.com").await;
    for _ in 0..3 {
        let reply = browser
            .post(
                "/account/login",
                &[
                    ("email", "dee@example.com"),
                    ("password", "wrong password!"),
                ],
            )
            .await;
        assert_eq!(reply.status, 400);
    }
    // Even the right password waits now.
    let reply = browser
        .post(
            "/account/login",
            &[("email", "dee@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, 429);
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert!(testid_text(&reply.text(), "form-error")
        .unwrap()
        .starts_with("Too many attempts. Please wait"));
    assert!(!browser.cookies.contains_key(AUTH_COOKIE));
    // The address has its own, larger budget: other accounts from it run out later.
    for i in 0..5 {
        let email = format!("other{i}@example.com");
        let reply = browser
            .post(
                "/account/login",
                &[("email", email.as_str()), ("password", "wrong password!")],
            )
            .await;
        assert_eq!(reply.status, 400, "attempt {i}");
    }
    let reply = browser
        .post(
            "/account/login",
            &[
                ("email", "last@example.com"),
                ("password", "wrong password!"),
            ],
        )
        .await;
    assert_eq!(
        reply.status, 429,
        "nine attempts from one address is its limit"
    );
}

async fn forms_from_other_sites_change_nothing(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut browser = Browser::new(&app);
    for (path, origin) in [
        ("/account/register", Some("https://evil.example")),
        ("/account/register", None),
    ] {
        let reply = browser
            .post_from(
                path,
                &[("email", "eve@example.com"), ("password", PASSWORD)],
                origin,
            )
            .await;
        assert_eq!(reply.status, 403, "{origin:?}");
    }
    assert!(accounts::find_by_email(&t.db, "eve@example.com")
        .await
        .unwrap()
        .is_none());
    signed_up(&mut browser, "eve@example.com").await;
    let reply = browser
        .post_from(
            "/account/login",
            &[("email", "eve@example.com"), ("password", PASSWORD)],
            Some("https://evil.example"),
        )
        .await;
    assert_eq!(reply.status, 403);
    assert!(!browser.cookies.contains_key(AUTH_COOKIE));
}

async fn signing_in_merges_the_guest_cart_capped_at_stock(t: &TestDb) {
    let app = app_with(t, &[]);
    let lamp = t.product("Lamp", "40.00", 5).await;
    let mug = t.product("Mug", "9.50", 10).await;
    let vase = t.product("Vase", "30.00", 2).await;
    // The account's cart, filled from another browser.
    let mut laptop = Browser::new(&app);
    signed_up(&mut laptop, "fay@example.com").await;
    signed_in(&mut laptop, "fay@example.com").await;
    assert!(laptop.add_to_cart(lamp, 3).await.status.is_redirection());
    assert!(laptop.add_to_cart(vase, 2).await.status.is_redirection());

    let mut phone = Browser::new(&app);
    phone.get("/").await;
    phone.add_to_cart(lamp, 4).await;
    phone.add_to_cart(mug, 2).await;
    phone.add_to_cart(vase, 1).await;
    let guest = phone.cookies[CART_COOKIE].clone();
    let to = signed_in(&mut phone, "fay@example.com").await;
    assert_eq!(to, "/cart?done=cart-capped", "capped lines are announced");
    let cart = phone.get(&to).await.text();
    assert!(testid_text(&cart, "notice")
        .unwrap()
        .contains("lowered to what we have in stock"));
    assert_eq!(
        testid_text(&cart, "cart-count").as_deref(),
        Some("9"),
        "lamp 5 + mug 2 + vase 2"
    );
    // The guest cart is gone; the account's cart is the same in the other browser.
    let rows = cart_item::Entity::find().all(&t.db).await.unwrap();
    assert!(rows.iter().all(|r| r.session_id != guest));
    let mut lines: Vec<(i32, i32)> = rows.iter().map(|r| (r.product_id, r.quantity)).collect();
    lines.sort();
    assert_eq!(lines, [(lamp, 5), (mug, 2), (vase, 2)]);
    let other = laptop.get("/cart").await.text();
    assert_eq!(testid_text(&other, "cart-count").as_deref(), Some("9"));

    // Signed out, the browser has an empty guest cart; the account keeps its own.
    phone.post("/account/logout", &[]).await;
    let cart = phone.get("/cart").await.text();
    assert_eq!(testid_text(&cart, "cart-count").as_deref(), Some("0"));
}

async fn a_signed_in_order_belongs_to_the_account(t: &TestDb) {
    let app = app_with(t, &[]);
    let lamp = t.product("Lamp", "40.00", 5).await;
    let mut browser = Browser::new(&app);
    signed_up(&mut browser, "gus@example.com").await;
    signed_in(&mut browser, "gus@example.com").await;
    browser.add_to_cart(lamp, 2).await;
    let checkout = browser.get("/checkout").await.text();
    assert!(
        checkout.contains("value=\"gus@example.com\""),
        "the email is prefilled"
    );
    assert!(checkout.contains("Save this address"));
    let placed = browser
        .post(
            "/checkout",
            &[
                ("idempotency_key", "k-gus-1"),
                ("email", "gus@example.com"),
                ("name", "Gus Grey"),
                ("line1", "1 Pier Road"),
                ("city", "Portland"),
                ("postal_code", "97201"),
                ("country", "US"),
                ("shipping_method", "standard"),
                ("payment_method", "cash_on_delivery"),
                ("save_address", "on"),
            ],
        )
        .await;
    assert_eq!(placed.status, 303, "{}", placed.text());
    let order_path = location(&placed);
    let account = browser.get("/account").await.text();
    assert!(
        account.contains(&format!("href=\"{order_path}\"")),
        "{account}"
    );
    assert!(account.contains("HP-"));
    let address = account
        .split("data-testid=\"saved-address\"")
        .nth(1)
        .unwrap();
    assert!(address
        .split("</address>")
        .next()
        .unwrap()
        .contains("1 Pier Road"));
    // The next checkout is prefilled with the saved address.
    browser.add_to_cart(lamp, 1).await;
    let checkout = browser.get("/checkout").await.text();
    assert!(checkout.contains("value=\"1 Pier Road\""));
    // A guest's order is nobody's.
    let mut guest = Browser::new(&app);
    guest.get("/").await;
    let guest_checkout = guest.get("/checkout").await.text();
    assert!(!guest_checkout.contains("Save this address"));
}

async fn a_reset_link_works_once_and_signs_every_session_out(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut browser = Browser::new(&app);
    signed_up(&mut browser, "hal@example.com").await;
    signed_in(&mut browser, "hal@example.com").await;
    let mut elsewhere = Browser::new(&app);
    for email in ["HAL@example.com", "nobody@example.com"] {
        let reply = elsewhere
            .post("/account/password/forgot", &[("email", email)])
            .await;
        assert_eq!(reply.status, 303);
        assert_eq!(location(&reply), "/account/password/forgot?done=reset-sent");
    }
    let mails = outbox_email::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(mails.len(), 1, "only the account's email gets a link");
    assert_eq!(mails[0].recipient, "hal@example.com");
    let link = mails[0]
        .body
        .lines()
        .find(|l| l.contains("/account/password/reset?token="))
        .unwrap()
        .trim()
        .to_owned();
    let path = link.strip_prefix(BASE).unwrap().to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    let page = elsewhere.get(&path).await.text();
    assert!(page.contains("Set new password"));

    let short = elsewhere
        .post(
            "/account/password/reset",
            &[("token", &token), ("new_password", "short")],
        )
        .await;
    assert_eq!(short.status, 400, "the rules hold; the link still works");
    let done = elsewhere
        .post(
            "/account/password/reset",
            &[
                ("token", &token),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(location(&done), "/account/login?done=password-reset");
    let again = elsewhere
        .post(
            "/account/password/reset",
            &[
                ("token", &token),
                ("new_password", "yet another passphrase"),
            ],
        )
        .await;
    assert_eq!(again.status, 400, "single use");
    assert!(testid_text(&again.text(), "form-error")
        .unwrap()
        .contains("expired or was already used"));
    assert!(elsewhere
        .get(&path)
        .await
        .text()
        .contains("expired or was already used"));
    // The session signed in with the old password is over; the new password signs in.
    assert_eq!(browser.get("/account").await.status, 302);
    let old = browser
        .post(
            "/account/login",
            &[("email", "hal@example.com"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, 400);
    let new = browser
        .post(
            "/account/login",
            &[
                ("email", "hal@example.com"),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(new.status, 303);
}

async fn changing_the_password_keeps_this_session_and_ends_the_others(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut here = Browser::new(&app);
    let mut there = Browser::new(&app);
    signed_up(&mut here, "ivy@example.com").await;
    signed_in(&mut here, "ivy@example.com").await;
    signed_in(&mut there, "ivy@example.com").await;
    let wrong = here
        .post(
            "/account/password",
            &[
                ("current_password", "not my password"),
                ("new_password", "another passphrase"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(testid_text(&wrong.text(), "form-error")
        .unwrap()
        .contains("current password"));
    let changed = here
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another passphrase"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text());
    assert_eq!(location(&changed), "/account?done=password-changed");
    assert_eq!(
        here.get("/account").await.status,
        200,
        "this session goes on"
    );
    assert_eq!(
        there.get("/account").await.status,
        302,
        "the other is signed out"
    );
}

async fn api_tokens_are_shown_once_used_and_revoked(t: &TestDb) {
    let app = app_with(t, &[]);
    let mut browser = Browser::new(&app);
    signed_up(&mut browser, "jo@example.com").await;
    signed_in(&mut browser, "jo@example.com").await;
    let made = browser
        .post("/account/tokens", &[("name", "my script")])
        .await;
    assert_eq!(made.status, 201);
    assert_eq!(made.headers[header::CACHE_CONTROL], "no-store");
    let secret = testid_text(&made.text(), "new-token").unwrap();
    assert!(secret.starts_with("hp_") && secret.len() == 35, "{secret}");
    let listed = browser.get("/account").await.text();
    assert!(!listed.contains(&secret), "shown once");
    assert!(testid_text(&listed, "api-token")
        .unwrap()
        .contains("my script"));

    let api = |auth: Option<String>, path: &'static str| {
        let app = app.clone();
        async move {
            let mut request = Request::get(path);
            if let Some(auth) = auth {
                request = request.header(header::AUTHORIZATION, auth);
            }
            send(&app, request.body(Body::empty()).unwrap()).await
        }
    };
    let me = api(Some(format!("Bearer {secret}")), "/api/me/").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["email"], "jo@example.com");
    assert!(me.json()["created_at"].as_str().unwrap().contains('T'));
    let orders = api(Some(format!("Bearer {secret}")), "/api/orders/").await;
    assert_eq!(orders.status, 200);
    assert_eq!(orders.json()["count"], 0);
    assert_eq!(orders.json()["results"], serde_json::json!([]));
    let row = browser.get("/account").await.text();
    let row = row.split("data-testid=\"api-token\"").nth(1).unwrap();
    let row = row.split("</tr>").next().unwrap();
    assert!(
        row.contains(" UTC") && !row.contains("Never"),
        "last used is shown: {row}"
    );
    for auth in [
        None,
        Some("Bearer".to_owned()),
        Some("Bearer hp_00000000000000000000000000000000".to_owned()),
        Some(format!("Basic {secret}")),
        Some(format!("Bearer {secret}x")),
    ] {
        for path in ["/api/me/", "/api/orders/"] {
            let reply = api(auth.clone(), path).await;
            assert_eq!(reply.status, 401, "{auth:?} {path}");
            assert_eq!(reply.headers[header::WWW_AUTHENTICATE], "Bearer");
            assert!(!reply.error().is_empty());
        }
    }
    let listed = browser.get("/account").await.text();
    let id = listed
        .split("name=\"id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let revoked = browser.post("/account/tokens/revoke", &[("id", &id)]).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(
        api(Some(format!("Bearer {secret}")), "/api/me/")
            .await
            .status,
        401
    );
    // Another account cannot revoke (or see) it.
    let again = browser.post("/account/tokens/revoke", &[("id", &id)]).await;
    assert_eq!(again.status, 404);
}

async fn https_cookies_are_host_prefixed_and_pages_send_hsts(t: &TestDb) {
    let app = app_with(t, &[("SHOP_PUBLIC_URL", "https://shop.example")]);
    let mut browser = Browser::new(&app);
    let home = browser.get("/").await;
    assert!(home.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
    let cookie = home.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with("__Host-shop_session=") && cookie.contains("; Secure"),
        "{cookie}"
    );
    let request = Request::post("/account/register")
        .header(header::HOST, "shop.example")
        .header(header::ORIGIN, "https://shop.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email=kim%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    assert_eq!(send(&app, request).await.status, 303);
    let request = Request::post("/account/login")
        .header(header::HOST, "shop.example")
        .header(header::ORIGIN, "https://shop.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email=kim%40example.com&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let reply = send(&app, request).await;
    assert_eq!(reply.status, 303);
    let auth = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("__Host-shop_auth="))
        .expect("a __Host- sign-in cookie");
    assert!(
        auth.contains("Secure") && auth.contains("Path=/") && auth.contains("HttpOnly"),
        "{auth}"
    );
    assert!(!auth.contains("Domain"));
}

on_both_backends!(
    registering_signing_in_and_out_rotates_the_session,
    a_wrong_password_and_an_unknown_email_get_one_message,
    sign_in_attempts_are_throttled_per_account_and_per_address,
    forms_from_other_sites_change_nothing,
    signing_in_merges_the_guest_cart_capped_at_stock,
    a_signed_in_order_belongs_to_the_account,
    a_reset_link_works_once_and_signs_every_session_out,
    changing_the_password_keeps_this_session_and_ends_the_others,
    api_tokens_are_shown_once_used_and_revoked,
    https_cookies_are_host_prefixed_and_pages_send_hsts,
);

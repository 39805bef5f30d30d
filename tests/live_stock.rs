//! Live stock through the real router and real databases (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): stock changes from checkout, adjustments, edits and archives reach
//! open event streams (on another instance too, through PostgreSQL's NOTIFY), a lost
//! listener makes streams resync, a slow stream does not hold others back, streams per
//! address are capped, shutdown ends them; and back-in-stock requests get one email each.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use common::browser::{location, Browser};
use common::http::{app_state_with, get, order_body, post_json, router_for, testid_text};
use common::TestDb;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{json, Value};
use shop::server::entities::outbox_email;
use shop::server::services::accounts::{self, AdminGrant};
use shop::server::services::{back_in_stock, inventory, product_admin};
use shop::server::AppState;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// An open `text/event-stream` answer, read event by event.
struct EventStream {
    body: Body,
    buffer: String,
}

/// One event: its name (`message` when it has none) and data; comments and `retry:` alone
/// are not events.
#[derive(Debug, PartialEq)]
struct Event {
    name: String,
    data: String,
}

impl EventStream {
    /// The next block the server sent (up to a blank line), or `None` when the stream ended;
    /// panics when nothing comes `within`.
    async fn next_block(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return Some(block);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let frame = tokio::time::timeout(left, self.body.frame())
                .await
                .unwrap_or_else(|_| panic!("no event within {within:?}; have {:?}", self.buffer));
            match frame {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buffer.push_str(&String::from_utf8_lossy(&data));
                    }
                }
                _ => return None,
            }
        }
    }

    async fn next_event(&mut self, within: Duration) -> Option<Event> {
        loop {
            let block = self.next_block(within).await?;
            let mut event = Event {
                name: "message".into(),
                data: String::new(),
            };
            let mut is_event = false;
            for line in block.lines() {
                if let Some(name) = line.strip_prefix("event:") {
                    event.name = name.trim().to_owned();
                    is_event = true;
                } else if let Some(data) = line.strip_prefix("data:") {
                    event.data.push_str(data.trim());
                    is_event = true;
                }
            }
            if is_event {
                return Some(event);
            }
        }
    }

    /// The next `stock` event, as (product, stock).
    async fn next_stock(&mut self, within: Duration) -> (i64, i64) {
        let event = self.next_event(within).await.expect("stream open");
        assert_eq!(event.name, "stock", "{event:?}");
        let data: Value = serde_json::from_str(&event.data).unwrap();
        (
            data["product_id"].as_i64().unwrap(),
            data["stock"].as_i64().unwrap(),
        )
    }
}

/// Opens `/api/stock/events{query}` as client `client`; the answer's status and, when 200,
/// the stream (its `retry:` already read).
async fn open(app: &Router, query: &str, client: &str) -> (StatusCode, Option<EventStream>, Value) {
    let mut request = Request::get(format!("/api/stock/events{query}"))
        .body(Body::empty())
        .unwrap();
    let addr: SocketAddr = client.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    if status != StatusCode::OK {
        let body = response.into_body().collect().await.unwrap().to_bytes();
        return (
            status,
            None,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        );
    }
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "text/event-stream");
    let mut stream = EventStream {
        body: response.into_body(),
        buffer: String::new(),
    };
    let first = stream.next_block(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        first, "retry: 2000",
        "the stream starts by saying when to reconnect"
    );
    (status, Some(stream), Value::Null)
}

async fn stream(app: &Router, query: &str) -> EventStream {
    open(app, query, "127.0.0.1:5000")
        .await
        .1
        .expect("stream opens")
}

/// An instance: its state with the live stock feed's source running.
async fn instance(
    t: &TestDb,
    vars: &[(&str, &str)],
) -> (AppState, Vec<tokio::task::JoinHandle<()>>) {
    let mut state = app_state_with(t, vars);
    let tasks = state.share_through(None);
    // Let the PostgreSQL listener start listening before anything changes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    (state, tasks)
}

async fn admin(t: &TestDb) -> i32 {
    let grant = accounts::make_admin(&t.db, "staff@example.com", || {
        Ok("correct horse battery".to_owned())
    })
    .await
    .unwrap();
    assert_eq!(grant, AdminGrant::Created);
    accounts::find_by_email(&t.db, "staff@example.com")
        .await
        .unwrap()
        .unwrap()
        .id
}

/// Buys `quantity` of `product` through the REST API (cash on delivery).
async fn buy(app: &Router, session: &str, product: i32, quantity: i64) {
    let r = post_json(
        app,
        "/api/cart/",
        json!({"session_id": session, "product_id": product, "quantity": quantity}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let order = order_body(session, json!({"method": "cash_on_delivery"}));
    let r = post_json(app, "/api/orders/", order).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

const SOON: Duration = Duration::from_secs(1);

async fn every_kind_of_change_reaches_open_streams(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state.clone());
    let lamp = t.product("Lamp", "20.00", 3).await;
    let rug = t.product("Rug", "90.00", 8).await;
    let by = admin(t).await;
    let mut lamp_only = stream(&app, &format!("?products={lamp}")).await;
    let mut everything = stream(&app, "").await;

    buy(&app, "buyer-1", lamp, 2).await;
    assert_eq!(
        lamp_only.next_stock(SOON).await,
        (i64::from(lamp), 1),
        "checkout"
    );
    assert_eq!(everything.next_stock(SOON).await, (i64::from(lamp), 1));

    buy(&app, "buyer-2", rug, 1).await;
    assert_eq!(everything.next_stock(SOON).await, (i64::from(rug), 7));

    inventory::adjust(&t.db, lamp, 4, "received", by)
        .await
        .unwrap();
    assert_eq!(
        lamp_only.next_stock(SOON).await,
        (i64::from(lamp), 5),
        "adjustment"
    );

    product_admin::archive(&t.db, lamp, by).await.unwrap();
    assert_eq!(
        lamp_only.next_stock(SOON).await,
        (i64::from(lamp), 0),
        "archive"
    );

    t.db.execute_unprepared(&format!(
        "UPDATE products SET archived_at = NULL, stock = 2 WHERE id = {lamp}"
    ))
    .await
    .unwrap();
    assert_eq!(
        lamp_only.next_stock(SOON).await,
        (i64::from(lamp), 2),
        "edit"
    );
    // A write that leaves the stock as it was sends nothing.
    t.db.execute_unprepared(&format!(
        "UPDATE products SET name = 'Desk lamp' WHERE id = {lamp}"
    ))
    .await
    .unwrap();
    inventory::adjust(&t.db, rug, 1, "received", by)
        .await
        .unwrap();
    assert_eq!(everything.next_stock(SOON).await, (i64::from(lamp), 5));
    assert_eq!(everything.next_stock(SOON).await, (i64::from(lamp), 0));
    assert_eq!(everything.next_stock(SOON).await, (i64::from(lamp), 2));
    assert_eq!(
        everything.next_stock(SOON).await,
        (i64::from(rug), 8),
        "no event for the rename"
    );
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn a_refused_checkout_sends_nothing(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state);
    let vase = t.product("Vase", "15.00", 1).await;
    let mut events = stream(&app, "").await;
    // A declined card: the stock is reserved and put back (two events), and the order is
    // cancelled; the stream ends where it began.
    let r = post_json(
        &app,
        "/api/cart/",
        json!({"session_id": "decline", "product_id": vase, "quantity": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let order = order_body(
        "decline",
        json!({"method": "card", "card_number": "4000000000000002"}),
    );
    let r = post_json(&app, "/api/orders/", order).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
    assert_eq!(events.next_stock(SOON).await, (i64::from(vase), 0));
    assert_eq!(events.next_stock(SOON).await, (i64::from(vase), 1));
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn the_snapshot_and_bad_lists(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state);
    let a = t.product("A", "1.00", 4).await;
    let b = t.product("B", "1.00", 0).await;
    let r = get(&app, &format!("/api/stock/?products={b},{a},999999")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.json(),
        json!([
            {"product_id": b, "stock": 0},
            {"product_id": a, "stock": 4},
            {"product_id": 999999, "stock": 0}
        ])
    );
    let all = get(&app, "/api/stock/").await.json();
    assert_eq!(all.as_array().unwrap().len(), 2);
    let many = (1..=101)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    for bad in [
        "x",
        "0",
        "-3",
        "1,,2",
        "99999999999999999999",
        "1%00",
        &many,
    ] {
        for path in ["/api/stock/", "/api/stock/events/"] {
            let r = get(&app, &format!("{path}?products={bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} {bad}");
            assert!(r.error().contains("products"), "{}", r.error());
        }
    }
    // What the document allows, the API accepts (the fuzzer holds it to that too).
    let doc = get(&app, "/api/openapi.json").await.json();
    let param = &doc["paths"]["/api/stock/"]["get"]["parameters"][0];
    assert_eq!(param["name"], "products");
    let pattern = regex::Regex::new(param["schema"]["pattern"].as_str().unwrap()).unwrap();
    let longest = (1..=100)
        .map(|i| (999_999_800 + i).to_string())
        .collect::<Vec<_>>()
        .join(",");
    for list in [
        "",
        "1",
        "1,2,3",
        "5,5",
        "999999999",
        longest.as_str(),
        "0",
        "01",
        "1,",
        " 1",
    ] {
        if pattern.is_match(list) {
            let r = get(&app, &format!("/api/stock/?products={list}")).await;
            assert_eq!(r.status, StatusCode::OK, "{list:?} is documented as valid");
        }
    }
    assert!(pattern.is_match(&longest));
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn streams_per_address_are_capped(t: &TestDb) {
    let (state, tasks) = instance(t, &[("SHOP_STOCK_STREAMS_PER_CLIENT", "2")]).await;
    let app = router_for(state.clone());
    let first = open(&app, "", "10.0.0.1:1000").await.1.unwrap();
    let _second = open(&app, "", "10.0.0.1:1001").await.1.unwrap();
    let (status, none, body) = open(&app, "", "10.0.0.1:1002").await;
    assert!(none.is_none());
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        body["error"].as_str().unwrap().contains("at most 2"),
        "{body}"
    );
    // Another address is not held back; a closed stream frees its place.
    let _other = open(&app, "", "10.0.0.2:1000").await.1.unwrap();
    assert_eq!(state.stock.open_streams(), 3);
    drop(first);
    assert!(open(&app, "", "10.0.0.1:1003").await.1.is_some());
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn a_slow_stream_does_not_hold_others_back(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state);
    let bowl = t.product("Bowl", "5.00", 0).await;
    let by = admin(t).await;
    // Never read while the changes happen: its backlog overflows.
    let mut slow = stream(&app, "").await;
    let mut quick = stream(&app, "").await;
    let changes = 1100; // more than a stream may fall behind
    let writer = {
        let db = t.db.clone();
        tokio::spawn(async move {
            for _ in 0..changes {
                inventory::adjust(&db, bowl, 1, "received", by)
                    .await
                    .unwrap();
            }
        })
    };
    for expected in 1..=changes {
        assert_eq!(
            quick.next_stock(Duration::from_secs(5)).await,
            (i64::from(bowl), expected)
        );
    }
    writer.await.unwrap();
    // The slow one is told to start afresh instead of being sent an endless backlog.
    let mut told = None;
    for _ in 0..=1024 {
        let event = slow.next_event(SOON).await.unwrap();
        if event.name == "resync" {
            told = Some(event);
            break;
        }
    }
    assert_eq!(told.map(|e| e.data), Some("{}".to_owned()));
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn closing_the_feed_ends_every_stream(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state.clone());
    let mut a = stream(&app, "").await;
    let mut b = stream(&app, "?products=1").await;
    state.stock.close();
    assert_eq!(a.next_block(SOON).await, None);
    assert_eq!(b.next_block(SOON).await, None);
    assert_eq!(state.stock.open_streams(), 0);
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

/// "Email me when it's back": asked through the product page's form (no JavaScript), one
/// email per request once the product is back, each with a working unsubscribe link.
async fn back_in_stock_requests_get_one_email(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state.clone());
    let chair = t.product("Chair", "120.00", 0).await;
    let stool = t.product("Stool", "40.00", 0).await;
    let by = admin(t).await;
    let mut browser = Browser::new(&app);

    let page = browser.get(&format!("/product/{chair}")).await.text();
    assert!(
        page.contains("Email me when it&#x27;s back") || page.contains("Email me when it's back")
    );
    assert!(
        !page.contains(r#"data-testid="back-in-stock" hidden"#),
        "shown when sold out"
    );

    let form = format!("/product/{chair}/back-in-stock");
    for email in ["ada@example.com", " ADA@example.com ", "bob@example.com"] {
        let r = browser.post(&form, &[("email", email)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(location(&r), format!("/product/{chair}?done=back-in-stock"));
    }
    let shown = browser
        .get(&format!("/product/{chair}?done=back-in-stock"))
        .await;
    assert_eq!(
        testid_text(&shown.text(), "notice").as_deref(),
        Some("We'll email you when it's back in stock.")
    );
    let r = browser
        .post(
            &format!("/product/{stool}/back-in-stock"),
            &[("email", "ada@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        back_in_stock::waiting(&t.db, chair).await.unwrap(),
        2,
        "one per email"
    );

    // Refusals: a bad email, a product in stock, no such product; nothing is recorded.
    let r = browser.post(&form, &[("email", "not an email")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        testid_text(&r.text(), "form-error").as_deref(),
        Some("Please enter a valid email address")
    );
    let lamp = t.product("Lamp", "20.00", 3).await;
    let r = browser
        .post(
            &format!("/product/{lamp}/back-in-stock"),
            &[("email", "c@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("in stock now"));
    assert!(
        !r.text().contains(r#"data-testid="back-in-stock" hidden"#)
            || r.text().contains("form-error")
    );
    let r = browser
        .post(
            "/product/999999/back-in-stock",
            &[("email", "c@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let huge = "a".repeat(5000) + "@example.com";
    let r = browser.post(&form, &[("email", huge.as_str())]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(back_in_stock::waiting(&t.db, chair).await.unwrap(), 2);

    // Still sold out: nothing to send.
    assert_eq!(
        back_in_stock::notify_restocked(&t.db, "http://shop.test")
            .await
            .unwrap(),
        0
    );
    inventory::adjust(&t.db, chair, 2, "received", by)
        .await
        .unwrap();
    // Two runs at once (as two instances would): each request is taken once.
    let (one, two) = tokio::join!(
        back_in_stock::notify_restocked(&t.db, "http://shop.test"),
        back_in_stock::notify_restocked(&t.db, "http://shop.test"),
    );
    assert_eq!(one.unwrap() + two.unwrap(), 2);
    assert_eq!(
        back_in_stock::notify_restocked(&t.db, "http://shop.test")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        back_in_stock::waiting(&t.db, chair).await.unwrap(),
        0,
        "the requests ended"
    );
    let emails: Vec<_> = outbox_email::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "back_in_stock")
        .collect();
    let mut to: Vec<_> = emails.iter().map(|e| e.recipient.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["ada@example.com", "bob@example.com"]);
    let ada = emails
        .iter()
        .find(|e| e.recipient == "ada@example.com")
        .unwrap();
    assert_eq!(ada.subject, "Chair is back in stock at Harbor & Pine");
    assert!(
        ada.body
            .contains(&format!("http://shop.test/product/{chair}")),
        "{}",
        ada.body
    );

    // Ada's link cancels her request for the stool, still waiting; then it is used up for
    // nothing, and a made-up link is refused.
    let link = ada
        .body
        .lines()
        .find(|l| l.starts_with("http://shop.test/back-in-stock/unsubscribe?token="))
        .unwrap();
    let token = link.rsplit_once('=').unwrap().1;
    let page = browser
        .get(&format!("/back-in-stock/unsubscribe?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        back_in_stock::waiting(&t.db, stool).await.unwrap(),
        1,
        "a GET changes nothing"
    );
    let r = browser
        .post("/back-in-stock/unsubscribe", &[("token", token)])
        .await;
    assert_eq!(
        location(&r),
        "/back-in-stock/unsubscribe?done=back-in-stock-stopped"
    );
    assert_eq!(back_in_stock::waiting(&t.db, stool).await.unwrap(), 0);
    let r = browser
        .post(
            "/back-in-stock/unsubscribe",
            &[("token", "0123456789abcdef")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("not valid"));

    // The job does this by itself: a restock wakes it.
    let r = browser
        .post(
            &format!("/product/{stool}/back-in-stock"),
            &[("email", "cy@example.com")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let job = shop::server::jobs::restock::start(
        t.db.clone(),
        &state.stock,
        "http://shop.test".into(),
        stopped,
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    inventory::adjust(&t.db, stool, 1, "received", by)
        .await
        .unwrap();
    let started = Instant::now();
    while back_in_stock::waiting(&t.db, stool).await.unwrap() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the job never ran"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    job.await.unwrap();
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

/// The product page draws what the live-stock island updates.
async fn pages_mark_what_the_island_updates(t: &TestDb) {
    let (state, tasks) = instance(t, &[]).await;
    let app = router_for(state);
    let lamp = t.product("Lamp", "20.00", 3).await;
    let mut browser = Browser::new(&app);
    let page = browser.get(&format!("/product/{lamp}")).await.text();
    assert!(page.contains(&format!(
        r#"data-testid="product-detail" data-stock-product="{lamp}""#
    )));
    assert_eq!(
        testid_text(&page, "stock-count").as_deref(),
        Some("3 in stock")
    );
    assert!(
        page.contains(r#"data-testid="back-in-stock" hidden"#),
        "hidden while in stock"
    );
    let home = browser.get("/").await.text();
    assert!(home.contains(&format!(r#"data-stock-product="{lamp}""#)));
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

on_both_backends!(
    every_kind_of_change_reaches_open_streams,
    a_refused_checkout_sends_nothing,
    the_snapshot_and_bad_lists,
    streams_per_address_are_capped,
    a_slow_stream_does_not_hold_others_back,
    closing_the_feed_ends_every_stream,
    back_in_stock_requests_get_one_email,
    pages_mark_what_the_island_updates,
);

/// Two instances on one PostgreSQL database: a checkout through A reaches a stream on B
/// within a second (the trigger's NOTIFY, B's listener); a listener that loses its
/// connection tells its streams to resync once it listens again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_instances_share_stock_changes() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let (a, a_tasks) = instance(&t, &[]).await;
    let (b, b_tasks) = instance(&t, &[]).await;
    let (app_a, app_b) = (router_for(a), router_for(b));
    let kettle = t.product("Kettle", "35.00", 1).await;
    let mut on_b = stream(&app_b, &format!("?products={kettle}")).await;
    let started = Instant::now();
    buy(&app_a, "shopper-a", kettle, 1).await;
    assert_eq!(on_b.next_stock(SOON).await, (i64::from(kettle), 0));
    eprintln!("checkout on A to event on B: {:?}", started.elapsed());

    // End B's (and A's) listening connections from the server side.
    t.db.execute_unprepared(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    )
    .await
    .unwrap();
    let event = on_b.next_event(Duration::from_secs(10)).await.unwrap();
    assert_eq!(event.name, "resync", "{event:?}");
    // And it hears changes again.
    let by = admin(&t).await;
    inventory::adjust(&t.db, kettle, 5, "received", by)
        .await
        .unwrap();
    assert_eq!(
        on_b.next_stock(Duration::from_secs(2)).await,
        (i64::from(kettle), 5)
    );
    a_tasks
        .iter()
        .chain(&b_tasks)
        .for_each(tokio::task::JoinHandle::abort);
    t.finish().await;
}

/// The real binary: SIGTERM ends open streams cleanly and the process exits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_ends_streams() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/shop.db?mode=rwc", dir.display());
    let server = common::process::Server::start(&url, &[("SHOP_SHUTDOWN_GRACE_SECS", "10")]).await;
    let mut socket = tokio::net::TcpStream::connect(&server.addr).await.unwrap();
    socket
        .write_all(
            b"GET /api/stock/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n",
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("retry: 2000") {
        let n = tokio::time::timeout(SOON, socket.read(&mut chunk))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&chunk[..n]);
    }
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    let signalled = Instant::now();
    server.signal("TERM");
    // The stream ends (the chunked body's last chunk, then the connection closes) long
    // before the grace period would have forced it.
    loop {
        let n = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut chunk))
            .await
            .expect("the stream ended at shutdown")
            .unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&chunk[..n]);
    }
    assert!(
        String::from_utf8_lossy(&seen).ends_with("0\r\n\r\n"),
        "a clean end of the body"
    );
    assert!(signalled.elapsed() < Duration::from_secs(5));
    server.exits_cleanly().await;
    std::fs::remove_dir_all(dir).ok();
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "shop-live-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The real binary: a client that goes away frees its place at once (the per-address cap
/// counts open streams, not streams whose clients left).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_leaves_frees_its_stream() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile_dir();
    let url = format!("sqlite://{}/shop.db?mode=rwc", dir.display());
    let server =
        common::process::Server::start(&url, &[("SHOP_STOCK_STREAMS_PER_CLIENT", "1")]).await;
    let open = |addr: String| async move {
        let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
        socket
            .write_all(b"GET /api/stock/events HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut head = [0u8; 12];
        socket.read_exact(&mut head).await.unwrap();
        (String::from_utf8_lossy(&head).to_string(), socket)
    };
    let (status, first) = open(server.addr.clone()).await;
    assert_eq!(status, "HTTP/1.1 200");
    assert_eq!(open(server.addr.clone()).await.0, "HTTP/1.1 429");
    drop(first);
    let left = Instant::now();
    loop {
        let (status, _socket) = open(server.addr.clone()).await;
        if status == "HTTP/1.1 200" {
            break;
        }
        assert!(
            left.elapsed() < Duration::from_secs(3),
            "the place was never freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("place freed {:?} after the client left", left.elapsed());
    server.signal("TERM");
    server.exits_cleanly().await;
    std::fs::remove_dir_all(dir).ok();
}

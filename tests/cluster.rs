//! Several instances on one database, in-process: two app states side by side, as two
//! processes would have, sharing write limits through the real Redis and catalogue changes
//! through Redis or PostgreSQL's LISTEN/NOTIFY.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use common::http::{app_state_with, router_for, send};
use common::TestDb;
use shop::server::{cluster, AppState};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The local Redis (`TEST_REDIS_URL`, default `redis://127.0.0.1:6379`), or `None` with a
/// notice; CI (`REQUIRE_REDIS=1`) fails instead.
async fn redis() -> Option<(redis::Client, redis::aio::ConnectionManager)> {
    let url = std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    match cluster::connect_redis(&url).await {
        Ok(redis) => Some(redis),
        Err(err) if std::env::var("REQUIRE_REDIS").as_deref() == Ok("1") => {
            panic!("REQUIRE_REDIS=1 but {err}")
        }
        Err(err) => {
            eprintln!("redis SKIPPED: {err}");
            None
        }
    }
}

/// Two instances' states over one database, sharing through `redis` (or the database).
async fn two_instances(
    t: &TestDb,
    vars: &[(&str, &str)],
    redis: Option<(redis::Client, redis::aio::ConnectionManager)>,
) -> (AppState, AppState, Vec<tokio::task::JoinHandle<()>>) {
    let mut a = app_state_with(t, vars);
    let mut b = app_state_with(t, vars);
    let mut tasks = a.share_through(redis.clone());
    tasks.extend(b.share_through(redis));
    // Let both listeners subscribe before anything is published.
    tokio::time::sleep(Duration::from_millis(300)).await;
    (a, b, tasks)
}

/// A different client address for every run, so runs never share a Redis bucket.
fn fresh_client() -> String {
    let n: u32 = rand::random();
    format!("10.{}.{}.{}:4000", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

async fn write_from(state: &AppState, client: &str, product: i32) -> StatusCode {
    let app = router_for(state.clone());
    let mut request = Request::post("/api/cart/")
        .header("content-type", "application/json")
        .body(Body::from(format!(
            "{{\"session_id\": \"shared\", \"product_id\": {product}}}"
        )))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(client.parse::<SocketAddr>().unwrap()));
    send(&app, request).await.status
}

async fn write_limits_are_shared_through_redis(t: &TestDb) {
    let Some(redis) = redis().await else { return };
    let id = t.product("Mug", "5.00", 100).await;
    let (a, b, tasks) = two_instances(t, &[("SHOP_WRITE_RATE_LIMIT", "3")], Some(redis)).await;
    let client = fresh_client();
    assert_eq!(write_from(&a, &client, id).await, StatusCode::CREATED);
    assert_eq!(write_from(&b, &client, id).await, StatusCode::CREATED);
    assert_eq!(write_from(&a, &client, id).await, StatusCode::CREATED);
    // The fourth write is refused by either instance: the bucket is one.
    assert_eq!(
        write_from(&b, &client, id).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        write_from(&a, &client, id).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        write_from(&b, &fresh_client(), id).await,
        StatusCode::CREATED
    );
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

/// B caches a product; A changes it and invalidates: B serves the change at once, long before
/// its cache's 60 s would run out.
async fn assert_change_reaches_the_other_instance(t: &TestDb, a: &AppState, b: &AppState) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use shop::server::entities::product;
    let id = t.product("Lamp", "5.00", 3).await;
    assert_eq!(b.catalogue.product(&b.db, id).await.unwrap().stock, 3);
    product::Entity::update_many()
        .col_expr(product::Column::Stock, Expr::value(8))
        .filter(product::Column::Id.eq(id))
        .exec(&t.db)
        .await
        .unwrap();
    assert_eq!(
        b.catalogue.product(&b.db, id).await.unwrap().stock,
        3,
        "cached"
    );
    a.catalogue.invalidate();
    let started = Instant::now();
    while b.catalogue.product(&b.db, id).await.unwrap().stock != 8 {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the change did not reach the other instance on {}",
            t.backend
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn catalogue_changes_reach_every_instance_through_redis(t: &TestDb) {
    let Some(redis) = redis().await else { return };
    let vars = [("SHOP_CATALOGUE_CACHE_SECS", "60")];
    let (a, b, tasks) = two_instances(t, &vars, Some(redis)).await;
    assert_change_reaches_the_other_instance(t, &a, &b).await;
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

async fn catalogue_changes_reach_every_instance_through_postgres(t: &TestDb) {
    if t.backend != "postgres" {
        return; // One SQLite file is one instance: there is nobody to tell.
    }
    let vars = [("SHOP_CATALOGUE_CACHE_SECS", "60")];
    let (a, b, tasks) = two_instances(t, &vars, None).await;
    assert_eq!(tasks.len(), 4, "a publisher and a listener per instance");
    assert_change_reaches_the_other_instance(t, &a, &b).await;
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
}

on_both_backends!(
    write_limits_are_shared_through_redis,
    catalogue_changes_reach_every_instance_through_redis,
    catalogue_changes_reach_every_instance_through_postgres,
);

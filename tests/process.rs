//! The real server process: bad configuration, graceful shutdown with a request in flight,
//! durability of acknowledged writes across `kill -9`, and two instances sharing PostgreSQL.
#![cfg(feature = "ssr")]

mod common;

use common::process::{command, get_status, read_response, request, Server};
use serde_json::Value;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

fn temp_sqlite(name: &str) -> (String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("shop-process-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    (format!("sqlite://{}/shop.db?mode=rwc", dir.display()), dir)
}

fn seed(url: &str, count: &str) {
    let out = command(url, "127.0.0.1:1")
        .args(["seed", count])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bad_configuration_is_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap().to_string();
    let (sqlite, dir) = temp_sqlite("badconf");
    let cases = [
        (
            "mysql://localhost/x",
            "127.0.0.1:0",
            "DATABASE_URL must start with",
        ),
        (
            "postgres://nobody@127.0.0.1:1/none",
            "127.0.0.1:0",
            "cannot open database",
        ),
        (sqlite.as_str(), taken_addr.as_str(), "cannot listen on"),
    ];
    for (url, addr, expected) in cases {
        let out = command(url, addr).arg("serve").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{url} {addr}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("");
        assert!(
            last.starts_with("shop: ") && last.contains(expected),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = command(&sqlite, "127.0.0.1:0")
        .env("LEPTOS_SITE_ADDR", "nowhere")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    drop(taken);
    let _ = std::fs::remove_dir_all(dir);
}

/// SIGTERM while a request is in flight: the request still completes, then the process exits 0.
#[tokio::test]
async fn shutdown_finishes_the_request_in_flight() {
    let (url, dir) = temp_sqlite("shutdown");
    seed(&url, "3");
    let server = Server::start(&url, &[]).await;
    // Start a request whose body is still arriving, so it is in flight when the signal comes.
    let body = r#"{"session_id": "in-flight", "product_id": 1, "quantity": 1}"#;
    let mut stream = TcpStream::connect(&server.addr).await.unwrap();
    let head = format!(
        "POST /api/cart/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // New connections are refused once shutdown began...
    assert!(request(&server.addr, "GET", "/health", None).await.is_err());
    // ...but the one in flight completes.
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let (status, reply) = read_response(stream).await.unwrap();
    assert_eq!(status, 201, "{reply}");
    server.exits_cleanly().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Every add the API acknowledged before `kill -9` is there after a restart.
#[tokio::test]
async fn acknowledged_adds_survive_kill_9() {
    let (url, dir) = temp_sqlite("kill9");
    seed(&url, "48");
    let server = Server::start(&url, &[]).await;
    let addr = server.addr.clone();
    let writer = tokio::spawn(async move {
        let mut acknowledged = Vec::new();
        for n in 0.. {
            let body =
                format!(r#"{{"session_id": "durable-{n}", "product_id": 1, "quantity": 1}}"#);
            match request(&addr, "POST", "/api/cart/", Some(&body)).await {
                Ok((201, _)) => acknowledged.push(n),
                _ => break,
            }
        }
        acknowledged
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.signal("KILL");
    let acknowledged = writer.await.unwrap();
    assert!(
        acknowledged.len() > 5,
        "only {} adds before the kill",
        acknowledged.len()
    );
    drop(server);
    let restarted = Server::start(&url, &[]).await;
    for n in &acknowledged {
        let (status, body) = request(
            &restarted.addr,
            "GET",
            &format!("/api/cart/?session_id=durable-{n}"),
            None,
        )
        .await
        .unwrap();
        let lines: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            (status, lines.as_array().map(Vec::len)),
            (200, Some(1)),
            "acknowledged add {n} was lost"
        );
    }
    eprintln!(
        "{} acknowledged adds all survived kill -9",
        acknowledged.len()
    );
    drop(restarted);
    let _ = std::fs::remove_dir_all(dir);
}

/// Two server processes on one PostgreSQL serve the same carts consistently.
#[tokio::test]
async fn two_instances_share_carts_on_postgres() {
    let Some(t) = common::postgres().await else {
        return;
    };
    let url = {
        let admin = std::env::var("TEST_DATABASE_URL").unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let name: String = sea_orm::ConnectionTrait::query_one_raw(
            &t.db,
            sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT current_database() AS name",
            ),
        )
        .await
        .unwrap()
        .unwrap()
        .try_get("", "name")
        .unwrap();
        format!("{base}/{name}")
    };
    seed(&url, "48");
    let a = Server::start(&url, &[]).await;
    let b = Server::start(&url, &[]).await;
    let add = r#"{"session_id": "shared", "product_id": 1, "quantity": 1}"#;
    assert_eq!(
        request(&a.addr, "POST", "/api/cart/", Some(add))
            .await
            .unwrap()
            .0,
        201
    );
    let (_, seen) = request(&b.addr, "GET", "/api/cart/?session_id=shared", None)
        .await
        .unwrap();
    let seen: Value = serde_json::from_str(&seen).unwrap();
    assert_eq!(
        seen[0]["quantity"], 1,
        "an add through one instance is seen through the other"
    );
    // Concurrent adds through both instances sum exactly into one line (product 1 has 64 in stock).
    let mut tasks = Vec::new();
    for i in 0..40 {
        let addr = if i % 2 == 0 {
            a.addr.clone()
        } else {
            b.addr.clone()
        };
        tasks.push(tokio::spawn(async move {
            request(&addr, "POST", "/api/cart/", Some(add))
                .await
                .unwrap()
                .0
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    let (_, seen) = request(&a.addr, "GET", "/api/cart/?session_id=shared", None)
        .await
        .unwrap();
    let seen: Value = serde_json::from_str(&seen).unwrap();
    let created = statuses.iter().filter(|s| **s == 201).count() as i64;
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(
        (seen.as_array().unwrap().len(), seen[0]["quantity"].as_i64()),
        (1, Some(1 + created))
    );
    drop((a, b));
    t.finish().await;
}

/// A request that takes longer than the configured timeout is answered 408.
#[tokio::test]
async fn slow_requests_time_out() {
    let (url, dir) = temp_sqlite("timeout");
    seed(&url, "3");
    let server = Server::start(&url, &[("SHOP_REQUEST_TIMEOUT_SECS", "1")]).await;
    let mut stream = TcpStream::connect(&server.addr).await.unwrap();
    // Promise a body and never send it.
    let head = "POST /api/cart/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = std::time::Instant::now();
    let (status, _) = tokio::time::timeout(Duration::from_secs(10), read_response(stream))
        .await
        .expect("the server answered")
        .unwrap();
    assert_eq!(status, 408);
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// JSON log lines: one per request with method, path, status, latency and request id, and
/// nothing of session ids, cookies or bodies.
#[tokio::test]
async fn request_logs_are_json_lines_without_secrets() {
    let (url, dir) = temp_sqlite("logs");
    seed(&url, "3");
    let secret = "s3cr3t-session-4711";
    let mut server =
        Server::start(&url, &[("SHOP_LOG_FORMAT", "json"), ("RUST_LOG", "info")]).await;
    let body = format!(r#"{{"session_id": "{secret}", "product_id": 1}}"#);
    assert_eq!(
        request(&server.addr, "POST", "/api/cart/", Some(&body))
            .await
            .unwrap()
            .0,
        201
    );
    let query = format!("/api/cart/?session_id={secret}");
    assert_eq!(
        request(&server.addr, "GET", &query, None).await.unwrap().0,
        200
    );
    let mut stream = TcpStream::connect(&server.addr).await.unwrap();
    let cookie = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: shop_session={secret}\r\n\r\n"
    );
    stream.write_all(cookie.as_bytes()).await.unwrap();
    assert_eq!(read_response(stream).await.unwrap().0, 200);
    server.signal("TERM");
    let output = tokio::task::spawn_blocking(move || {
        let mut stderr = String::new();
        use std::io::Read;
        server
            .child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        stderr
    })
    .await
    .unwrap();
    assert!(
        !output.contains(secret),
        "a session id reached the log:\n{output}"
    );
    let lines: Vec<Value> = output
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    let paths: Vec<&str> = requests.iter().filter_map(|l| l["path"].as_str()).collect();
    assert!(
        paths.contains(&"/api/cart/") && paths.contains(&"/"),
        "{paths:?}"
    );
    for line in requests {
        for field in ["method", "path", "status", "latency_ms", "request_id"] {
            assert!(!line[field].is_null(), "{field} missing in {line}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Reads until the server closes the connection; `Err` if it is still open after `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Result<Vec<u8>, ()> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut got))
        .await
        .map_err(|_| ())?
        .ok();
    Ok(got)
}

/// A client that never finishes its headers, or stays silent on a kept-alive connection, is
/// cut off after the header-read timeout.
#[tokio::test]
async fn slow_headers_and_silent_connections_are_closed() {
    let (url, dir) = temp_sqlite("headers");
    let server = Server::start(&url, &[("SHOP_HEADER_READ_TIMEOUT_SECS", "1")]).await;
    let mut silent = TcpStream::connect(&server.addr).await.unwrap();
    let mut trickle = TcpStream::connect(&server.addr).await.unwrap();
    trickle
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    for stream in [&mut silent, &mut trickle] {
        assert!(
            closed_within(stream, Duration::from_secs(4)).await.is_ok(),
            "the connection is still open"
        );
    }
    // A kept-alive connection is served, then closed once idle past the timeout.
    let mut kept = TcpStream::connect(&server.addr).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = closed_within(&mut kept, Duration::from_secs(4))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    // The server itself is fine.
    assert_eq!(get_status(&server.addr, "/health").await, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// Past the connection cap, a new client waits until a connection closes.
#[tokio::test]
async fn connections_beyond_the_cap_wait_their_turn() {
    let (url, dir) = temp_sqlite("cap");
    let server = Server::start(
        &url,
        &[
            ("SHOP_MAX_CONNECTIONS", "2"),
            ("SHOP_HEADER_READ_TIMEOUT_SECS", "30"),
        ],
    )
    .await;
    // Server::start's probe connection has closed; give the server a moment to see it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let first = TcpStream::connect(&server.addr).await.unwrap();
    let second = TcpStream::connect(&server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let addr = server.addr.clone();
    let third = tokio::spawn(async move { request(&addr, "GET", "/health", None).await });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served beyond the cap"
    );
    drop(first);
    let (status, _) = tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("served once a connection closed")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    drop(second);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// On SIGTERM, /ready says 503 at once while requests are still served for the drain time,
/// so a load balancer moves away before the listener closes.
#[tokio::test]
async fn readiness_fails_first_when_shutting_down() {
    let (url, dir) = temp_sqlite("drain");
    let server = Server::start(&url, &[("SHOP_SHUTDOWN_DRAIN_SECS", "2")]).await;
    assert_eq!(get_status(&server.addr, "/ready").await, 200);
    server.signal("TERM");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, body) = request(&server.addr, "GET", "/ready", None).await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("shutting down"), "{body}");
    assert_eq!(get_status(&server.addr, "/health").await, 200);
    server.exits_cleanly().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// `/metrics` answers on its own address only, in Prometheus' text format, with requests by
/// route pattern and status, the pool, the cache and orders.
#[tokio::test]
async fn metrics_are_served_apart_in_prometheus_format() {
    let (url, dir) = temp_sqlite("metrics");
    seed(&url, "3");
    let metrics_addr = format!("127.0.0.1:{}", common::process::free_port());
    let server = Server::start(&url, &[("SHOP_METRICS_ADDR", metrics_addr.as_str())]).await;
    for path in ["/api/products/1/", "/api/products/2/", "/api/products/999/"] {
        request(&server.addr, "GET", path, None).await.unwrap();
    }
    assert_eq!(get_status(&server.addr, "/metrics").await, 404);
    let (status, text) = request(&metrics_addr, "GET", "/metrics", None)
        .await
        .unwrap();
    assert_eq!(status, 200);
    let series = |name: &str, labels: &[&str]| {
        text.lines()
            .any(|line| line.starts_with(name) && labels.iter().all(|label| line.contains(label)))
    };
    assert!(
        series(
            "shop_http_requests_total{",
            &[
                "route=\"/api/products/{id}/\"",
                "status=\"200\"",
                "method=\"GET\""
            ]
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("shop_http_requests_total{")
                && l.contains("route=\"/api/products/{id}/\"")
                && l.contains("status=\"200\"")
                && l.ends_with(" 2")),
        "two 200s counted under one route: {text}"
    );
    assert!(
        series("shop_http_requests_total{", &["status=\"404\""]),
        "{text}"
    );
    assert!(
        series(
            "shop_http_request_duration_seconds_bucket{",
            &["le=\"0.005\""]
        ),
        "{text}"
    );
    assert!(
        series("shop_db_pool_connections{", &["state=\"idle\""]),
        "{text}"
    );
    assert!(series("shop_db_pool_max_connections", &[]), "{text}");
    assert!(series("shop_catalogue_cache_misses_total", &[]), "{text}");
    assert!(series("shop_event_streams_open", &[]), "{text}");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

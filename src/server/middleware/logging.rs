//! Request ids and request logs. A log line has the method, the path (never the query, which
//! can carry a session id), the status, the latency and the request id; never cookies or bodies.
//! A caller's `x-request-id` is kept when it is a plain token (at most 64 of `A-Z a-z 0-9 . _ -`),
//! so ids can follow a request across services without letting anyone write into our logs.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;
use std::time::Instant;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const MAX_REQUEST_ID_LEN: usize = 64;

/// The caller's id if it is acceptable, else 64 random bits as 16 hex characters.
fn request_id(given: Option<&HeaderValue>) -> HeaderValue {
    if let Some(value) = given.filter(|v| is_acceptable(v.as_bytes())) {
        return value.clone();
    }
    HeaderValue::from_str(&format!("{:016x}", rand::rng().next_u64()))
        .unwrap_or_else(|_| HeaderValue::from_static("-"))
}

fn is_acceptable(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Gives the request its id (the handlers and the response see the same one) and logs it.
pub async fn log_requests(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(req.headers().get(&REQUEST_ID_HEADER));
    req.headers_mut().insert(REQUEST_ID_HEADER, id.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    // The route's pattern (`/product/{id}`), not the path: one metrics series per route.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("fallback", MatchedPath::as_str)
        .to_owned();
    let mut res = next.run(req).await;
    res.headers_mut().insert(REQUEST_ID_HEADER, id.clone());
    let request_id = id.to_str().unwrap_or("-");
    let status = res.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    crate::server::prometheus::record_request(&route, &method, status, seconds);
    let latency_ms = seconds * 1000.0;
    // A readiness probe's 503 (draining, or the database is away) is the probe doing its
    // job, not a failure of the request.
    let not_ready = route == "/ready" && status == 503;
    if res.status().is_server_error() && !not_ready {
        tracing::error!(%method, %path, status, latency_ms, %request_id, "request");
    } else if not_ready {
        tracing::warn!(%method, %path, status, latency_ms, %request_id, "request");
    } else {
        tracing::info!(%method, %path, status, latency_ms, %request_id, "request");
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_are_kept_and_others_replaced() {
        let keep = HeaderValue::from_static("abc-123_X.y");
        assert_eq!(request_id(Some(&keep)), keep);
        let too_long = HeaderValue::from_str(&"a".repeat(65)).unwrap();
        let odd = HeaderValue::from_static("a b;c");
        let empty = HeaderValue::from_static("");
        for bad in [too_long, odd, empty] {
            let made = request_id(Some(&bad));
            assert_ne!(made, bad);
            assert_eq!(made.len(), 16);
            assert!(is_acceptable(made.as_bytes()));
        }
        assert_eq!(request_id(None).len(), 16);
    }
}

//! Rate limiting of writes (POST and friends) per client (see [`ClientAddr::limit_key`]): a
//! token bucket per client ([`Throttle`]), refilled continuously. Over the limit: 429 with a JSON body and
//! Retry-After. Reads (GET, including the read-only server functions) are never limited.
//!
//! With Redis (`SHOP_REDIS_URL`) the buckets live there, shared by every instance, and are
//! updated by one script per write (atomic, on Redis's clock). Should Redis be away, each
//! instance falls back to its own buckets rather than refuse or wave through every write.

use super::client_addr::ClientAddr;
use crate::error::ShopError;
use crate::server::services::throttle::Throttle;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Writes per client address per minute (a [`Throttle`] of a minute's period).
#[derive(Clone)]
pub struct WriteLimiter(Throttle);

impl WriteLimiter {
    /// `per_minute` writes per address, in bursts of as many; 0 turns limiting off.
    pub fn new(per_minute: u32) -> Self {
        Self(Throttle::new("writes", per_minute, 60))
    }

    /// Keeps the buckets in Redis, shared with the other instances.
    pub fn shared_through(self, redis: redis::aio::ConnectionManager) -> Self {
        Self(self.0.shared_through(redis))
    }
}

pub async fn limit_writes(
    State(limiter): State<WriteLimiter>,
    req: Request,
    next: Next,
) -> Response {
    let is_write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let addr = req
        .extensions()
        .get::<ClientAddr>()
        .map(|client| client.limit_key());
    if let (true, Some(addr)) = (is_write, addr) {
        if let Err(retry_after) = limiter.0.take(&addr.to_string()).await {
            let mut res = ShopError::TooManyRequests.into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return res;
        }
    }
    next.run(req).await
}

//! Rate limiting of writes (POST and friends) per client (see [`ClientAddr::limit_key`]): a
//! token bucket per client, refilled continuously. Over the limit: 429 with a JSON body and
//! Retry-After. Reads (GET, including the read-only server functions) are never limited.
//!
//! With Redis (`SHOP_REDIS_URL`) the buckets live there, shared by every instance, and are
//! updated by one script per write (atomic, on Redis's clock). Should Redis be away, each
//! instance falls back to its own buckets rather than refuse or wave through every write.

use super::client_addr::ClientAddr;
use crate::error::ShopError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

/// Past this many tracked addresses, buckets that have refilled completely are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Clone)]
pub struct WriteLimiter {
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
    shared: Option<ConnectionManager>,
}

/// One token from `KEYS[1]`'s bucket of `ARGV[1]` per minute: answers 0 when taken, else the
/// seconds until the next one.
const TAKE_TOKEN: &str = r"
local capacity = tonumber(ARGV[1])
local per_second = capacity / 60
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * per_second)
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  retry = math.max(1, math.ceil((1 - tokens) / per_second))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], 120)
return retry
";

static TAKE_TOKEN_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(TAKE_TOKEN));

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl WriteLimiter {
    /// `per_minute` writes per address, in bursts of as many; 0 turns limiting off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Arc::default(),
            shared: None,
        }
    }

    /// Keeps the buckets in Redis, shared with the other instances.
    pub fn shared_through(mut self, redis: ConnectionManager) -> Self {
        self.shared = Some(redis);
        self
    }

    /// Takes one token for `addr`, from Redis when shared (this process's buckets if Redis
    /// fails); `Err(seconds)` until the next one is due.
    pub async fn take(&self, addr: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        if let Some(redis) = &self.shared {
            let taken = TAKE_TOKEN_SCRIPT
                .key(format!("shop:writes:{addr}"))
                .arg(self.per_minute)
                .invoke_async::<u64>(&mut redis.clone())
                .await;
            match taken {
                Ok(0) => return Ok(()),
                Ok(retry_after) => return Err(retry_after),
                Err(error) => {
                    tracing::warn!(%error, "Redis rate limit failed; limiting locally");
                }
            }
        }
        self.check(addr, Instant::now())
    }

    /// Takes one token for `addr`; `Err(seconds)` until the next one is due.
    pub fn check(&self, addr: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // A poisoned lock must not take the shop down: fail open.
        };
        if buckets.len() > MAX_TRACKED {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(addr).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
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
        if let Err(retry_after) = limiter.take(addr).await {
            let mut res = ShopError::TooManyRequests.into_response();
            if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return res;
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_up_to_the_limit_then_refills() {
        let limiter = WriteLimiter::new(60);
        let addr: IpAddr = "10.0.0.1".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(limiter.check(addr, t0).is_ok());
        }
        assert_eq!(limiter.check(addr, t0), Err(1));
        assert!(limiter.check(other, t0).is_ok(), "addresses are separate");
        assert!(limiter.check(addr, t0 + Duration::from_secs(1)).is_ok());
        assert!(limiter.check(addr, t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = WriteLimiter::new(0);
        let addr: IpAddr = "10.0.0.1".parse().unwrap();
        assert!((0..1000).all(|_| limiter.check(addr, Instant::now()).is_ok()));
    }
}

//! Rate limiting of writes (POST and friends) per client address: a token bucket per
//! address, refilled continuously. Over the limit: 429 with a JSON body and Retry-After.
//! Reads are never limited. The buckets are per process: each instance limits on its own.

use crate::error::ShopError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Past this many tracked addresses, buckets that have refilled completely are dropped.
const MAX_TRACKED: usize = 10_000;

#[derive(Clone)]
pub struct WriteLimiter {
    per_minute: u32,
    buckets: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
}

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
        }
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
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let (true, Some(addr)) = (is_write, addr) {
        if let Err(retry_after) = limiter.check(addr, Instant::now()) {
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

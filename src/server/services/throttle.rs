//! Token buckets per key ("at most N per period, in bursts of N"), refilled continuously:
//! the write limit per client address, and the sign-in and password-reset attempts per
//! account and per address.
//!
//! With Redis (`SHOP_REDIS_URL`) the buckets live there, shared by every instance, and are
//! updated by one script per attempt (atomic, on Redis's clock). Should Redis be away, each
//! instance falls back to its own buckets rather than refuse or wave through everything.

use redis::aio::ConnectionManager;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Instant;

/// Past this many tracked keys, buckets that have refilled completely are dropped.
const MAX_TRACKED: usize = 10_000;

/// One token from `KEYS[1]`'s bucket of `ARGV[1]` per `ARGV[2]` seconds: answers 0 when
/// taken, else the seconds until the next one.
const TAKE_TOKEN: &str = r"
local capacity = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local per_second = capacity / period
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
redis.call('EXPIRE', KEYS[1], math.ceil(period * 2))
return retry
";

static TAKE_TOKEN_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(TAKE_TOKEN));

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

#[derive(Clone)]
pub struct Throttle {
    /// Names the buckets in Redis (`shop:<name>:<key>`).
    name: &'static str,
    capacity: u32,
    period_secs: u32,
    buckets: Arc<Mutex<HashMap<String, Bucket>>>,
    shared: Option<ConnectionManager>,
}

impl Throttle {
    /// `capacity` per `period_secs` for each key, in bursts of as many; 0 turns it off.
    pub fn new(name: &'static str, capacity: u32, period_secs: u32) -> Self {
        Self {
            name,
            capacity,
            period_secs: period_secs.max(1),
            buckets: Arc::default(),
            shared: None,
        }
    }

    /// Keeps the buckets in Redis, shared with the other instances.
    pub fn shared_through(mut self, redis: ConnectionManager) -> Self {
        self.shared = Some(redis);
        self
    }

    /// Takes one token for `key`, from Redis when shared (this process's buckets if Redis
    /// fails); `Err(seconds)` until the next one is due.
    pub async fn take(&self, key: &str) -> Result<(), u64> {
        if self.capacity == 0 {
            return Ok(());
        }
        if let Some(redis) = &self.shared {
            let taken = TAKE_TOKEN_SCRIPT
                .key(format!("shop:{}:{key}", self.name))
                .arg(self.capacity)
                .arg(self.period_secs)
                .invoke_async::<u64>(&mut redis.clone())
                .await;
            match taken {
                Ok(0) => return Ok(()),
                Ok(retry_after) => return Err(retry_after),
                Err(error) => {
                    tracing::warn!(%error, throttle = self.name, "Redis throttle failed; counting locally");
                }
            }
        }
        self.check(key, Instant::now())
    }

    /// Takes one token for `key` from this process's buckets; `Err(seconds)` until the next
    /// one is due.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), u64> {
        if self.capacity == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.capacity);
        let per_second = capacity / f64::from(self.period_secs);
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // A poisoned lock must not take the shop down: fail open.
        };
        if buckets.len() > MAX_TRACKED {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.updated).as_secs_f64() * per_second < capacity
            });
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket {
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

/// Attempts at something guessable (signing in, resetting a password), throttled both per
/// account and per client address: guessing one account's password and trying one password
/// on many accounts are both slowed. An address may try three times what an account may.
#[derive(Clone)]
pub struct Attempts {
    per_account: Throttle,
    per_address: Throttle,
}

/// The attempts' period: 15 minutes.
const ATTEMPT_PERIOD_SECS: u32 = 15 * 60;

impl Attempts {
    /// `per_account` attempts per account per 15 minutes (0 = no limit).
    pub fn new(name: &'static str, per_account: u32) -> Self {
        Self {
            per_account: Throttle::new(name, per_account, ATTEMPT_PERIOD_SECS),
            per_address: Throttle::new(name, per_account.saturating_mul(3), ATTEMPT_PERIOD_SECS),
        }
    }

    pub fn shared_through(self, redis: ConnectionManager) -> Self {
        Self {
            per_account: self.per_account.shared_through(redis.clone()),
            per_address: self.per_address.shared_through(redis),
        }
    }

    /// Counts one attempt from `address` alone (when no account is named, e.g. a reset
    /// link's token); refused with how long to wait when over its limit.
    pub async fn take_from(&self, address: &str) -> Result<(), crate::error::ShopError> {
        self.per_address
            .take(&format!("addr:{address}"))
            .await
            .map_err(too_many)
    }

    /// Counts one attempt on `account` (an email key) from `address`; refused with how long
    /// to wait when either is over its limit.
    pub async fn take(&self, account: &str, address: &str) -> Result<(), crate::error::ShopError> {
        let by_address = self.per_address.take(&format!("addr:{address}")).await;
        let by_account = self.per_account.take(&format!("account:{account}")).await;
        match (by_address, by_account) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(a), Err(b)) => Err(too_many(a.max(b))),
            (Err(wait), _) | (_, Err(wait)) => Err(too_many(wait)),
        }
    }
}

fn too_many(retry_after_secs: u64) -> crate::error::ShopError {
    crate::error::ShopError::TooManyAttempts { retry_after_secs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bursts_up_to_the_limit_then_refills() {
        let throttle = Throttle::new("test", 60, 60);
        let t0 = Instant::now();
        for _ in 0..60 {
            assert!(throttle.check("10.0.0.1", t0).is_ok());
        }
        assert_eq!(throttle.check("10.0.0.1", t0), Err(1));
        assert!(throttle.check("10.0.0.2", t0).is_ok(), "keys are separate");
        assert!(throttle
            .check("10.0.0.1", t0 + Duration::from_secs(1))
            .is_ok());
        assert!(throttle
            .check("10.0.0.1", t0 + Duration::from_secs(1))
            .is_err());
    }

    #[test]
    fn a_long_period_asks_for_a_long_wait() {
        let throttle = Throttle::new("test", 5, 900);
        let t0 = Instant::now();
        for _ in 0..5 {
            assert!(throttle.check("ann", t0).is_ok());
        }
        assert_eq!(throttle.check("ann", t0), Err(180));
    }

    #[test]
    fn zero_turns_it_off() {
        let throttle = Throttle::new("test", 0, 60);
        assert!((0..1000).all(|_| throttle.check("k", Instant::now()).is_ok()));
    }
}

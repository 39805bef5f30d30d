//! The layers around every request: ids and logs, security headers, write rate limits.

pub mod caching;
pub mod logging;
pub mod rate_limit;
pub mod security;

//! The layers around every request: ids and logs, the client's address, security headers,
//! write rate limits.

pub mod caching;
pub mod client_addr;
pub mod logging;
pub mod rate_limit;
pub mod security;

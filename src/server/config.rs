//! Configuration from the environment, with defaults that need nothing.

use ipnet::IpNet;
use std::net::SocketAddr;

/// Where the embedded database lives unless `DATABASE_URL` says otherwise.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/shop.db?mode=rwc";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";
pub const DEFAULT_MAIL_DIR: &str = "data/mail";
pub const DEFAULT_MAIL_FROM: &str = "Harbor & Pine <orders@harborandpine.example>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default, a file created and migrated at start) or
    /// `postgres://…` (several instances share one).
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where to listen.
    pub addr: SocketAddr,
    /// `SHOP_PUBLIC_URL`: the origin clients reach the shop at, used for absolute URLs in
    /// the API (`image_url`, page links). Defaults to `http://<listen address>`.
    pub public_url: String,
    /// `SHOP_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser,
    /// or `*` for any (the API uses no cookies or credentials, so that is safe to offer).
    /// Empty by default: same-origin only.
    pub cors_origins: CorsOrigins,
    /// `SHOP_TRUSTED_PROXIES`: comma-separated addresses or networks (`10.0.0.0/8`, `::1`)
    /// of proxies whose `X-Forwarded-For` is believed. Empty by default: the peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// `RUST_LOG`: the log filter (default `info`).
    pub log_filter: String,
    /// `SHOP_LOG_FORMAT`: `text` (default) or `json` lines.
    pub log_format: LogFormat,
    /// `SHOP_WRITE_RATE_LIMIT`: writes per minute per client address (default 600; 0 = off).
    pub write_rate_limit: u32,
    /// `SHOP_REQUEST_TIMEOUT_SECS`: longest a request may take (default 30).
    pub request_timeout_secs: u64,
    /// `SHOP_SHUTDOWN_GRACE_SECS`: how long in-flight requests may finish on shutdown (default 20).
    pub shutdown_grace_secs: u64,
    /// `SHOP_SHUTDOWN_DRAIN_SECS`: on shutdown, how long to keep serving while `/ready` says
    /// 503, so a load balancer stops sending new requests first (default 0).
    pub shutdown_drain_secs: u64,
    /// `SHOP_HEADER_READ_TIMEOUT_SECS`: a client must send a request's headers within this
    /// time, also between requests on a kept-alive connection (default 10).
    pub header_read_timeout_secs: u64,
    /// `SHOP_IDLE_TIMEOUT_SECS`: a connection that moves no bytes either way for this long is
    /// closed, such as a client that stops reading its response (default 60).
    pub idle_timeout_secs: u64,
    /// `SHOP_STOCK_STREAMS_PER_CLIENT`: live stock streams one client address may hold open
    /// (default 32: a shopper's tabs, or a few behind one NAT).
    pub stock_streams_per_client: u32,
    /// `SHOP_STOCK_PING_SECS`: a comment on every stock stream this often, so proxies keep
    /// it open (default 15).
    pub stock_ping_secs: u64,
    /// `SHOP_MAX_CONNECTIONS`: open connections at most; more wait to be accepted (default 1024).
    pub max_connections: usize,
    /// `SHOP_CATALOGUE_CACHE_SECS`: how long catalogue reads are cached (default 5; 0 = off).
    /// Other instances' product changes show within this time.
    pub catalogue_cache_secs: u64,
    /// `SHOP_CATALOGUE_CACHE_MB`: memory the catalogue cache may hold (default 64).
    pub catalogue_cache_mb: u64,
    /// `SHOP_CART_MAX_LINES`: different products one cart may hold (default 100).
    pub cart_max_lines: u32,
    /// `SHOP_CART_IDLE_DAYS`: carts untouched this long are deleted (default 30).
    pub cart_idle_days: u32,
    /// `SHOP_SQLITE_SYNC`: `normal` (default) or `full`; see `db.rs`.
    pub sqlite_full_sync: bool,
    /// `SHOP_SMTP_URL`: send email over SMTP (`smtp://host:port`, `smtps://user:pass@host`,
    /// `smtp://host?tls=required`). Unset: email is written to files in `mail_dir`.
    pub smtp_url: Option<String>,
    /// `SHOP_MAIL_DIR`: where `.eml` files go without SMTP (default `data/mail`).
    pub mail_dir: String,
    /// `SHOP_MAIL_FROM`: the sender of the shop's email.
    pub mail_from: String,
    /// `SHOP_PENDING_ORDER_TIMEOUT_SECS`: an order still waiting for its payment after this
    /// long is cancelled and restocked by the sweep (default 900).
    pub pending_order_timeout_secs: u64,
    /// `SHOP_SWEEP_INTERVAL_SECS`: how often the sweep runs (default 60).
    pub sweep_interval_secs: u64,
    /// `SHOP_REDIS_URL` (optional, `redis://host:6379`): write limits shared by every
    /// instance, and catalogue changes broadcast to them.
    pub redis_url: Option<String>,
    /// `SHOP_METRICS_ADDR` (optional, e.g. `127.0.0.1:9100`): serve Prometheus metrics at
    /// `/metrics` on this address, apart from the shop. Off by default.
    pub metrics_addr: Option<SocketAddr>,
    /// `SHOP_MEDIA_DIR`: where uploaded product images are stored (default `data/media`).
    pub media_dir: String,
    /// `SHOP_AUTH_ATTEMPTS`: sign-in and password-reset attempts per account per 15 minutes
    /// (default 10; each client address may make three times as many; 0 = off).
    pub auth_attempts: u32,
    /// `SHOP_SESSION_IDLE_HOURS`: a sign-in unused this long ends (default 168, a week).
    pub session_idle_hours: u32,
    /// `SHOP_SESSION_MAX_DAYS`: a sign-in ends this long after it began, used or not
    /// (default 30).
    pub session_max_days: u32,
}

impl Config {
    /// Cookies are `Secure` with the `__Host-` prefix, and pages send HSTS, when the shop's
    /// public URL is https.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup` (tests pass their own).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let addr_text = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = addr_text.trim().parse().map_err(|_| {
            format!("LEPTOS_SITE_ADDR {addr_text:?} is not an address like 127.0.0.1:3000")
        })?;
        let public_url = get("SHOP_PUBLIC_URL")
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .unwrap_or_else(|| format!("http://{addr}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "SHOP_PUBLIC_URL {public_url:?} must start with http:// or https://"
            ));
        }
        let cors_origins = CorsOrigins::parse(get("SHOP_CORS_ORIGINS").as_deref().unwrap_or(""))?;
        let trusted_proxies = parse_networks(get("SHOP_TRUSTED_PROXIES").as_deref().unwrap_or(""))?;
        let log_format = match get("SHOP_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => return Err(format!("SHOP_LOG_FORMAT {other:?} must be text or json")),
        };
        let number = |name: &str, default: u64| -> Result<u64, String> {
            match get(name) {
                None => Ok(default),
                Some(text) => text
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{name} {text:?} must be a whole number")),
            }
        };
        let write_rate_limit = u32::try_from(number("SHOP_WRITE_RATE_LIMIT", 600)?)
            .map_err(|_| "SHOP_WRITE_RATE_LIMIT is too large".to_owned())?;
        let request_timeout_secs = number("SHOP_REQUEST_TIMEOUT_SECS", 30)?.max(1);
        let shutdown_grace_secs = number("SHOP_SHUTDOWN_GRACE_SECS", 20)?;
        let shutdown_drain_secs = number("SHOP_SHUTDOWN_DRAIN_SECS", 0)?;
        let header_read_timeout_secs = number("SHOP_HEADER_READ_TIMEOUT_SECS", 10)?.max(1);
        let idle_timeout_secs = number("SHOP_IDLE_TIMEOUT_SECS", 60)?.max(1);
        let max_connections = usize::try_from(number("SHOP_MAX_CONNECTIONS", 1024)?.max(1))
            .map_err(|_| "SHOP_MAX_CONNECTIONS is too large".to_owned())?;
        let catalogue_cache_secs = number("SHOP_CATALOGUE_CACHE_SECS", 5)?;
        let catalogue_cache_mb = number("SHOP_CATALOGUE_CACHE_MB", 64)?.clamp(1, 1 << 20);
        let cart_max_lines = u32::try_from(number("SHOP_CART_MAX_LINES", 100)?.max(1))
            .map_err(|_| "SHOP_CART_MAX_LINES is too large".to_owned())?;
        let cart_idle_days = u32::try_from(number("SHOP_CART_IDLE_DAYS", 30)?.max(1))
            .map_err(|_| "SHOP_CART_IDLE_DAYS is too large".to_owned())?;
        let sqlite_full_sync = match get("SHOP_SQLITE_SYNC").as_deref().map(str::trim) {
            None | Some("normal") => false,
            Some("full") => true,
            Some(other) => {
                return Err(format!("SHOP_SQLITE_SYNC {other:?} must be normal or full"))
            }
        };
        let pending_order_timeout_secs = number("SHOP_PENDING_ORDER_TIMEOUT_SECS", 900)?;
        // Shorter than a payment provider may take to answer would cancel orders being paid.
        if pending_order_timeout_secs < 60 {
            return Err("SHOP_PENDING_ORDER_TIMEOUT_SECS must be at least 60".to_owned());
        }
        let sweep_interval_secs = number("SHOP_SWEEP_INTERVAL_SECS", 60)?.max(1);
        let metrics_addr = match get("SHOP_METRICS_ADDR") {
            None => None,
            Some(text) => Some(text.trim().parse::<SocketAddr>().map_err(|_| {
                format!("SHOP_METRICS_ADDR {text:?} is not an address like 127.0.0.1:9100")
            })?),
        };
        let small = |name: &str, default: u64| -> Result<u32, String> {
            u32::try_from(number(name, default)?).map_err(|_| format!("{name} is too large"))
        };
        let auth_attempts = small("SHOP_AUTH_ATTEMPTS", 10)?;
        let stock_streams_per_client = small("SHOP_STOCK_STREAMS_PER_CLIENT", 32)?;
        let stock_ping_secs = number("SHOP_STOCK_PING_SECS", 15)?.clamp(1, 3600);
        let session_idle_hours = small("SHOP_SESSION_IDLE_HOURS", 168)?.max(1);
        let session_max_days = small("SHOP_SESSION_MAX_DAYS", 30)?.clamp(1, 3650);
        Ok(Self {
            media_dir: get("SHOP_MEDIA_DIR").unwrap_or_else(|| "data/media".to_owned()),
            auth_attempts,
            session_idle_hours,
            session_max_days,
            database_url,
            addr,
            public_url,
            cors_origins,
            trusted_proxies,
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
            log_format,
            write_rate_limit,
            request_timeout_secs,
            shutdown_grace_secs,
            shutdown_drain_secs,
            header_read_timeout_secs,
            idle_timeout_secs,
            max_connections,
            stock_streams_per_client,
            stock_ping_secs,
            catalogue_cache_secs,
            catalogue_cache_mb,
            cart_max_lines,
            cart_idle_days,
            sqlite_full_sync,
            smtp_url: get("SHOP_SMTP_URL").map(|u| u.trim().to_owned()),
            mail_dir: get("SHOP_MAIL_DIR").unwrap_or_else(|| DEFAULT_MAIL_DIR.to_owned()),
            mail_from: get("SHOP_MAIL_FROM")
                .map(|f| f.trim().to_owned())
                .unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned()),
            pending_order_timeout_secs,
            sweep_interval_secs,
            redis_url: get("SHOP_REDIS_URL").map(|u| u.trim().to_owned()),
            metrics_addr,
        })
    }
}

/// Which browser origins may call the API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CorsOrigins {
    /// `*`: any origin (without credentials).
    Any,
    /// These origins only; none by default.
    List(Vec<String>),
    #[default]
    None,
}

impl CorsOrigins {
    fn parse(text: &str) -> Result<Self, String> {
        let origins: Vec<String> = text
            .split(',')
            .map(|o| o.trim().trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        if origins.iter().any(|o| o == "*") {
            return match origins.len() {
                1 => Ok(Self::Any),
                _ => Err("SHOP_CORS_ORIGINS: * allows every origin, so it must be alone".into()),
            };
        }
        if origins.is_empty() {
            return Ok(Self::None);
        }
        for origin in &origins {
            let (scheme, host) = origin.split_once("://").unwrap_or(("", ""));
            let clean = !host.is_empty()
                && !host.contains(['/', '?', '#', ' '])
                && origin.is_ascii()
                && !origin.chars().any(|c| c.is_ascii_control());
            if !matches!(scheme, "http" | "https") || !clean {
                return Err(format!(
                    "SHOP_CORS_ORIGINS: {origin:?} is not an origin like https://shop.example"
                ));
            }
        }
        Ok(Self::List(origins))
    }
}

/// `10.0.0.0/8, 192.168.1.7, ::1`: networks, a bare address being a network of one.
fn parse_networks(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("SHOP_TRUSTED_PROXIES: {item:?} is not an address or network like 10.0.0.0/8")
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| vars.get(k).cloned())
    }

    #[test]
    fn defaults_need_nothing() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert_eq!(c.cors_origins, CorsOrigins::None);
        assert!(c.trusted_proxies.is_empty());
        assert_eq!(c.cart_max_lines, 100);
        assert_eq!(c.max_connections, 1024);
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.smtp_url, None);
        assert_eq!(c.mail_dir, "data/mail");
        assert_eq!(c.pending_order_timeout_secs, 900);
        assert_eq!(c.sweep_interval_secs, 60);
        assert_eq!((c.redis_url, c.metrics_addr), (None, None));
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        assert!(config(&[("LEPTOS_SITE_ADDR", "nowhere")])
            .unwrap_err()
            .contains("LEPTOS_SITE_ADDR"));
        assert!(config(&[("SHOP_LOG_FORMAT", "xml")]).is_err());
        assert!(config(&[("SHOP_PUBLIC_URL", "ftp://x")]).is_err());
        assert!(config(&[("SHOP_SQLITE_SYNC", "off")]).is_err());
        assert!(config(&[("SHOP_PENDING_ORDER_TIMEOUT_SECS", "5")])
            .unwrap_err()
            .contains("SHOP_PENDING_ORDER_TIMEOUT_SECS"));
        assert!(config(&[("SHOP_WRITE_RATE_LIMIT", "lots")])
            .unwrap_err()
            .contains("SHOP_WRITE_RATE_LIMIT"));
        assert!(config(&[("SHOP_CORS_ORIGINS", "*, https://a.example")])
            .unwrap_err()
            .contains("SHOP_CORS_ORIGINS"));
        assert!(config(&[("SHOP_CORS_ORIGINS", "shop.example")]).is_err());
        assert!(config(&[("SHOP_METRICS_ADDR", "everywhere")])
            .unwrap_err()
            .contains("SHOP_METRICS_ADDR"));
        assert!(config(&[("SHOP_CORS_ORIGINS", "https://a.example/path")]).is_err());
        assert!(config(&[("SHOP_TRUSTED_PROXIES", "10.0.0.0/33")])
            .unwrap_err()
            .contains("SHOP_TRUSTED_PROXIES"));
    }

    #[test]
    fn a_star_allows_any_origin() {
        assert_eq!(
            config(&[("SHOP_CORS_ORIGINS", " * ")])
                .unwrap()
                .cors_origins,
            CorsOrigins::Any
        );
    }

    #[test]
    fn trusted_proxies_are_networks_or_addresses() {
        let c = config(&[("SHOP_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1 ,::1")]).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
    }

    #[test]
    fn lists_and_urls_are_normalised() {
        let c = config(&[
            (
                "SHOP_CORS_ORIGINS",
                "https://a.example, https://b.example/ ,",
            ),
            ("SHOP_PUBLIC_URL", "https://shop.example/"),
        ])
        .unwrap();
        assert_eq!(
            c.cors_origins,
            CorsOrigins::List(vec!["https://a.example".into(), "https://b.example".into()])
        );
        assert_eq!(c.public_url, "https://shop.example");
    }
}

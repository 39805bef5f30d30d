//! Prometheus metrics, served at `/metrics` on a listener of their own (`SHOP_METRICS_ADDR`),
//! never on the shop's public address. Without it no recorder is installed and every
//! `metrics::…!` call in the code is a no-op.
//!
//! - `shop_http_requests_total` and `shop_http_request_duration_seconds`, by route (the
//!   pattern, never the raw path, so ids do not multiply series), method and status;
//! - `shop_db_pool_connections` by state (`idle`, `in_use`) and `shop_db_pool_max_connections`;
//! - `shop_catalogue_cache_hits_total` / `_misses_total`;
//! - `shop_orders_placed_total`, and `shop_orders_refused_total` by reason;
//! - `shop_event_streams_open`: open live stock streams (Server-Sent Events).

use crate::server::AppState;
use axum::http::Method;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DbBackend;
use std::net::SocketAddr;

/// Request latency buckets, in seconds: 1 ms to 10 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the process-wide recorder; call once, before serving.
pub fn install() -> Result<PrometheusHandle, String> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("shop_http_request_duration_seconds".into()),
            &LATENCY_BUCKETS,
        )
        .map_err(|e| format!("metrics: {e}"))?
        .install_recorder()
        .map_err(|e| format!("metrics: {e}"))
}

/// Counts one answered request under its route pattern.
pub fn record_request(route: &str, method: &Method, status: u16, seconds: f64) {
    let labels = [
        ("route", route.to_owned()),
        ("method", method.as_str().to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!("shop_http_requests_total", &labels).increment(1);
    metrics::histogram!("shop_http_request_duration_seconds", &labels).record(seconds);
}

/// Reads what is sampled rather than counted (pool use, cache totals) just before a scrape.
fn sample(state: &AppState) {
    let (size, idle, max) = match state.db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    metrics::gauge!("shop_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("shop_db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!("shop_db_pool_max_connections").set(f64::from(max));
    let cache = state.catalogue.stats();
    metrics::counter!("shop_catalogue_cache_hits_total").absolute(cache.hits);
    metrics::counter!("shop_catalogue_cache_misses_total").absolute(cache.misses);
    metrics::gauge!("shop_event_streams_open").set(state.stock.open_streams() as f64);
}

/// Serves `/metrics` on `addr`, in the background, for the life of the process.
pub async fn serve(
    addr: SocketAddr,
    handle: PrometheusHandle,
    state: AppState,
) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?;
    let app = Router::new().route(
        "/metrics",
        get(move || {
            sample(&state);
            let body = handle.render();
            async move { body }
        }),
    );
    tracing::info!("metrics on http://{addr}/metrics");
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::warn!(%error, "metrics listener failed");
        }
    });
    Ok(())
}

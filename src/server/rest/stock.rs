//! `GET /api/stock/events`: every stock change as it happens, as Server-Sent Events; and
//! `GET /api/stock/`: the stock of a set of products now (what a client reads after
//! connecting, after `resync`, and after a reconnect).

use super::request::{rule, ValidQuery};
use crate::error::ShopError;
use crate::model::stock::{parse_product_ids, ProductStock};
use crate::server::middleware::client_addr::ClientAddr;
use crate::server::services::stock_feed::{self, FeedEvent, StreamTicket};
use crate::server::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use std::collections::HashSet;
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// How long a client waits before reconnecting after the stream ends (`retry:`).
pub const RETRY: Duration = Duration::from_secs(2);

/// Which products: `products=1,2,3`, or every product when absent or blank.
#[derive(Debug, Deserialize, garde::Validate, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// Comma-separated product ids, at most 100; blank or absent means every product.
    #[param(
        pattern = "^([1-9][0-9]{0,8}(,[1-9][0-9]{0,8}){0,99})?$",
        max_length = 1000,
        nullable = false
    )]
    #[garde(custom(rule(watched_products)))]
    pub products: Option<String>,
}

fn watched_products(list: &Option<String>) -> Result<Option<Vec<i32>>, ShopError> {
    parse_product_ids(list.as_deref().unwrap_or("")).map_err(ShopError::invalid)
}

#[utoipa::path(
    get,
    path = "/api/stock/",
    params(StockQuery),
    responses(
        (status = 200, description = "The stock of each product asked for, in that order (every product on sale, by id, when none is named); a product not on sale has 0", body = Vec<ProductStock>),
        (status = 400, description = "`products` is not a list of at most 100 product ids", body = super::openapi::ErrorBody),
    ),
    tag = "stock"
)]
pub async fn stock_index(
    State(state): State<AppState>,
    ValidQuery(query): ValidQuery<StockQuery>,
) -> Result<Json<Vec<ProductStock>>, ShopError> {
    let ids = watched_products(&query.products)?;
    Ok(Json(stock_feed::levels(&state.db, ids.as_deref()).await?))
}

#[utoipa::path(
    get,
    path = "/api/stock/events/",
    params(StockQuery),
    responses(
        (status = 200, description = "`text/event-stream`, open until the server shuts down. First `retry: 2000`; then, for each stock change of a product asked for, `event: stock` with data `{\"product_id\": 7, \"stock\": 3}` (0 once archived); `event: resync` (data `{}`) when changes may have been missed (read `GET /api/stock/` again); a `: ping` comment every 15 s", content_type = "text/event-stream", body = String),
        (status = 400, description = "`products` is not a list of at most 100 product ids", body = super::openapi::ErrorBody),
        (status = 429, description = "This address has too many streams open (`SHOP_STOCK_STREAMS_PER_CLIENT`)", body = super::openapi::ErrorBody),
    ),
    tag = "stock"
)]
pub async fn stock_events(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    ValidQuery(query): ValidQuery<StockQuery>,
) -> Result<Response, ShopError> {
    let watched = watched_products(&query.products)?.map(HashSet::from_iter);
    let client = client.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.limit_key());
    let ticket = state.stock.open_stream(client)?;
    let ping = Duration::from_secs(state.config.stock_ping_secs);
    let sse =
        Sse::new(events(ticket, watched)).keep_alive(KeepAlive::new().interval(ping).text("ping"));
    let mut response = sse.into_response();
    // Proxies that buffer (nginx) would hold the events back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The stream's events: `retry:` first, then the feed's events for `watched`, until the
/// feed closes (shutdown). The ticket travels with the stream and frees its place when the
/// client goes.
fn events(
    ticket: StreamTicket,
    watched: Option<HashSet<i32>>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let first = Event::default().retry(RETRY);
    futures::stream::once(async move { Ok(first) }).chain(futures::stream::unfold(
        (ticket, watched),
        |(mut ticket, watched)| async move {
            loop {
                let event = tokio::select! {
                    // `changed` fails once the feed is gone: the end as well.
                    _ = ticket.closing.wait_for(|closing| *closing) => return None,
                    event = ticket.events.recv() => event,
                };
                let sent = match event {
                    Ok(FeedEvent::Stock { level, .. }) => {
                        if watched
                            .as_ref()
                            .is_some_and(|w| !w.contains(&level.product_id))
                        {
                            continue;
                        }
                        stock_event(&level)
                    }
                    Ok(FeedEvent::Resync) | Err(RecvError::Lagged(_)) => {
                        Event::default().event("resync").data("{}")
                    }
                    Err(RecvError::Closed) => return None,
                };
                return Some((Ok(sent), (ticket, watched)));
            }
        },
    ))
}

fn stock_event(level: &ProductStock) -> Event {
    let data = format!(
        r#"{{"product_id": {}, "stock": {}}}"#,
        level.product_id, level.stock
    );
    Event::default().event("stock").data(data)
}

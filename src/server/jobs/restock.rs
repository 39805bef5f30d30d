//! The back-in-stock job: ends the requests of products that are back and queues their
//! emails (`back_in_stock::notify_restocked`). It runs when the stock feed says a sold-out
//! product came back, and every [`ROUND`] besides, which catches what a feed gap (a restart,
//! a lost listener) let pass. Several instances may run it at once: each request is taken once.

use crate::server::services::back_in_stock;
use crate::server::services::stock_feed::{FeedEvent, StockFeed};
use sea_orm::DatabaseConnection;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The longest a request waits for its email after its product is back, if no event said so.
pub const ROUND: Duration = Duration::from_secs(60);

pub fn start(
    db: DatabaseConnection,
    feed: &StockFeed,
    shop_url: String,
    mut stopped: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut events = feed.subscribe();
    tokio::spawn(async move {
        loop {
            if *stopped.borrow() {
                break;
            }
            match back_in_stock::notify_restocked(&db, &shop_url).await {
                Ok(0) => {}
                Ok(queued) => tracing::info!(emails = queued, "back-in-stock emails queued"),
                Err(error) => tracing::warn!(%error, "back-in-stock job failed; will retry"),
            }
            tokio::select! {
                () = restocked(&mut events) => {}
                () = tokio::time::sleep(ROUND) => {}
                _ = stopped.changed() => break,
            }
        }
    })
}

/// Resolves when a product comes back, or when events were missed (one may have).
async fn restocked(events: &mut broadcast::Receiver<FeedEvent>) {
    loop {
        match events.recv().await {
            Ok(event) if event.is_restock() => return,
            Ok(FeedEvent::Resync) | Err(RecvError::Lagged(_)) => return,
            Ok(_) => {}
            Err(RecvError::Closed) => std::future::pending().await,
        }
    }
}

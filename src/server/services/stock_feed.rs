//! The live stock feed of one instance: every committed stock change, fanned out to the open
//! event streams (and to the back-in-stock job).
//!
//! Changes leave the database through triggers (migration `live_stock`), so no writer can
//! forget to tell: on PostgreSQL as a `NOTIFY` that the instance's one listener
//! (`server::cluster`) passes on here, on SQLite through the `stock_changes` journal that
//! [`read_journal`] empties. Fan-out is a bounded broadcast channel: a stream that falls
//! behind loses its backlog and gets [`FeedEvent::Resync`] instead of an ever-growing buffer.

use crate::error::ShopError;
use crate::model::stock::ProductStock;
use crate::server::services::{catalogue, statement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Deserialize;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, watch};

/// The PostgreSQL channel the trigger notifies on.
pub const CHANNEL: &str = "shop_stock";
/// Events held for the slowest stream before it must resync.
const BACKLOG: usize = 1024;
/// Journal rows read at a time (SQLite).
const JOURNAL_BATCH: u64 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEvent {
    /// A product's stock as shoppers now see it, and what it was.
    Stock { level: ProductStock, was: i32 },
    /// Changes may have been missed: whoever follows the feed should read stock afresh.
    Resync,
}

impl FeedEvent {
    /// Whether a sold-out product just came back (what back-in-stock requests wait for).
    pub fn is_restock(&self) -> bool {
        matches!(self, Self::Stock { level, was } if *was <= 0 && level.stock > 0)
    }
}

/// What a trigger says: `{"product_id": 1, "stock": 4, "was": 0}`.
#[derive(Deserialize)]
struct Notice {
    product_id: i32,
    stock: i32,
    was: i32,
}

/// The feed, its streams and their limits.
pub struct StockFeed {
    sender: broadcast::Sender<FeedEvent>,
    per_client: u32,
    streams: Mutex<HashMap<IpAddr, u32>>,
    open: AtomicUsize,
    closing: watch::Sender<bool>,
}

/// One open stream, counted against its client until dropped.
pub struct StreamTicket {
    feed: Arc<StockFeed>,
    client: IpAddr,
    pub events: broadcast::Receiver<FeedEvent>,
    pub closing: watch::Receiver<bool>,
}

impl Drop for StreamTicket {
    fn drop(&mut self) {
        self.feed.open.fetch_sub(1, Ordering::Relaxed);
        let mut streams = self.feed.streams.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = streams.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                streams.remove(&self.client);
            }
        }
    }
}

impl StockFeed {
    /// A feed allowing `per_client` open streams per client address.
    pub fn new(per_client: u32) -> Arc<Self> {
        Arc::new(Self {
            sender: broadcast::channel(BACKLOG).0,
            per_client,
            streams: Mutex::default(),
            open: AtomicUsize::new(0),
            closing: watch::channel(false).0,
        })
    }

    pub fn publish(&self, event: FeedEvent) {
        // No receiver is no one to tell, not an error.
        let _ = self.sender.send(event);
    }

    /// Passes on a trigger's notification; a payload that is not one is logged and dropped.
    pub fn publish_notice(&self, payload: &str) {
        match serde_json::from_str::<Notice>(payload) {
            Ok(n) => self.publish(FeedEvent::Stock {
                level: ProductStock {
                    product_id: n.product_id,
                    stock: n.stock,
                },
                was: n.was,
            }),
            Err(error) => tracing::warn!(%error, payload, "unreadable stock notification"),
        }
    }

    /// Follows the feed without counting as a client's stream (the back-in-stock job).
    pub fn subscribe(&self) -> broadcast::Receiver<FeedEvent> {
        self.sender.subscribe()
    }

    /// Opens a stream for `client`, or refuses when it has its share open already.
    pub fn open_stream(self: &Arc<Self>, client: IpAddr) -> Result<StreamTicket, ShopError> {
        {
            let mut streams = self.streams.lock().unwrap_or_else(|e| e.into_inner());
            let count = streams.entry(client).or_insert(0);
            if *count >= self.per_client {
                return Err(ShopError::TooManyStreams {
                    max: self.per_client,
                });
            }
            *count += 1;
        }
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(StreamTicket {
            feed: self.clone(),
            client,
            events: self.sender.subscribe(),
            closing: self.closing.subscribe(),
        })
    }

    /// Streams open now (a metric).
    pub fn open_streams(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// Ends every stream (at shutdown): clients reconnect, to another instance if any.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// Stock levels of `ids` (every product on sale when `None`), in the order asked; a product
/// not on sale (archived, or no such id) has stock 0.
pub async fn levels(
    db: &impl ConnectionTrait,
    ids: Option<&[i32]>,
) -> Result<Vec<ProductStock>, ShopError> {
    use crate::server::entities::product;
    let mut query = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .column(product::Column::Stock)
        .filter(catalogue::on_sale());
    if let Some(ids) = ids {
        query = query.filter(product::Column::Id.is_in(ids.iter().copied()));
    }
    let found: HashMap<i32, i32> = query
        .into_tuple::<(i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let level = |product_id: i32, stock: i32| ProductStock {
        product_id,
        stock: stock.max(0),
    };
    Ok(match ids {
        Some(ids) => ids
            .iter()
            .map(|id| level(*id, found.get(id).copied().unwrap_or(0)))
            .collect(),
        None => {
            let mut all: Vec<_> = found.into_iter().map(|(id, s)| level(id, s)).collect();
            all.sort_by_key(|l| l.product_id);
            all
        }
    })
}

/// SQLite: publishes what the journal holds, oldest first, and empties it. Returns how
/// many changes it passed on. (One instance per SQLite database, so it reads alone.)
pub async fn read_journal(db: &impl ConnectionTrait, feed: &StockFeed) -> Result<usize, ShopError> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT id, product_id, stock, was FROM stock_changes ORDER BY id LIMIT $1",
            vec![JOURNAL_BATCH.into()],
        ))
        .await?;
    let mut last = None;
    for row in &rows {
        let id: i64 = row.try_get("", "id")?;
        feed.publish(FeedEvent::Stock {
            level: ProductStock {
                product_id: row.try_get("", "product_id")?,
                stock: row.try_get("", "stock")?,
            },
            was: row.try_get("", "was")?,
        });
        last = Some(id);
    }
    if let Some(last) = last {
        db.execute_raw(statement(
            db,
            "DELETE FROM stock_changes WHERE id <= $1",
            vec![last.into()],
        ))
        .await?;
    }
    Ok(rows.len())
}

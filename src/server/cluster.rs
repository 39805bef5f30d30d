//! Several instances on one PostgreSQL database: what they share besides it.
//!
//! - Write limits: with `SHOP_REDIS_URL`, one token bucket per client in Redis, used by every
//!   instance (see `middleware::rate_limit`).
//! - Catalogue-cache invalidation: a product change in one instance empties every instance's
//!   cache at once instead of after the TTL, through Redis pub/sub when configured, else
//!   PostgreSQL `LISTEN/NOTIFY`; on SQLite there is only one instance, so nobody to tell.
//!   A listener that lost its connection empties its own cache when it is back, as it may
//!   have missed news, and reconnects by itself with a growing pause.
//! - Live stock: on PostgreSQL the products trigger notifies `shop_stock` in the changing
//!   transaction; the instance's one listening connection (the same as above) passes each
//!   change to its stock feed, and after a gap tells the feed's streams to resync. On
//!   SQLite the instance reads the trigger's journal itself.

use crate::server::services::catalogue_cache::CatalogueCache;
use crate::server::services::stock_feed::{self, FeedEvent, StockFeed};
use futures::StreamExt;
use rand::RngCore;
use redis::aio::ConnectionManager;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::sqlx::PgPool;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// The channel invalidations travel on (Redis and PostgreSQL alike).
pub const CHANNEL: &str = "shop_catalogue_changed";

/// Opens Redis at start, so a wrong URL or an absent server is one clear line then.
pub async fn connect_redis(url: &str) -> Result<(redis::Client, ConnectionManager), String> {
    let client =
        redis::Client::open(url).map_err(|e| format!("SHOP_REDIS_URL is not a Redis URL: {e}"))?;
    let manager = ConnectionManager::new(client.clone())
        .await
        .map_err(|e| format!("cannot connect to Redis: {e}"))?;
    Ok((client, manager))
}

/// How instances tell each other about catalogue changes.
#[derive(Clone)]
pub enum Bus {
    Redis {
        client: redis::Client,
        manager: ConnectionManager,
    },
    Postgres {
        db: DatabaseConnection,
    },
}

impl Bus {
    /// Redis when there is one, else PostgreSQL's own channel; `None` on SQLite.
    pub fn choose(
        redis: Option<(redis::Client, ConnectionManager)>,
        db: &DatabaseConnection,
    ) -> Option<Bus> {
        match (redis, db.get_database_backend()) {
            (Some((client, manager)), _) => Some(Bus::Redis { client, manager }),
            (None, DbBackend::Postgres) => Some(Bus::Postgres { db: db.clone() }),
            _ => None,
        }
    }
}

/// How often the SQLite journal of stock changes is read.
const JOURNAL_INTERVAL: Duration = Duration::from_millis(50);

/// Starts the tasks that keep this instance in step with the database and the others:
/// with a bus, one tells them of this instance's catalogue changes and one applies theirs;
/// and one feeds `stock` (the PostgreSQL listener, which also carries the catalogue's
/// channel when that is the bus, or the SQLite journal's reader). Abort the handles to
/// stop them.
pub fn start(
    bus: Option<Bus>,
    db: &DatabaseConnection,
    catalogue: Arc<CatalogueCache>,
    stock: Arc<StockFeed>,
) -> Vec<JoinHandle<()>> {
    let instance = format!("{:016x}", rand::rng().next_u64());
    let mut tasks = Vec::new();
    if let Some(bus) = &bus {
        tasks.push(tokio::spawn(publish_changes(
            bus.clone(),
            catalogue.clone(),
            instance.clone(),
        )));
    }
    if let Some(Bus::Redis { client, .. }) = &bus {
        let (client, catalogue) = (client.clone(), catalogue.clone());
        tasks.push(tokio::spawn(listen_redis(
            client,
            catalogue,
            instance.clone(),
        )));
    }
    let shared_catalogue = matches!(bus, Some(Bus::Postgres { .. })).then_some(catalogue);
    tasks.push(match db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool().clone();
            let listening = Listening {
                catalogue: shared_catalogue,
                instance,
                stock,
            };
            tokio::spawn(listen_postgres(pool, listening))
        }
        _ => tokio::spawn(read_stock_journal(db.clone(), stock)),
    });
    tasks
}

/// SQLite: passes the journal's stock changes to the feed as they appear.
async fn read_stock_journal(db: DatabaseConnection, stock: Arc<StockFeed>) {
    loop {
        if let Err(error) = stock_feed::read_journal(&db, &stock).await {
            tracing::warn!(%error, "cannot read the stock journal; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tokio::time::sleep(JOURNAL_INTERVAL).await;
    }
}

async fn publish_changes(bus: Bus, catalogue: Arc<CatalogueCache>, instance: String) {
    loop {
        // Several invalidations while a publish is under way make one more message, not many.
        catalogue.changed().await;
        let sent = match &bus {
            Bus::Redis { manager, .. } => redis::cmd("PUBLISH")
                .arg(CHANNEL)
                .arg(&instance)
                .query_async::<i64>(&mut manager.clone())
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Bus::Postgres { db } => db
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_notify($1, $2)",
                    [CHANNEL.into(), instance.as_str().into()],
                ))
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
        };
        if let Err(error) = sent {
            // Other instances catch up within the cache's TTL.
            tracing::warn!(%error, "could not tell other instances of a catalogue change");
        }
    }
}

/// The pause before reconnecting: 1 s, doubling to at most 30 s.
fn next_pause(pause: Duration) -> Duration {
    (pause * 2).min(Duration::from_secs(30))
}

async fn listen_redis(client: redis::Client, catalogue: Arc<CatalogueCache>, instance: String) {
    let mut pause = Duration::from_secs(1);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => match pubsub.subscribe(CHANNEL).await {
                Ok(()) => {
                    // Whatever happened while nobody listened is unknown: start afresh.
                    catalogue.invalidate_local();
                    pause = Duration::from_secs(1);
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let from: String = message.get_payload().unwrap_or_default();
                        if from != instance {
                            catalogue.invalidate_local();
                        }
                    }
                    tracing::warn!("lost the Redis subscription; reconnecting");
                }
                Err(error) => tracing::warn!(%error, "cannot subscribe on Redis"),
            },
            Err(error) => tracing::warn!(%error, "cannot reach Redis for invalidations"),
        }
        tokio::time::sleep(pause).await;
        pause = next_pause(pause);
    }
}

/// What the PostgreSQL listener serves: the catalogue cache when PostgreSQL is the bus,
/// and always the stock feed.
struct Listening {
    catalogue: Option<Arc<CatalogueCache>>,
    instance: String,
    stock: Arc<StockFeed>,
}

impl Listening {
    fn channels(&self) -> Vec<&'static str> {
        let mut channels = vec![stock_feed::CHANNEL];
        if self.catalogue.is_some() {
            channels.push(CHANNEL);
        }
        channels
    }

    /// After a gap (a new connection, or a lost one) anything may have been missed.
    fn start_afresh(&self) {
        if let Some(catalogue) = &self.catalogue {
            catalogue.invalidate_local();
        }
        self.stock.publish(FeedEvent::Resync);
    }

    fn receive(&self, channel: &str, payload: &str) {
        match (&self.catalogue, channel) {
            (_, stock_feed::CHANNEL) => self.stock.publish_notice(payload),
            (Some(catalogue), _) if payload != self.instance => catalogue.invalidate_local(),
            _ => {}
        }
    }
}

async fn listen_postgres(pool: PgPool, listening: Listening) {
    let mut pause = Duration::from_secs(1);
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen_all(listening.channels()).await {
                Ok(()) => {
                    listening.start_afresh();
                    pause = Duration::from_secs(1);
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(note)) => listening.receive(note.channel(), note.payload()),
                            // The connection dropped, and what was sent meanwhile is lost:
                            // listen again, then start afresh.
                            Ok(None) => {
                                tracing::warn!(
                                    "PostgreSQL listener lost its connection; reconnecting"
                                );
                                break;
                            }
                            Err(error) => {
                                tracing::warn!(%error, "PostgreSQL listener failed; reconnecting");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "cannot LISTEN on PostgreSQL"),
            },
            Err(error) => tracing::warn!(%error, "cannot open a PostgreSQL listener"),
        }
        tokio::time::sleep(pause).await;
        pause = next_pause(pause);
    }
}

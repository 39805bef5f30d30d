//! Background work, started and stopped with the server: the outbox worker sends queued
//! emails, the sweep cancels orders left pending payment, abandoned carts are deleted, and
//! back-in-stock requests get their emails (`restock`).
//! Each job's work is a plain async function (`outbox::deliver_due`, `sweep::run_once`,
//! `cart::delete_idle_carts`) that tests call directly; the loops here only repeat them.

pub mod outbox;
pub mod restock;
pub mod sweep;

use crate::server::mail::Mailer;
use crate::server::services::back_in_stock;
use crate::server::services::cart;
use crate::server::services::catalogue_cache::CatalogueCache;
use crate::server::services::password_resets;
use crate::server::services::stock_feed::StockFeed;
use sea_orm::DatabaseConnection;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How often the outbox worker looks for due emails.
pub const OUTBOX_INTERVAL: Duration = Duration::from_secs(2);
/// How often idle carts are looked for: they are counted in days, so hourly is plenty.
pub const CART_CLEANUP_INTERVAL: Duration = Duration::from_secs(3600);

/// The running jobs; [`Jobs::stop`] ends them.
pub struct Jobs {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

pub struct JobSettings {
    pub pending_order_timeout: Duration,
    pub sweep_interval: Duration,
    /// Carts untouched for this long are deleted.
    pub cart_idle: Duration,
    /// Sign-ins end this long after they began (their rows go with the hourly clean-up).
    pub session_max_age: Duration,
    /// The shop's public URL, for links in emails.
    pub shop_url: String,
}

pub fn start(
    db: DatabaseConnection,
    mailer: Arc<Mailer>,
    catalogue: Arc<CatalogueCache>,
    stock: &StockFeed,
    settings: JobSettings,
) -> Jobs {
    let (stop, stopped) = watch::channel(false);
    let restock = restock::start(
        db.clone(),
        stock,
        settings.shop_url.clone(),
        stopped.clone(),
    );
    let outbox = {
        let db = db.clone();
        repeat("outbox", OUTBOX_INTERVAL, stopped.clone(), move || {
            let (db, mailer) = (db.clone(), mailer.clone());
            async move {
                outbox::deliver_due(&db, &mailer, chrono::Utc::now())
                    .await
                    .map(|_| ())
            }
        })
    };
    let carts = {
        let db = db.clone();
        let idle = settings.cart_idle;
        let sessions = crate::server::session_store::DbSessionStore::new(
            db.clone(),
            chrono::Duration::from_std(settings.session_max_age).unwrap_or(chrono::Duration::MAX),
        );
        repeat("carts", CART_CLEANUP_INTERVAL, stopped.clone(), move || {
            let (db, sessions) = (db.clone(), sessions.clone());
            async move {
                let deleted = cart::delete_idle_carts(&db, idle).await?;
                if deleted > 0 {
                    tracing::info!(lines = deleted, "deleted idle carts");
                }
                let ended = sessions.delete_expired().await?;
                let links = password_resets::delete_stale(&db).await?;
                let requests = back_in_stock::delete_ended(
                    &db,
                    chrono::Utc::now() - chrono::Duration::days(back_in_stock::KEEP_ENDED_DAYS),
                )
                .await?;
                if ended + links + requests > 0 {
                    tracing::info!(
                        sessions = ended,
                        reset_links = links,
                        back_in_stock_requests = requests,
                        "deleted ended sign-ins"
                    );
                }
                Ok(())
            }
        })
    };
    let sweep = repeat("sweep", settings.sweep_interval, stopped, move || {
        let (db, catalogue) = (db.clone(), catalogue.clone());
        let timeout = settings.pending_order_timeout;
        async move { sweep::run_once(&db, &catalogue, timeout).await.map(|_| ()) }
    });
    Jobs {
        stop,
        handles: vec![outbox, carts, sweep, restock],
    }
}

impl Jobs {
    /// Asks every job to stop and waits for the work in hand (an email being sent) to end,
    /// at most `grace`.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let all = futures_join(self.handles);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background jobs still busy at shutdown; leaving them");
        }
    }
}

async fn futures_join(handles: Vec<JoinHandle<()>>) {
    for handle in handles {
        let _ = handle.await;
    }
}

/// Runs `work` now and then every `interval` until told to stop. A failed run is logged and
/// retried next time: the database may be briefly away.
fn repeat<F, Fut>(
    name: &'static str,
    interval: Duration,
    mut stopped: watch::Receiver<bool>,
    work: F,
) -> JoinHandle<()>
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), crate::error::ShopError>> + Send,
{
    tokio::spawn(async move {
        loop {
            if *stopped.borrow() {
                break;
            }
            if let Err(err) = work().await {
                tracing::warn!(job = name, error = %err, "background job failed; will retry");
            }
            tokio::select! {
                () = tokio::time::sleep(interval) => {}
                _ = stopped.changed() => break,
            }
        }
    })
}

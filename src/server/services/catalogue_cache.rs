//! A short-lived read-through cache of catalogue reads: product pages and single products are
//! read on every page view and API call but change rarely.
//!
//! Built on `moka`: concurrent misses of one key share one load (so an expired entry under load
//! is read once), misses of different keys never wait for each other, and memory is bounded by
//! the entries' estimated size, least recently used first out. Errors are not cached, and the
//! catalogue service refuses pages past the end before they could be.
//!
//! Invalidation: a write in this process calls [`CatalogueCache::invalidate`], which drops
//! everything at once. Keys carry the generation they were read in, so a load that raced the
//! write lands under the old generation and is never served. Another process sharing the
//! database is seen within the time-to-live, or at once when invalidations are broadcast
//! between instances. A TTL of zero turns caching off.

use crate::error::ShopError;
use crate::model::{Product, ProductPage};
use crate::server::services::catalogue;
use moka::future::Cache;
use moka::policy::EvictionPolicy;
use sea_orm::ConnectionTrait;
use std::future::Future;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Memory the cache may hold unless configured (`SHOP_CATALOGUE_CACHE_MB`).
pub const DEFAULT_CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// Keys are (generation, what).
type Keyed<K, V> = Cache<(u64, K), V>;

pub struct CatalogueCache {
    ttl: Duration,
    generation: AtomicU64,
    products: Keyed<i32, Product>,
    pages: Keyed<(u64, u64), ProductPage>,
    all: Keyed<(), Arc<Vec<Product>>>,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Signalled by every local invalidation, for the task that tells other instances.
    changed: Notify,
}

/// Reads served from the cache and reads that went to the database, since start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}

/// Roughly the bytes a product takes in memory.
fn product_weight(product: &Product) -> u64 {
    (std::mem::size_of::<Product>()
        + product.name.len()
        + product.description.len()
        + product.image_url.len()) as u64
}

fn list_weight<'a>(products: impl IntoIterator<Item = &'a Product>) -> u32 {
    let bytes: u64 = products.into_iter().map(product_weight).sum();
    u32::try_from(bytes.saturating_add(64)).unwrap_or(u32::MAX)
}

fn cache<K, V>(ttl: Duration, capacity: u64, weigh: fn(&V) -> u32) -> Keyed<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    Cache::builder()
        .time_to_live(ttl)
        .max_capacity(capacity)
        .weigher(move |_key, value| weigh(value))
        .eviction_policy(EvictionPolicy::lru())
        .build()
}

impl CatalogueCache {
    pub fn new(ttl: Duration) -> Self {
        Self::with_capacity(ttl, DEFAULT_CAPACITY_BYTES)
    }

    /// `capacity_bytes` is shared out between the three kinds of entry: most goes to pages
    /// and products, which are many; the full list is one (large) entry.
    pub fn with_capacity(ttl: Duration, capacity_bytes: u64) -> Self {
        // moka refuses a zero TTL; with it, nothing is cached anyway (see `read_through`).
        let ttl_for_moka = ttl.max(Duration::from_millis(1));
        let quarter = (capacity_bytes / 4).max(1);
        Self {
            ttl,
            generation: AtomicU64::new(0),
            products: cache(ttl_for_moka, quarter, |p| list_weight([p])),
            pages: cache(ttl_for_moka, quarter * 2, |page: &ProductPage| {
                list_weight(&page.items)
            }),
            all: cache(ttl_for_moka, quarter, |all: &Arc<Vec<Product>>| {
                list_weight(all.iter())
            }),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            changed: Notify::new(),
        }
    }

    /// Forgets everything; call after any write to products. Other instances are told when
    /// a broadcast is running (see `server::cluster`).
    pub fn invalidate(&self) {
        self.invalidate_local();
        self.changed.notify_one();
    }

    /// Resolves after the next [`invalidate`](Self::invalidate) (at once if one happened
    /// since the last wait): what the broadcast waits on.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Forgets everything without telling anyone: for news of another instance's write.
    pub fn invalidate_local(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.products.invalidate_all();
        self.pages.invalidate_all();
        self.all.invalidate_all();
    }

    /// The estimated bytes held now (after pending evictions are applied).
    pub async fn memory_used(&self) -> u64 {
        self.products.run_pending_tasks().await;
        self.pages.run_pending_tasks().await;
        self.all.run_pending_tasks().await;
        self.products.weighted_size() + self.pages.weighted_size() + self.all.weighted_size()
    }

    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    async fn read_through<K, V, Fut>(
        &self,
        cache: &Keyed<K, V>,
        key: K,
        load: impl FnOnce() -> Fut,
    ) -> Result<V, ShopError>
    where
        K: Hash + Eq + Send + Sync + 'static,
        V: Clone + Send + Sync + 'static,
        Fut: Future<Output = Result<V, ShopError>>,
    {
        if self.ttl.is_zero() {
            return load().await;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let entry = cache
            .entry((generation, key))
            .or_try_insert_with(load())
            .await
            .map_err(|err| (*err).clone())?;
        let counter = if entry.is_fresh() {
            &self.misses
        } else {
            &self.hits
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(entry.into_value())
    }

    pub async fn product(&self, db: &impl ConnectionTrait, id: i32) -> Result<Product, ShopError> {
        self.read_through(&self.products, id, || catalogue::get_product(db, id))
            .await
    }

    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        page: u64,
        page_size: u64,
    ) -> Result<ProductPage, ShopError> {
        self.read_through(&self.pages, (page, page_size), || {
            catalogue::list_products(db, page, page_size)
        })
        .await
    }

    /// Every product; the same `Arc` until it expires or is invalidated, so callers may
    /// derive and keep their own results from it (see the REST list).
    pub async fn all(&self, db: &impl ConnectionTrait) -> Result<Arc<Vec<Product>>, ShopError> {
        self.read_through(&self.all, (), || async {
            catalogue::all_products(db).await.map(Arc::new)
        })
        .await
    }
}

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
use crate::model::search::{Category, Listing, ProductFilter, Suggestion, SUGGESTION_LIMIT};
use crate::model::{Product, ProductPage};
use crate::server::services::search::{self, Vocabulary};
use crate::server::services::{catalogue, categories};
use moka::future::Cache;
use moka::policy::EvictionPolicy;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
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
    /// Search and category listings by (filter, page, page size).
    listings: Keyed<(ProductFilter, u64, u64), Listing>,
    /// Suggestions by the search box's text, lower-cased.
    suggestions: Keyed<String, Arc<Vec<Suggestion>>>,
    categories: Keyed<(), Arc<Vec<Category>>>,
    /// Products per category id (`/api/categories/`; the pages show no counts).
    category_counts: Keyed<(), Arc<HashMap<i32, u64>>>,
    vocabulary: Keyed<(), Arc<Vocabulary>>,
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

    /// `capacity_bytes` is shared out between the kinds of entry, in eighths: pages and
    /// listings, which are many, get most; the full list is one (large) entry.
    pub fn with_capacity(ttl: Duration, capacity_bytes: u64) -> Self {
        // moka refuses a zero TTL; with it, nothing is cached anyway (see `read_through`).
        let ttl_for_moka = ttl.max(Duration::from_millis(1));
        let eighth = (capacity_bytes / 8).max(1);
        Self {
            ttl,
            generation: AtomicU64::new(0),
            products: cache(ttl_for_moka, eighth, |p| list_weight([p])),
            pages: cache(ttl_for_moka, eighth * 2, |page: &ProductPage| {
                list_weight(&page.items)
            }),
            all: cache(ttl_for_moka, eighth * 2, |all: &Arc<Vec<Product>>| {
                list_weight(all.iter())
            }),
            listings: cache(ttl_for_moka, eighth * 2, |listing: &Listing| {
                list_weight(listing.products()).saturating_add(1024)
            }),
            suggestions: cache(ttl_for_moka, eighth / 2, |s: &Arc<Vec<Suggestion>>| {
                let bytes: usize = s.iter().map(|s| s.name.len() + 16).sum();
                u32::try_from(bytes + 64).unwrap_or(u32::MAX)
            }),
            categories: cache(ttl_for_moka, eighth / 4, |c: &Arc<Vec<Category>>| {
                let bytes: usize = c
                    .iter()
                    .map(|c| c.name.len() + c.description.len() + 64)
                    .sum();
                u32::try_from(bytes).unwrap_or(u32::MAX)
            }),
            category_counts: cache(ttl_for_moka, eighth / 8, |c: &Arc<HashMap<i32, u64>>| {
                u32::try_from(c.len() * 32 + 64).unwrap_or(u32::MAX)
            }),
            vocabulary: cache(ttl_for_moka, eighth / 4, |v: &Arc<Vocabulary>| {
                u32::try_from(v.weight()).unwrap_or(u32::MAX)
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
        self.listings.invalidate_all();
        self.suggestions.invalidate_all();
        self.categories.invalidate_all();
        self.category_counts.invalidate_all();
        self.vocabulary.invalidate_all();
    }

    /// The estimated bytes held now (after pending evictions are applied).
    pub async fn memory_used(&self) -> u64 {
        self.products.run_pending_tasks().await;
        self.pages.run_pending_tasks().await;
        self.all.run_pending_tasks().await;
        self.listings.run_pending_tasks().await;
        self.suggestions.run_pending_tasks().await;
        self.categories.run_pending_tasks().await;
        self.category_counts.run_pending_tasks().await;
        self.vocabulary.run_pending_tasks().await;
        self.products.weighted_size()
            + self.pages.weighted_size()
            + self.all.weighted_size()
            + self.listings.weighted_size()
            + self.suggestions.weighted_size()
            + self.categories.weighted_size()
            + self.category_counts.weighted_size()
            + self.vocabulary.weighted_size()
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

    /// A search or category listing (see [`search::find_products`]); when a search found
    /// nothing, with "did you mean" suggestions.
    pub async fn listing(
        &self,
        db: &impl ConnectionTrait,
        filter: &ProductFilter,
        page: u64,
        page_size: u64,
    ) -> Result<Listing, ShopError> {
        let key = (filter.clone(), page, page_size);
        self.read_through(&self.listings, key, || async {
            let mut listing = search::find_products(db, filter, page, page_size).await?;
            if let (0, Some(text)) = (listing.page.total, filter.search_text()) {
                let vocabulary = self.vocabulary(db).await?;
                listing.suggestions =
                    search::corrections(db, &vocabulary, text, SUGGESTION_LIMIT).await?;
            }
            Ok(listing)
        })
        .await
    }

    /// What the search box offers for `text`: the best matches, else corrections.
    pub async fn suggestions(
        &self,
        db: &impl ConnectionTrait,
        text: &str,
    ) -> Result<Arc<Vec<Suggestion>>, ShopError> {
        let key = search::words(text).join(" ");
        self.read_through(&self.suggestions, key.clone(), || async {
            let found = search::suggest(db, &key, SUGGESTION_LIMIT).await?;
            if !found.is_empty() {
                return Ok(Arc::new(found));
            }
            let vocabulary = self.vocabulary(db).await?;
            search::corrections(db, &vocabulary, &key, SUGGESTION_LIMIT)
                .await
                .map(Arc::new)
        })
        .await
    }

    /// Every category, by name.
    pub async fn categories(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Arc<Vec<Category>>, ShopError> {
        self.read_through(&self.categories, (), || async {
            categories::list_categories(db).await.map(Arc::new)
        })
        .await
    }

    /// How many products each category holds, by category id.
    pub async fn category_counts(
        &self,
        db: &impl ConnectionTrait,
    ) -> Result<Arc<HashMap<i32, u64>>, ShopError> {
        self.read_through(&self.category_counts, (), || async {
            categories::product_counts(db).await.map(Arc::new)
        })
        .await
    }

    /// The category with this slug; `NotFound` otherwise.
    pub async fn category(
        &self,
        db: &impl ConnectionTrait,
        slug: &str,
    ) -> Result<Category, ShopError> {
        self.categories(db)
            .await?
            .iter()
            .find(|c| c.slug == slug)
            .cloned()
            .ok_or(ShopError::NotFound)
    }

    async fn vocabulary(&self, db: &impl ConnectionTrait) -> Result<Arc<Vocabulary>, ShopError> {
        self.read_through(&self.vocabulary, (), || async {
            Vocabulary::load(db).await.map(Arc::new)
        })
        .await
    }
}

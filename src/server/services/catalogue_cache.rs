//! A short-lived read-through cache of catalogue reads: product pages and single products are
//! read on every page view and API call but change rarely.
//!
//! Invalidation: a write in this process calls [`CatalogueCache::invalidate`], which drops
//! everything at once (a read that raced the write is not stored: entries carry the generation
//! they were read in). Another process sharing the database (several instances on PostgreSQL,
//! or `shop seed`) is seen within the time-to-live. A TTL of zero turns caching off.

use crate::error::ShopError;
use crate::model::{Product, ProductPage};
use crate::server::services::catalogue;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Past this many entries in one map, it is emptied rather than grown.
const MAX_ENTRIES: usize = 20_000;

type Map<K, V> = HashMap<K, (V, Instant)>;

#[derive(Default)]
struct Maps {
    generation: u64,
    products: Map<i32, Product>,
    pages: Map<(u64, u64), ProductPage>,
    all: Map<(), Arc<Vec<Product>>>,
}

pub struct CatalogueCache {
    ttl: Duration,
    maps: Mutex<Maps>,
}

impl CatalogueCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            maps: Mutex::default(),
        }
    }

    fn maps(&self) -> MutexGuard<'_, Maps> {
        // The maps hold plain values; a panic elsewhere cannot leave them half-written.
        self.maps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets everything; call after any write to products.
    pub fn invalidate(&self) {
        let mut maps = self.maps();
        let generation = maps.generation + 1;
        *maps = Maps {
            generation,
            ..Maps::default()
        };
    }

    async fn read_through<K, V, Fut>(
        &self,
        map: fn(&mut Maps) -> &mut Map<K, V>,
        key: K,
        load: impl FnOnce() -> Fut,
    ) -> Result<V, ShopError>
    where
        K: Hash + Eq,
        V: Clone,
        Fut: Future<Output = Result<V, ShopError>>,
    {
        if self.ttl.is_zero() {
            return load().await;
        }
        let generation = {
            let mut maps = self.maps();
            if let Some((value, stored)) = map(&mut maps).get(&key) {
                if stored.elapsed() < self.ttl {
                    return Ok(value.clone());
                }
            }
            maps.generation
        };
        let value = load().await?;
        let mut maps = self.maps();
        if maps.generation == generation {
            let entries = map(&mut maps);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(key, (value.clone(), Instant::now()));
        }
        Ok(value)
    }

    pub async fn product(&self, db: &impl ConnectionTrait, id: i32) -> Result<Product, ShopError> {
        self.read_through(|m| &mut m.products, id, || catalogue::get_product(db, id))
            .await
    }

    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        page: u64,
        page_size: u64,
    ) -> Result<ProductPage, ShopError> {
        self.read_through(
            |m| &mut m.pages,
            (page, page_size),
            || catalogue::list_products(db, page, page_size),
        )
        .await
    }

    /// Every product; the same `Arc` until it expires or is invalidated, so callers may
    /// derive and keep their own results from it (see the REST list).
    pub async fn all(&self, db: &impl ConnectionTrait) -> Result<Arc<Vec<Product>>, ShopError> {
        self.read_through(
            |m| &mut m.all,
            (),
            || async { catalogue::all_products(db).await.map(Arc::new) },
        )
        .await
    }
}

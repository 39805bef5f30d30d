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
    /// One load at a time per kind of entry: when an entry expires under load, one request
    /// reloads it and the others wait for its result instead of all loading at once.
    loading: [tokio::sync::Mutex<()>; 3],
}

impl CatalogueCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            maps: Mutex::default(),
            loading: Default::default(),
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

    fn cached<K: Hash + Eq, V: Clone>(
        &self,
        map: fn(&mut Maps) -> &mut Map<K, V>,
        key: &K,
    ) -> Result<V, u64> {
        let mut maps = self.maps();
        match map(&mut maps).get(key) {
            Some((value, stored)) if stored.elapsed() < self.ttl => Ok(value.clone()),
            _ => Err(maps.generation),
        }
    }

    async fn read_through<K, V, Fut>(
        &self,
        kind: usize,
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
        if let Ok(value) = self.cached(map, &key) {
            return Ok(value);
        }
        let _loading = self.loading[kind].lock().await;
        // Another request may have loaded it while this one waited.
        let generation = match self.cached(map, &key) {
            Ok(value) => return Ok(value),
            Err(generation) => generation,
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
        self.read_through(
            0,
            |m| &mut m.products,
            id,
            || catalogue::get_product(db, id),
        )
        .await
    }

    pub async fn page(
        &self,
        db: &impl ConnectionTrait,
        page: u64,
        page_size: u64,
    ) -> Result<ProductPage, ShopError> {
        self.read_through(
            1,
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
            2,
            |m| &mut m.all,
            (),
            || async { catalogue::all_products(db).await.map(Arc::new) },
        )
        .await
    }
}

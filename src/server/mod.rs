//! The server: configuration, database, services, the REST API and the router that serves
//! them beside the Leptos pages. Nothing here is compiled into the WASM client.

pub mod account_forms;
pub mod admin_forms;
pub mod admin_guard;
pub mod auth;
pub mod back_in_stock_forms;
pub mod checkout_form;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod context;
pub mod crawlers;
pub mod db;
pub mod entities;
pub mod form_post;
pub mod health;
pub mod jobs;
pub mod listener;
pub mod mail;
pub mod media;
pub mod middleware;
pub mod page_render;
pub mod prometheus;
pub mod rest;
pub mod router;
pub mod seed;
pub mod services;
pub mod session;
pub mod session_store;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What every handler and server function can reach: as axum `State`, and as Leptos context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub config: Arc<config::Config>,
    pub catalogue: Arc<services::catalogue_cache::CatalogueCache>,
    /// The REST full list's JSON, rendered once per cached catalogue.
    pub api_list_body: Arc<rest::full_list::FullListBody>,
    /// The payment provider of each payment method.
    pub payments: Arc<services::payments::Payments>,
    /// Stock changes as they happen, for the open event streams.
    pub stock: Arc<services::stock_feed::StockFeed>,
    /// Set when shutdown begins: `/ready` then answers 503 so load balancers move away.
    pub draining: Arc<AtomicBool>,
    /// Writes per client (shared through Redis once [`AppState::share_through`] is called).
    pub limiter: middleware::rate_limit::WriteLimiter,
    /// Sign-in attempts per account and per address (shared like `limiter`).
    #[from_ref(skip)]
    pub sign_in_attempts: services::throttle::Attempts,
    /// Password-reset requests and uses per account and per address (shared like `limiter`).
    #[from_ref(skip)]
    pub reset_attempts: services::throttle::Attempts,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        leptos_options: LeptosOptions,
        config: config::Config,
    ) -> Self {
        let ttl = std::time::Duration::from_secs(config.catalogue_cache_secs);
        let cache_bytes = config.catalogue_cache_mb.saturating_mul(1024 * 1024);
        Self {
            db,
            leptos_options,
            catalogue: Arc::new(services::catalogue_cache::CatalogueCache::with_capacity(
                ttl,
                cache_bytes,
            )),
            api_list_body: Arc::default(),
            payments: Arc::default(),
            draining: Arc::default(),
            stock: services::stock_feed::StockFeed::new(config.stock_streams_per_client),
            limiter: middleware::rate_limit::WriteLimiter::new(config.write_rate_limit),
            sign_in_attempts: services::throttle::Attempts::new("sign-in", config.auth_attempts),
            reset_attempts: services::throttle::Attempts::new("reset", config.auth_attempts),
            config: Arc::new(config),
        }
    }

    /// Shares what instances must agree on beyond the database: write limits through Redis
    /// (when given), catalogue changes through Redis or PostgreSQL, and starts the live
    /// stock feed's source (see [`cluster::start`]). Returns the tasks that carry the
    /// changes; abort them at shutdown.
    pub fn share_through(
        &mut self,
        redis: Option<(redis::Client, redis::aio::ConnectionManager)>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        if let Some((_, manager)) = &redis {
            self.limiter = self.limiter.clone().shared_through(manager.clone());
            self.sign_in_attempts = self
                .sign_in_attempts
                .clone()
                .shared_through(manager.clone());
            self.reset_attempts = self.reset_attempts.clone().shared_through(manager.clone());
        }
        let bus = cluster::Bus::choose(redis, &self.db);
        cluster::start(bus, &self.db, self.catalogue.clone(), self.stock.clone())
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// What [`services::orders::place_order`] needs, borrowed from the state.
    pub fn order_deps(&self) -> services::orders::OrderDeps<'_> {
        services::orders::OrderDeps {
            db: &self.db,
            payments: &self.payments,
            catalogue: &self.catalogue,
            shop_url: &self.config.public_url,
        }
    }
}

//! The server: configuration, database, services, the REST API and the router that serves
//! them beside the Leptos pages. Nothing here is compiled into the WASM client.

pub mod checkout_form;
pub mod cli;
pub mod config;
pub mod context;
pub mod db;
pub mod entities;
pub mod health;
pub mod jobs;
pub mod mail;
pub mod middleware;
pub mod rest;
pub mod router;
pub mod seed;
pub mod services;
pub mod session;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

/// What every handler and server function can reach: as axum `State`, and as Leptos context.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub leptos_options: LeptosOptions,
    pub config: Arc<config::Config>,
    pub catalogue: Arc<services::catalogue_cache::CatalogueCache>,
    /// The REST full list's JSON, rendered once per cached catalogue.
    pub api_list_body: Arc<rest::products::FullListBody>,
    /// The payment provider of each payment method.
    pub payments: Arc<services::payments::Payments>,
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        leptos_options: LeptosOptions,
        config: config::Config,
    ) -> Self {
        let ttl = std::time::Duration::from_secs(config.catalogue_cache_secs);
        Self {
            db,
            leptos_options,
            config: Arc::new(config),
            catalogue: Arc::new(services::catalogue_cache::CatalogueCache::new(ttl)),
            api_list_body: Arc::default(),
            payments: Arc::default(),
        }
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

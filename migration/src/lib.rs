//! Schema migrations for the shop. They run at server start-up (see `shop::server::db`)
//! and in every database test, so the schema under test is the schema in production.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_products;
mod m20261125_000002_create_cart_items;
mod m20261130_000003_create_orders;
mod m20261201_000004_order_payment_lease;
mod m20261201_000005_categories_and_search;
mod m20261201_000006_listing_price_cents;
mod m20261202_000007_accounts;
mod m20261203_000008_sign_in;
mod m20261203_000009_admin;
mod m20261204_000010_live_stock;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_products::Migration),
            Box::new(m20261125_000002_create_cart_items::Migration),
            Box::new(m20261130_000003_create_orders::Migration),
            Box::new(m20261201_000004_order_payment_lease::Migration),
            Box::new(m20261201_000005_categories_and_search::Migration),
            Box::new(m20261201_000006_listing_price_cents::Migration),
            Box::new(m20261202_000007_accounts::Migration),
            Box::new(m20261203_000008_sign_in::Migration),
            Box::new(m20261203_000009_admin::Migration),
            Box::new(m20261204_000010_live_stock::Migration),
        ]
    }
}

/// Money column: NUMERIC(10,2) on PostgreSQL. SQLite has no exact decimal type and would turn
/// a NUMERIC value into a float, so there the amount is kept as its exact decimal text.
pub(crate) fn money_column(
    backend: sea_orm_migration::sea_orm::DatabaseBackend,
    col: impl IntoIden,
) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    match backend {
        sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => def.custom(Alias::new("TEXT")),
        _ => def.decimal_len(10, 2),
    };
    def.not_null();
    def
}

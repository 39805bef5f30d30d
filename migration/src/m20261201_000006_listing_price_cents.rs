//! `products.price_cents`: the price in whole cents as an integer column, and one index,
//! `(category_id, price_cents, stock)`, that a listing both sorts by (price within a
//! category, stock checked in the index) and counts its facets from without reading a row;
//! and the category's other orders (name, newest) as indexes.
//!
//! An index on the price *expression* (the previous migration's) cannot cover a query, so
//! at 100,000 products every facet count read every row. PostgreSQL computes the column
//! (stored, generated); SQLite cannot add a stored generated column to a table, so there
//! triggers keep it, in the same statement as the price they follow. Every step checks or
//! says `IF NOT EXISTS`, so an interrupted run resumes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The price in cents, exact: the SQLite column is the decimal's text (see `money_column`),
/// and rounding the scaled value makes whole cents exact.
const SQLITE_CENTS: &str = "CAST(ROUND(CAST(price AS REAL) * 100) AS INTEGER)";

const LISTING_INDEX: &str = "CREATE INDEX IF NOT EXISTS products_listing \
     ON products (category_id, price_cents, stock)";
const PRICE_INDEX: &str = "CREATE INDEX IF NOT EXISTS products_price ON products (price_cents)";
/// A category page's other orders (by name, the pages' default, and newest): read in order
/// instead of sorting the whole category.
const CATEGORY_ORDER_INDEXES: [&str; 2] = [
    "CREATE INDEX IF NOT EXISTS products_category_name ON products (category_id, LOWER(name))",
    "CREATE INDEX IF NOT EXISTS products_category_created ON products (category_id, created_at)",
];
/// Both now prefixes of, or replaced by, the indexes above.
const OLD_INDEXES: [&str; 2] = [
    "DROP INDEX IF EXISTS products_price_cents",
    "DROP INDEX IF EXISTS products_category_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let has_column = manager.has_column("products", "price_cents").await?;
        let mut statements: Vec<String> = Vec::new();
        match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                if !has_column {
                    statements.push("ALTER TABLE products ADD COLUMN price_cents INTEGER".into());
                }
                statements.extend([
                    format!(
                        "CREATE TRIGGER IF NOT EXISTS products_price_cents_insert \
                         AFTER INSERT ON products BEGIN \
                         UPDATE products SET price_cents = {SQLITE_CENTS} WHERE id = new.id; END"
                    ),
                    format!(
                        "CREATE TRIGGER IF NOT EXISTS products_price_cents_update \
                         AFTER UPDATE OF price ON products BEGIN \
                         UPDATE products SET price_cents = {SQLITE_CENTS} WHERE id = new.id; END"
                    ),
                    format!("UPDATE products SET price_cents = {SQLITE_CENTS}"),
                ]);
            }
            _ => {
                if !has_column {
                    statements.push(
                        "ALTER TABLE products ADD COLUMN price_cents BIGINT \
                         GENERATED ALWAYS AS (CAST(price * 100 AS BIGINT)) STORED"
                            .into(),
                    );
                }
            }
        }
        statements.extend([LISTING_INDEX.into(), PRICE_INDEX.into()]);
        statements.extend(CATEGORY_ORDER_INDEXES.iter().map(|s| (*s).to_owned()));
        statements.extend(OLD_INDEXES.iter().map(|s| (*s).to_owned()));
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let mut statements: Vec<String> = Vec::new();
        let (cents, drop_column) = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => {
                statements.extend([
                    "DROP TRIGGER IF EXISTS products_price_cents_insert".to_owned(),
                    "DROP TRIGGER IF EXISTS products_price_cents_update".to_owned(),
                ]);
                (SQLITE_CENTS, "ALTER TABLE products DROP COLUMN price_cents")
            }
            _ => (
                "CAST(price * 100 AS BIGINT)",
                "ALTER TABLE products DROP COLUMN IF EXISTS price_cents",
            ),
        };
        statements.extend([
            "DROP INDEX IF EXISTS products_listing".to_owned(),
            "DROP INDEX IF EXISTS products_price".to_owned(),
            "DROP INDEX IF EXISTS products_category_name".to_owned(),
            "DROP INDEX IF EXISTS products_category_created".to_owned(),
            drop_column.to_owned(),
            format!("CREATE INDEX IF NOT EXISTS products_price_cents ON products (({cents}))"),
            "CREATE INDEX IF NOT EXISTS products_category_id ON products (category_id)".to_owned(),
        ]);
        for sql in statements {
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}

//! Live stock: how a stock change leaves the database the moment it commits, and the
//! back-in-stock requests.
//!
//! A product's stock as shoppers see it is its `stock`, or 0 once archived. Every change of
//! that figure, whatever wrote it (checkout, cancellation, an adjustment, an edit, an
//! archive), is caught by a trigger, so no code path can forget to tell:
//! - PostgreSQL: the trigger calls `pg_notify('shop_stock', …)` in the changing
//!   transaction, delivered to every instance's listener when (and only if) it commits.
//! - SQLite (one instance): the trigger appends to `stock_changes`, a journal the instance
//!   reads and empties; rows appear in commit order, as SQLite has one writer at a time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The stock shoppers see, of the row `row` (`OLD` or `NEW`).
fn seen(row: &str) -> String {
    format!("(CASE WHEN {row}.archived_at IS NULL THEN MAX({row}.stock, 0) ELSE 0 END)")
}

const POSTGRES_UP: &str = r#"
CREATE OR REPLACE FUNCTION shop_stock_notify() RETURNS trigger AS $$
DECLARE
    was integer := CASE WHEN OLD.archived_at IS NULL THEN GREATEST(OLD.stock, 0) ELSE 0 END;
    now_seen integer := 0;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        now_seen := CASE WHEN NEW.archived_at IS NULL THEN GREATEST(NEW.stock, 0) ELSE 0 END;
    END IF;
    IF was IS DISTINCT FROM now_seen THEN
        PERFORM pg_notify('shop_stock', json_build_object(
            'product_id', OLD.id, 'stock', now_seen, 'was', was)::text);
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS products_stock_notify ON products;
CREATE TRIGGER products_stock_notify
    AFTER UPDATE OF stock, archived_at OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION shop_stock_notify();
"#;

const POSTGRES_DOWN: &str = r#"
DROP TRIGGER IF EXISTS products_stock_notify ON products;
DROP FUNCTION IF EXISTS shop_stock_notify();
"#;

fn sqlite_up() -> Vec<String> {
    let (old, new) = (seen("OLD"), seen("NEW"));
    vec![
        "CREATE TABLE IF NOT EXISTS stock_changes (\
            id INTEGER PRIMARY KEY AUTOINCREMENT, \
            product_id INTEGER NOT NULL, \
            stock INTEGER NOT NULL, \
            was INTEGER NOT NULL)"
            .to_owned(),
        format!(
            "CREATE TRIGGER IF NOT EXISTS products_stock_journal \
             AFTER UPDATE OF stock, archived_at ON products WHEN {old} IS NOT {new} \
             BEGIN INSERT INTO stock_changes (product_id, stock, was) \
             VALUES (NEW.id, {new}, {old}); END"
        ),
        format!(
            "CREATE TRIGGER IF NOT EXISTS products_stock_journal_delete \
             AFTER DELETE ON products WHEN {old} > 0 \
             BEGIN INSERT INTO stock_changes (product_id, stock, was) \
             VALUES (OLD.id, 0, {old}); END"
        ),
    ]
}

const SQLITE_DOWN: [&str; 3] = [
    "DROP TRIGGER IF EXISTS products_stock_journal_delete",
    "DROP TRIGGER IF EXISTS products_stock_journal",
    "DROP TABLE IF EXISTS stock_changes",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_UP).await?;
            }
            _ => {
                for sql in sqlite_up() {
                    db.execute_unprepared(&sql).await?;
                }
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(StockAlerts::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(StockAlerts::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(StockAlerts::ProductId).integer().not_null())
                    .col(
                        ColumnDef::new(StockAlerts::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(StockAlerts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    // Set when the email is queued: the request has ended.
                    .col(
                        ColumnDef::new(StockAlerts::NotifiedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    // The SHA-256 of the unsubscribe link's secret, made with the email.
                    .col(ColumnDef::new(StockAlerts::TokenHash).string_len(64).null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_stock_alerts_product")
                            .from(StockAlerts::Table, StockAlerts::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One waiting request per email and product; ended ones do not count. (Raw SQL:
        // a partial index, which both databases have.)
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_stock_alerts_waiting \
             ON stock_alerts (product_id, email) WHERE notified_at IS NULL",
        )
        .await?;
        for (name, column) in [
            ("ix_stock_alerts_email", StockAlerts::Email),
            ("ix_stock_alerts_token_hash", StockAlerts::TokenHash),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(StockAlerts::Table)
                        .col(column)
                        .if_not_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StockAlerts::Table).to_owned())
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_DOWN).await?;
            }
            _ => {
                for sql in SQLITE_DOWN {
                    db.execute_unprepared(sql).await?;
                }
            }
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StockAlerts {
    Table,
    Id,
    ProductId,
    Email,
    CreatedAt,
    NotifiedAt,
    TokenHash,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
}

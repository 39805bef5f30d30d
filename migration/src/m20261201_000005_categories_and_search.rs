//! Categories, `products.category_id`, the indexes listings filter and sort with, and the
//! full-text index: SQLite FTS5 kept by triggers, PostgreSQL a generated `tsvector` with a
//! GIN index. Both change in the same statement as the product row they index, so a search
//! never disagrees with the catalogue. Every step checks or says `IF NOT EXISTS`, so an
//! interrupted run resumes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Indexes both backends share. The price expression is the one listings filter and sort by
/// (see `services::search`): whole cents, exact on both backends.
const SHARED_INDEXES: [&str; 3] = [
    "CREATE INDEX IF NOT EXISTS products_category_id ON products (category_id)",
    "CREATE INDEX IF NOT EXISTS products_created_at ON products (created_at)",
    "CREATE INDEX IF NOT EXISTS products_name_key ON products (LOWER(name))",
];

const SQLITE: [&str; 6] = [
    "CREATE INDEX IF NOT EXISTS products_price_cents ON products \
     (CAST(ROUND(CAST(price AS REAL) * 100) AS INTEGER))",
    // External content: the text lives once, in `products`; the index holds only tokens.
    // unicode61 folds case and diacritics; prefix indexes make 2- and 3-letter prefix
    // queries (typing in the search box) cheap.
    "CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(\
     name, description, content='products', content_rowid='id', \
     tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    "CREATE TRIGGER IF NOT EXISTS products_fts_insert AFTER INSERT ON products BEGIN \
     INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description); \
     END",
    "CREATE TRIGGER IF NOT EXISTS products_fts_delete AFTER DELETE ON products BEGIN \
     INSERT INTO products_fts (products_fts, rowid, name, description) \
     VALUES ('delete', old.id, old.name, old.description); \
     END",
    // Only text changes touch the index: stock and price updates (checkout) do not.
    "CREATE TRIGGER IF NOT EXISTS products_fts_update AFTER UPDATE OF name, description ON products BEGIN \
     INSERT INTO products_fts (products_fts, rowid, name, description) \
     VALUES ('delete', old.id, old.name, old.description); \
     INSERT INTO products_fts (rowid, name, description) VALUES (new.id, new.name, new.description); \
     END",
    // Products written before this migration.
    "INSERT INTO products_fts (products_fts) VALUES ('rebuild')",
];

const POSTGRES: [&str; 3] = [
    "CREATE INDEX IF NOT EXISTS products_price_cents ON products (CAST(price * 100 AS BIGINT))",
    // 'simple': lower-cased words, no stemming or stop words, as SQLite's tokenizer does,
    // so both backends find the same products. Names weigh A, descriptions D.
    "ALTER TABLE products ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (\
     setweight(to_tsvector('simple'::regconfig, name), 'A') || \
     setweight(to_tsvector('simple'::regconfig, description), 'D')) STORED",
    "CREATE INDEX IF NOT EXISTS products_search ON products USING GIN (search_vector)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Categories::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Categories::Slug)
                            .string_len(80)
                            .not_null()
                            .unique_key(),
                    )
                    .col(ColumnDef::new(Categories::Name).string_len(120).not_null())
                    .col(
                        ColumnDef::new(Categories::Description)
                            .text()
                            .not_null()
                            .default(""),
                    )
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        if !manager.has_column("products", "category_id").await? {
            // The same statement on both backends; a deleted category leaves its products
            // uncategorised rather than deleting them.
            db.execute_unprepared(
                "ALTER TABLE products ADD COLUMN category_id INTEGER \
                 REFERENCES categories (id) ON DELETE SET NULL",
            )
            .await?;
        }
        let specific: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => &SQLITE,
            _ => &POSTGRES,
        };
        for sql in SHARED_INDEXES.iter().chain(specific) {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DatabaseBackend::Sqlite => &[
                "DROP TRIGGER IF EXISTS products_fts_insert",
                "DROP TRIGGER IF EXISTS products_fts_delete",
                "DROP TRIGGER IF EXISTS products_fts_update",
                "DROP TABLE IF EXISTS products_fts",
                "DROP INDEX IF EXISTS products_price_cents",
                "DROP INDEX IF EXISTS products_name_key",
                "DROP INDEX IF EXISTS products_created_at",
                "DROP INDEX IF EXISTS products_category_id",
                "ALTER TABLE products DROP COLUMN category_id",
            ],
            _ => &[
                "DROP INDEX IF EXISTS products_search",
                "ALTER TABLE products DROP COLUMN IF EXISTS search_vector",
                "DROP INDEX IF EXISTS products_price_cents",
                "DROP INDEX IF EXISTS products_name_key",
                "DROP INDEX IF EXISTS products_created_at",
                "ALTER TABLE products DROP COLUMN IF EXISTS category_id",
            ],
        };
        for sql in statements {
            db.execute_unprepared(sql).await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(Categories::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    Slug,
    Name,
    Description,
}

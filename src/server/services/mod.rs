//! What the shop does, as plain async functions over a database connection. They know
//! nothing of HTTP: the REST handlers, the server functions and the tests all call these.

pub mod accounts;
pub mod api_tokens;
pub mod audit;
pub mod back_in_stock;
pub mod cart;
pub mod catalogue;
pub mod catalogue_cache;
pub mod categories;
pub mod inventory;
pub mod order_admin;
pub mod orders;
pub mod password_resets;
pub mod payments;
pub mod product_admin;
pub mod reports;
pub mod search;
pub mod sitemap;
pub mod stock_feed;
pub mod throttle;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};

/// Builds a raw statement written with `$n` placeholders; SQLite spells them `?n`.
pub(crate) fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails with
/// SQLITE_BUSY when another connection wrote in between, instead of waiting its turn.
pub(crate) async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// 128 random bits as 32 hex characters: cart keys, reset links, API tokens.
pub(crate) fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 as hex: what is stored of a secret the shop hands out (a reset link, an API
/// token), so a copy of the database holds none that work. The secrets have 128 random
/// bits, so a fast hash is enough (no password stretching needed).
pub(crate) fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

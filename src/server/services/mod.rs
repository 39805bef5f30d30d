//! What the shop does, as plain async functions over a database connection. They know
//! nothing of HTTP: the REST handlers, the server functions and the tests all call these.

pub mod accounts;
pub mod cart;
pub mod catalogue;
pub mod catalogue_cache;
pub mod categories;
pub mod orders;
pub mod payments;
pub mod search;
pub mod sitemap;

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

/// Builds a raw statement written with `$n` placeholders; SQLite spells them `?n`.
pub(crate) fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => sql.replace('$', "?"),
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

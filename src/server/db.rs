//! Opening the database: SQLite (embedded default) or PostgreSQL, migrated on open.

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::path::Path;
use std::time::Duration;

/// Connects to `url` and brings the schema up to date. Errors are one readable line.
/// `full_sync` makes SQLite sync every commit to disk (see below).
pub async fn connect(url: &str, full_sync: bool) -> Result<DatabaseConnection, String> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    if let Some(path) = sqlite_path(url) {
        if let Some(dir) = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create database directory {}: {e}", dir.display()))?;
        }
        // WAL lets readers run beside the one writer, and the busy timeout makes concurrent
        // writers queue instead of failing. Durability, chosen deliberately:
        // synchronous=NORMAL (default): a commit is in the WAL, in the operating system's
        // cache, before the API acknowledges it, so it survives the process dying (kill -9,
        // a panic, OOM) - tested in tests/process.rs. Only an OS crash or power loss can lose
        // the last commits. FULL (SHOP_SQLITE_SYNC=full) closes that gap with an fsync per
        // commit, at a measured cost of about half the write throughput and several times the p99
        // under load (bench/). Deployments that need power-loss safety at scale run PostgreSQL.
        // Two connections per core serve concurrent readers; more only add thread switching.
        let connections = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32 * 2;
        let synchronous = if full_sync {
            SqliteSynchronous::Full
        } else {
            SqliteSynchronous::Normal
        };
        options
            .max_connections(connections.clamp(2, 16))
            .min_connections(1)
            .map_sqlx_sqlite_opts(move |opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
            });
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        options.max_connections(16).min_connections(1);
    } else {
        return Err(format!(
            "DATABASE_URL must start with sqlite:// or postgres:// (got {:?})",
            redact(url)
        ));
    }
    let db = Database::connect(options)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", redact(url)))?;
    let migrated = if sqlite_path(url).is_some() {
        // SQLite's write lock already makes a second process wait for the first one's.
        Migrator::up(&db, None).await
    } else {
        migrate_postgres_exclusively(url).await
    };
    migrated.map_err(|e| format!("cannot migrate database {}: {e}", redact(url)))?;
    Ok(db)
}

/// Any number, the same in every instance: the advisory lock that migrations run under.
const MIGRATION_LOCK: i64 = 0x7368_6f70; // "shop"

/// Runs the migrations while holding a PostgreSQL advisory lock, so instances started together
/// migrate one after the other (the later ones find nothing left to do). Advisory locks belong
/// to a session, so this uses a connection of its own: lock, migrate and unlock on one session.
async fn migrate_postgres_exclusively(url: &str) -> Result<(), sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        // Long enough to wait for another instance's migrations.
        .acquire_timeout(Duration::from_secs(120))
        .sqlx_logging(false);
    let session = Database::connect(options).await?;
    session
        .execute_unprepared(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
        .await?;
    let migrated = Migrator::up(&session, None).await;
    // Closing the session releases the lock too, should the unlock itself fail.
    let unlocked = session
        .execute_unprepared(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
        .await;
    session.close().await.ok();
    migrated.and(unlocked.map(|_| ()))
}

/// The file path of a `sqlite://path?…` URL, if it is one.
fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// The URL without its password, for messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_paths() {
        assert_eq!(
            sqlite_path("sqlite://data/shop.db?mode=rwc"),
            Some("data/shop.db")
        );
        assert_eq!(sqlite_path("sqlite:x.db"), Some("x.db"));
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }

    #[tokio::test]
    async fn unknown_scheme_is_one_clear_error() {
        let err = connect("mysql://localhost/db", false).await.unwrap_err();
        assert!(err.contains("DATABASE_URL must start with"), "{err}");
    }
}

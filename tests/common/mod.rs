//! Real databases for tests: a fresh SQLite file per test, and, when `TEST_DATABASE_URL`
//! names a PostgreSQL database, a fresh PostgreSQL database per test created beside it.
//! Both go through the real migrations (`shop::server::db::connect`).
#![allow(dead_code)]

pub mod browser;
pub mod http;
pub mod process;

use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, Database, DatabaseConnection};
use shop::server::entities::{money::Money, product};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres(PgDatabase),
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique_name(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        Utc::now().timestamp_micros() % 1_000_000
    )
}

pub async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join("shop-tests");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("{}.db", unique_name("t")));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let db = shop::server::db::connect(&url, false)
        .await
        .expect("sqlite test database");
    eprintln!("backend: sqlite ({})", path.display());
    TestDb {
        db,
        backend: "sqlite",
        cleanup: Cleanup::File(path),
    }
}

/// A new, empty PostgreSQL database beside `TEST_DATABASE_URL`.
pub struct PgDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PgDatabase {
    /// `None` (the test is skipped, and says so) unless `TEST_DATABASE_URL` is set; when
    /// `REQUIRE_POSTGRES=1` (CI), a missing URL fails the test instead.
    pub async fn create() -> Option<PgDatabase> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var("REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set");
            }
            eprintln!("backend: postgres SKIPPED (set TEST_DATABASE_URL to run)");
            return None;
        };
        let (base, base_db) = admin_url
            .rsplit_once('/')
            .expect("TEST_DATABASE_URL has a database name");
        let base_db = base_db.split('?').next().unwrap_or(base_db);
        let name = unique_name(base_db);
        let admin = Database::connect(admin_url.as_str())
            .await
            .expect("connect to TEST_DATABASE_URL");
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create test database");
        admin.close().await.ok();
        Some(PgDatabase {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        })
    }

    /// Drops the database, whoever is still connected.
    pub async fn drop_database(self) {
        if let Ok(admin) = Database::connect(self.admin_url.as_str()).await {
            let _ = admin
                .execute_unprepared(&format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.name
                ))
                .await;
            admin.close().await.ok();
        }
    }
}

pub async fn postgres() -> Option<TestDb> {
    let database = PgDatabase::create().await?;
    let db = shop::server::db::connect(&database.url, false)
        .await
        .expect("postgres test database");
    eprintln!("backend: postgres ({})", database.name);
    Some(TestDb {
        db,
        backend: "postgres",
        cleanup: Cleanup::Postgres(database),
    })
}

impl TestDb {
    /// Inserts a product and returns its id.
    pub async fn product(&self, name: &str, price: &str, stock: i32) -> i32 {
        let now = Utc::now();
        let model = product::ActiveModel {
            name: Set(name.to_owned()),
            description: Set(format!("{name}, for tests.")),
            price: Set(Money(price.parse::<Decimal>().expect("price"))),
            image_url: Set("/images/placeholder.svg".to_owned()),
            stock: Set(stock),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        model.insert(&self.db).await.expect("insert product").id
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.db.close().await.ok();
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Postgres(database) => database.drop_database().await,
        }
    }
}

/// Runs each listed `async fn name(t: &TestDb)` once on SQLite and once on PostgreSQL, as
/// tests named `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let t = $crate::common::sqlite().await;
                    super::$name(&t).await;
                    t.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some(t) = $crate::common::postgres().await else { return };
                    super::$name(&t).await;
                    t.finish().await;
                }
            )*
        }
    };
}

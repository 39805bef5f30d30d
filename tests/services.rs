//! The services against real databases through the real migrations: SQLite always,
//! PostgreSQL when `TEST_DATABASE_URL` is set (CI always sets it).
#![cfg(feature = "ssr")]

mod common;

use common::TestDb;
use migration::{Migrator, MigratorTrait};
use rust_decimal::Decimal;
use sea_orm::{EntityTrait, PaginatorTrait};
use shop::error::ShopError;
use shop::model::{money, MAX_QUANTITY};
use shop::server::entities::{cart_item, product};
use shop::server::seed;
use shop::server::services::{cart, catalogue};
use std::sync::Arc;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn cart_lines(t: &TestDb) -> u64 {
    cart_item::Entity::find().count(&t.db).await.unwrap()
}

async fn migrations_are_idempotent_and_reversible(t: &TestDb) {
    // connect() already ran them; running again changes nothing.
    Migrator::up(&t.db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(&t.db)
        .await
        .unwrap()
        .is_empty());
    Migrator::down(&t.db, None).await.unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(&t.db).await.unwrap().len(),
        Migrator::migrations().len()
    );
    Migrator::up(&t.db, None).await.unwrap();
    assert_eq!(catalogue::count_products(&t.db).await.unwrap(), 0);
}

/// A migration cut off after some of its statements (its tables and indexes made, not yet
/// recorded as applied) runs again cleanly: every create is `IF NOT EXISTS`.
async fn an_interrupted_migration_resumes(t: &TestDb) {
    use sea_orm::ConnectionTrait;
    t.db.execute_unprepared(
        "DELETE FROM seaql_migrations WHERE version = \
         (SELECT MAX(version) FROM seaql_migrations)",
    )
    .await
    .unwrap();
    assert_eq!(
        Migrator::get_pending_migrations(&t.db).await.unwrap().len(),
        1
    );
    Migrator::up(&t.db, None).await.unwrap();
    assert!(Migrator::get_pending_migrations(&t.db)
        .await
        .unwrap()
        .is_empty());
}

/// Instances started together against a new PostgreSQL database all come up: the migrations
/// run under an advisory lock, one instance after the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_started_together_migrate_in_turn() {
    let Some(database) = common::PgDatabase::create().await else {
        return;
    };
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = database.url.clone();
            tokio::spawn(async move { shop::server::db::connect(&url, false).await })
        })
        .collect();
    for start in starts {
        let db = start.await.unwrap().expect("every instance starts");
        assert!(Migrator::get_pending_migrations(&db)
            .await
            .unwrap()
            .is_empty());
        db.close().await.unwrap();
    }
    database.drop_database().await;
}

async fn prices_are_exact(t: &TestDb) {
    for price in ["19.90", "0.10", "12345678.91", "649.00"] {
        let id = t.product(price, price, 1).await;
        let product = catalogue::get_product(&t.db, id).await.unwrap();
        assert_eq!(money::to_string(product.price), price, "{}", t.backend);
        assert_eq!(product.price, dec(price));
    }
}

async fn schema_refuses_bad_rows(t: &TestDb) {
    use chrono::Utc;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    use shop::server::entities::money::Money;
    let now = Utc::now();
    let negative_stock = product::ActiveModel {
        name: Set("Broken".into()),
        description: Set(String::new()),
        price: Set(Money(dec("1.00"))),
        image_url: Set(String::new()),
        stock: Set(-1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    assert!(
        negative_stock.insert(&t.db).await.is_err(),
        "CHECK (stock >= 0)"
    );
    let id = t.product("Mug", "5.00", 5).await;
    let line = |quantity| cart_item::ActiveModel {
        session_id: Set("s".into()),
        product_id: Set(id),
        quantity: Set(quantity),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    assert!(line(0).insert(&t.db).await.is_err(), "CHECK (quantity > 0)");
    line(1).insert(&t.db).await.unwrap();
    assert!(
        line(1).insert(&t.db).await.is_err(),
        "UNIQUE (session_id, product_id)"
    );
}

async fn catalogue_pages_in_a_stable_order(t: &TestDb) {
    assert_eq!(seed::seed_if_empty(&t.db, 48).await.unwrap(), 48);
    let first = catalogue::list_products(&t.db, 1, 24).await.unwrap();
    let second = catalogue::list_products(&t.db, 2, 24).await.unwrap();
    assert_eq!(
        (first.total, first.items.len(), second.items.len()),
        (48, 24, 24)
    );
    assert_eq!(
        catalogue::list_products(&t.db, 3, 24).await,
        Err(ShopError::NotFound),
        "past the last page"
    );
    let ids: Vec<i32> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|p| p.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "ordered by id, no repeats across pages");
    assert_eq!(catalogue::all_products(&t.db).await.unwrap().len(), 48);
    assert!(matches!(
        catalogue::list_products(&t.db, 0, 24).await,
        Err(ShopError::Invalid(_))
    ));
    assert!(matches!(
        catalogue::list_products(&t.db, 1, 101).await,
        Err(ShopError::Invalid(_))
    ));
    assert_eq!(
        catalogue::get_product(&t.db, 999_999).await,
        Err(ShopError::NotFound)
    );
}

async fn seeding_is_idempotent_and_images_exist(t: &TestDb) {
    let n = seed::demo_size();
    assert!(n >= 48);
    assert_eq!(seed::seed_if_empty(&t.db, n).await.unwrap(), n);
    assert_eq!(seed::seed_if_empty(&t.db, n).await.unwrap(), 0);
    let products = catalogue::all_products(&t.db).await.unwrap();
    assert_eq!(products.len(), n);
    let sold_out = products.iter().filter(|p| p.stock == 0).count();
    let low = products
        .iter()
        .filter(|p| (1..=3).contains(&p.stock))
        .count();
    assert!(sold_out >= 2 && low >= 2, "sold out {sold_out}, low {low}");
    for p in &products {
        assert!(p.image_url.starts_with("/images/"), "{}", p.image_url);
        let file = format!("{}/public{}", env!("CARGO_MANIFEST_DIR"), p.image_url);
        assert!(std::path::Path::new(&file).exists(), "missing image {file}");
    }
}

async fn adding_twice_raises_one_line(t: &TestDb) {
    let id = t.product("Mug", "19.99", 10).await;
    let first = cart::add_to_cart(&t.db, "s1", id, 2).await.unwrap();
    let second = cart::add_to_cart(&t.db, "s1", id, 3).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(second.quantity, 5);
    assert_eq!(second.total_price, dec("99.95"));
    assert_eq!(second.created_at, first.created_at);
    assert!(second.updated_at >= first.updated_at);
    let c = cart::get_cart(&t.db, "s1").await.unwrap();
    assert_eq!((c.items.len(), c.count(), c.total()), (1, 5, dec("99.95")));
    assert!(cart::get_cart(&t.db, "other")
        .await
        .unwrap()
        .items
        .is_empty());
}

async fn cart_lists_lines_with_products(t: &TestDb) {
    let a = t.product("A", "1.50", 10).await;
    let b = t.product("B", "2.25", 10).await;
    cart::add_to_cart(&t.db, "s", a, 2).await.unwrap();
    cart::add_to_cart(&t.db, "s", b, 1).await.unwrap();
    let c = cart::get_cart(&t.db, "s").await.unwrap();
    let names: Vec<&str> = c.items.iter().map(|i| i.product.name.as_str()).collect();
    assert_eq!(names, ["A", "B"]);
    assert_eq!(c.total(), dec("5.25"));
    assert_eq!(c.quantity_of(a), 2);
}

async fn adding_beyond_stock_is_refused_with_what_is_left(t: &TestDb) {
    let id = t.product("Rare", "10.00", 3).await;
    cart::add_to_cart(&t.db, "s", id, 2).await.unwrap();
    let err = cart::add_to_cart(&t.db, "s", id, 2).await.unwrap_err();
    assert_eq!(err, ShopError::OutOfStock { available: 1 });
    assert_eq!(err.to_string(), "Only 1 left");
    assert_eq!(cart::get_cart(&t.db, "s").await.unwrap().count(), 2);
    let fresh = cart::add_to_cart(&t.db, "t", id, 4).await.unwrap_err();
    assert_eq!(fresh, ShopError::OutOfStock { available: 3 });
    let sold_out = t.product("Gone", "1.00", 0).await;
    assert_eq!(
        cart::add_to_cart(&t.db, "s", sold_out, 1)
            .await
            .unwrap_err(),
        ShopError::OutOfStock { available: 0 }
    );
}

async fn bad_values_are_typed_errors_and_change_nothing(t: &TestDb) {
    let id = t.product("Mug", "3.00", 5).await;
    let long = "x".repeat(256);
    let cases: Vec<(&str, i32, i64, ShopError)> = vec![
        (
            "s",
            id,
            0,
            ShopError::invalid("quantity must be between 1 and 10000"),
        ),
        (
            "s",
            id,
            -1,
            ShopError::invalid("quantity must be between 1 and 10000"),
        ),
        (
            "s",
            id,
            MAX_QUANTITY + 1,
            ShopError::invalid("quantity must be between 1 and 10000"),
        ),
        (
            "s",
            id,
            i64::MAX,
            ShopError::invalid("quantity must be between 1 and 10000"),
        ),
        ("s", 999_999, 1, ShopError::NotFound),
        (
            "",
            id,
            1,
            ShopError::invalid("session_id must not be empty"),
        ),
        (
            "   ",
            id,
            1,
            ShopError::invalid("session_id must not be empty"),
        ),
        (
            &long,
            id,
            1,
            ShopError::invalid("session_id must be at most 255 characters"),
        ),
    ];
    for (session, product, quantity, expected) in cases {
        assert_eq!(
            cart::add_to_cart(&t.db, session, product, quantity)
                .await
                .unwrap_err(),
            expected
        );
    }
    assert_eq!(cart_lines(t).await, 0);
    // 255 characters is allowed.
    cart::add_to_cart(&t.db, &"y".repeat(255), id, 1)
        .await
        .unwrap();
    assert!(matches!(
        cart::set_quantity(&t.db, "s", id, -1).await,
        Err(ShopError::Invalid(_))
    ));
    assert_eq!(cart_lines(t).await, 1);
}

async fn setting_quantities(t: &TestDb) {
    let id = t.product("Lamp", "40.00", 6).await;
    assert_eq!(
        cart::set_quantity(&t.db, "s", id, 2).await,
        Err(ShopError::NotFound)
    );
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let item = cart::set_quantity(&t.db, "s", id, 4)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((item.quantity, item.total_price), (4, dec("160.00")));
    assert_eq!(
        cart::set_quantity(&t.db, "s", id, 7).await,
        Err(ShopError::OutOfStock { available: 6 })
    );
    assert_eq!(cart::get_cart(&t.db, "s").await.unwrap().count(), 4);
    assert_eq!(cart::set_quantity(&t.db, "s", id, 0).await, Ok(None));
    assert!(cart::get_cart(&t.db, "s").await.unwrap().items.is_empty());
    assert_eq!(
        cart::set_quantity(&t.db, "s", 999_999, 1).await,
        Err(ShopError::NotFound)
    );
}

async fn removing_and_clearing(t: &TestDb) {
    let a = t.product("A", "1.00", 5).await;
    let b = t.product("B", "1.00", 5).await;
    cart::add_to_cart(&t.db, "s", a, 1).await.unwrap();
    cart::add_to_cart(&t.db, "s", b, 1).await.unwrap();
    cart::add_to_cart(&t.db, "other", a, 1).await.unwrap();
    cart::remove_from_cart(&t.db, "s", a).await.unwrap();
    assert_eq!(
        cart::remove_from_cart(&t.db, "s", a).await,
        Err(ShopError::NotFound)
    );
    assert_eq!(cart::clear_cart(&t.db, "s").await.unwrap(), 1);
    assert!(cart::get_cart(&t.db, "s").await.unwrap().items.is_empty());
    assert_eq!(cart::get_cart(&t.db, "other").await.unwrap().count(), 1);
}

async fn deleting_a_product_deletes_its_lines(t: &TestDb) {
    let id = t.product("Temp", "1.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    product::Entity::delete_by_id(id).exec(&t.db).await.unwrap();
    assert_eq!(cart_lines(t).await, 0);
}

/// Runs `n` copies of `op` at once, each on its own task, and collects their results.
async fn concurrently<T, F, Fut>(t: &TestDb, n: usize, op: F) -> Vec<Result<T, ShopError>>
where
    T: Send + 'static,
    F: Fn(Arc<sea_orm::DatabaseConnection>) -> Fut,
    Fut: std::future::Future<Output = Result<T, ShopError>> + Send + 'static,
{
    let db = Arc::new(t.db.clone());
    let tasks: Vec<_> = (0..n).map(|_| tokio::spawn(op(db.clone()))).collect();
    let mut results = Vec::with_capacity(n);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

/// 50 concurrent adds of 1 to one session end as one line of 50.
async fn concurrent_adds_never_lose_an_update(t: &TestDb) {
    let id = t.product("Popular", "2.00", 100).await;
    let results = concurrently(t, 50, |db| async move {
        cart::add_to_cart(db.as_ref(), "busy", id, 1).await
    })
    .await;
    for result in results {
        result.unwrap();
    }
    let c = cart::get_cart(&t.db, "busy").await.unwrap();
    assert_eq!((c.items.len(), c.count()), (1, 50), "{}", t.backend);
}

/// With only 20 in stock, 50 concurrent adds fill the line to exactly 20; the other 30 are
/// refusals, and nothing else goes wrong.
async fn concurrent_adds_stop_exactly_at_stock(t: &TestDb) {
    let id = t.product("Scarce", "2.00", 20).await;
    let results = concurrently(t, 50, |db| async move {
        cart::add_to_cart(db.as_ref(), "busy", id, 1).await
    })
    .await;
    let (mut ok, mut refused) = (0, 0);
    for result in results {
        match result {
            Ok(_) => ok += 1,
            Err(ShopError::OutOfStock { .. }) => refused += 1,
            Err(other) => panic!("unexpected error {other:?} on {}", t.backend),
        }
    }
    assert_eq!((ok, refused), (20, 30));
    assert_eq!(cart::get_cart(&t.db, "busy").await.unwrap().count(), 20);
}

/// Of concurrent removes of one line, exactly one succeeds.
async fn concurrent_removes_succeed_once(t: &TestDb) {
    let id = t.product("Once", "2.00", 5).await;
    cart::add_to_cart(&t.db, "s", id, 1).await.unwrap();
    let results = concurrently(t, 10, |db| async move {
        cart::remove_from_cart(db.as_ref(), "s", id).await
    })
    .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    assert!(results
        .iter()
        .all(|r| r.is_ok() || *r == Err(ShopError::NotFound)));
}

async fn set_stock(t: &TestDb, id: i32, stock: i32) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    product::Entity::update_many()
        .col_expr(product::Column::Stock, Expr::value(stock))
        .filter(product::Column::Id.eq(id))
        .exec(&t.db)
        .await
        .unwrap();
}

async fn catalogue_cache_serves_until_invalidated_or_expired(t: &TestDb) {
    use shop::server::services::catalogue_cache::CatalogueCache;
    use std::time::Duration;
    let id = t.product("Cached", "5.00", 3).await;
    let cache = CatalogueCache::new(Duration::from_secs(60));
    assert_eq!(cache.product(&t.db, id).await.unwrap().stock, 3);
    let all = cache.all(&t.db).await.unwrap();
    assert_eq!(cache.page(&t.db, 1, 24).await.unwrap().items[0].stock, 3);
    // A change behind the cache's back (another process) is not seen yet...
    set_stock(t, id, 7).await;
    assert_eq!(cache.product(&t.db, id).await.unwrap().stock, 3);
    assert!(
        Arc::ptr_eq(&all, &cache.all(&t.db).await.unwrap()),
        "the same list while cached"
    );
    // ...until this process invalidates,
    cache.invalidate();
    assert_eq!(cache.product(&t.db, id).await.unwrap().stock, 7);
    assert_eq!(cache.page(&t.db, 1, 24).await.unwrap().items[0].stock, 7);
    assert!(!Arc::ptr_eq(&all, &cache.all(&t.db).await.unwrap()));
    // ...or the entry expires.
    let short = CatalogueCache::new(Duration::from_millis(50));
    assert_eq!(short.product(&t.db, id).await.unwrap().stock, 7);
    set_stock(t, id, 9).await;
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(short.product(&t.db, id).await.unwrap().stock, 9);
    // Zero turns it off; failures are never cached.
    let off = CatalogueCache::new(Duration::ZERO);
    set_stock(t, id, 11).await;
    assert_eq!(off.product(&t.db, id).await.unwrap().stock, 11);
    assert_eq!(
        cache.product(&t.db, 999_999).await,
        Err(ShopError::NotFound)
    );
}

/// A cart holds at most its cap of lines, exactly, even when adds of different products race;
/// more of a product already in the cart is always fine.
async fn carts_stop_exactly_at_their_cap_of_lines(t: &TestDb) {
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(t.product(&format!("Thing {n}"), "1.00", 50).await);
    }
    for id in &ids[..3] {
        cart::add_to_cart_with_cap(&t.db, "full", *id, 1, 3)
            .await
            .unwrap();
    }
    assert_eq!(
        cart::add_to_cart_with_cap(&t.db, "full", ids[3], 1, 3).await,
        Err(ShopError::CartFull { max_lines: 3 })
    );
    let more = cart::add_to_cart_with_cap(&t.db, "full", ids[0], 2, 3)
        .await
        .unwrap();
    assert_eq!(more.quantity, 3);
    // Racing adds of twelve different products into a cart of at most five lines.
    let db = Arc::new(t.db.clone());
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let (db, id) = (db.clone(), *id);
            tokio::spawn(
                async move { cart::add_to_cart_with_cap(db.as_ref(), "race", id, 1, 5).await },
            )
        })
        .collect();
    let mut ok = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => ok += 1,
            Err(ShopError::CartFull { max_lines: 5 }) => {}
            Err(other) => panic!("unexpected {other:?} on {}", t.backend),
        }
    }
    assert_eq!(ok, 5, "on {}", t.backend);
    assert_eq!(cart::get_cart(&t.db, "race").await.unwrap().items.len(), 5);
}

/// Carts nobody touched for the idle time go; a cart with any recent change stays whole.
async fn idle_carts_are_deleted(t: &TestDb) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, QueryFilter};
    use std::time::Duration;
    let (a, b) = (
        t.product("A", "1.00", 9).await,
        t.product("B", "1.00", 9).await,
    );
    for session in ["old", "mixed", "fresh"] {
        cart::add_to_cart(&t.db, session, a, 1).await.unwrap();
        cart::add_to_cart(&t.db, session, b, 1).await.unwrap();
    }
    let long_ago = chrono::Utc::now() - chrono::Duration::days(31);
    let age = |session: &'static str, product: i32| {
        cart_item::Entity::update_many()
            .col_expr(cart_item::Column::UpdatedAt, Expr::value(long_ago))
            .filter(cart_item::Column::SessionId.eq(session))
            .filter(cart_item::Column::ProductId.eq(product))
            .exec(&t.db)
    };
    age("old", a).await.unwrap();
    age("old", b).await.unwrap();
    age("mixed", a).await.unwrap();
    let idle = Duration::from_secs(30 * 86_400);
    assert_eq!(cart::delete_idle_carts(&t.db, idle).await.unwrap(), 2);
    assert!(cart::get_cart(&t.db, "old").await.unwrap().items.is_empty());
    assert_eq!(cart::get_cart(&t.db, "mixed").await.unwrap().items.len(), 2);
    assert_eq!(cart::get_cart(&t.db, "fresh").await.unwrap().items.len(), 2);
    assert_eq!(cart::delete_idle_carts(&t.db, idle).await.unwrap(), 0);
}

/// Concurrent misses of one key load it once; memory stays within the configured bound.
async fn catalogue_cache_loads_a_key_once_and_stays_bounded(t: &TestDb) {
    use shop::server::services::catalogue_cache::CatalogueCache;
    use std::time::Duration;
    let id = t.product("Wanted", "5.00", 3).await;
    let cache = Arc::new(CatalogueCache::new(Duration::from_secs(60)));
    let db = Arc::new(t.db.clone());
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let (cache, db) = (cache.clone(), db.clone());
            tokio::spawn(async move { cache.product(db.as_ref(), id).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().id, id);
    }
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.hits), (1, 31), "on {}", t.backend);
    // Far more products than fit in 16 KiB: the cache keeps what fits, and still answers.
    let small = CatalogueCache::with_capacity(Duration::from_secs(60), 16 * 1024);
    for n in 0..300 {
        t.product(&format!("Filler {n} {}", "x".repeat(150)), "1.00", 1)
            .await;
    }
    for product in catalogue::all_products(&t.db).await.unwrap() {
        assert_eq!(
            small.product(&t.db, product.id).await.unwrap().id,
            product.id
        );
    }
    let used = small.memory_used().await;
    assert!(used > 0 && used <= 16 * 1024, "{used} bytes held");
}

on_both_backends!(
    carts_stop_exactly_at_their_cap_of_lines,
    idle_carts_are_deleted,
    catalogue_cache_loads_a_key_once_and_stays_bounded,
    catalogue_cache_serves_until_invalidated_or_expired,
    migrations_are_idempotent_and_reversible,
    an_interrupted_migration_resumes,
    prices_are_exact,
    schema_refuses_bad_rows,
    catalogue_pages_in_a_stable_order,
    seeding_is_idempotent_and_images_exist,
    adding_twice_raises_one_line,
    cart_lists_lines_with_products,
    adding_beyond_stock_is_refused_with_what_is_left,
    bad_values_are_typed_errors_and_change_nothing,
    setting_quantities,
    removing_and_clearing,
    deleting_a_product_deletes_its_lines,
    concurrent_adds_never_lose_an_update,
    concurrent_adds_stop_exactly_at_stock,
    concurrent_removes_succeed_once,
);

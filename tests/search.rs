//! Finding products against real databases (SQLite always, PostgreSQL with
//! `TEST_DATABASE_URL`): ranking, prefixes, every filter and its facet counts, ordering,
//! hostile search text, typo suggestions, and the index following every product write.
#![cfg(feature = "ssr")]

mod common;

use chrono::{Duration as Age, Utc};
use common::TestDb;
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, TransactionTrait};
use shop::error::ShopError;
use shop::model::search::{ProductFilter, SortOrder};
use shop::server::entities::{category, money::Money, product};
use shop::server::seed;
use shop::server::services::catalogue_cache::CatalogueCache;
use shop::server::services::search;
use std::time::Duration;

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

async fn add_category(t: &TestDb, slug: &str, name: &str) -> i32 {
    category::ActiveModel {
        slug: Set(slug.into()),
        name: Set(name.into()),
        description: Set(String::new()),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap()
    .id
}

/// A product `age_days` old.
async fn add(
    t: &TestDb,
    name: &str,
    description: &str,
    price: &str,
    stock: i32,
    category: Option<i32>,
    age_days: i64,
) -> i32 {
    let at = Utc::now() - Age::days(age_days);
    product::ActiveModel {
        name: Set(name.into()),
        description: Set(description.into()),
        price: Set(Money(dec(price))),
        image_url: Set("/images/placeholder.svg".into()),
        stock: Set(stock),
        category_id: Set(category),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap()
    .id
}

/// A small shop: two categories and seven products.
struct Shop {
    kitchen: i32,
    audio: i32,
    machine: i32,
    cups: i32,
    jug: i32,
    kettle: i32,
    speaker: i32,
    earbuds: i32,
    radio: i32,
}

async fn shop(t: &TestDb) -> Shop {
    let kitchen = add_category(t, "kitchen", "Kitchen").await;
    let audio = add_category(t, "audio", "Audio").await;
    let k = Some(kitchen);
    let a = Some(audio);
    Shop {
        kitchen,
        audio,
        machine: add(
            t,
            "Duo Espresso Machine",
            "Two boilers, one portafilter.",
            "649.00",
            3,
            k,
            1,
        )
        .await,
        cups: add(
            t,
            "Espresso Cups",
            "Thick-walled porcelain.",
            "24.00",
            0,
            k,
            2,
        )
        .await,
        jug: add(
            t,
            "Milk Jug",
            "Steams milk for espresso drinks.",
            "19.90",
            12,
            k,
            3,
        )
        .await,
        kettle: add(
            t,
            "Gooseneck Kettle",
            "Pour-over precision.",
            "89.00",
            7,
            k,
            4,
        )
        .await,
        speaker: add(
            t,
            "Pebble Portable Speaker",
            "Loud and small.",
            "59.00",
            5,
            a,
            5,
        )
        .await,
        earbuds: add(
            t,
            "Wireless Earbuds Pro",
            "Noise cancelling.",
            "149.00",
            0,
            a,
            6,
        )
        .await,
        radio: add(t, "Retro Pocket Radio", "FM and AM.", "39.00", 9, None, 7).await,
    }
}

fn searching(text: &str) -> ProductFilter {
    ProductFilter {
        search: Some(text.into()),
        ..Default::default()
    }
}

async fn ids(t: &TestDb, filter: &ProductFilter) -> Vec<i32> {
    search::find_products(&t.db, filter, 1, 100)
        .await
        .unwrap()
        .page
        .items
        .iter()
        .map(|p| p.id)
        .collect()
}

async fn names_rank_above_descriptions(t: &TestDb) {
    let s = shop(t).await;
    let found = ids(t, &searching("espresso")).await;
    assert_eq!(found.len(), 3, "{}", t.backend);
    assert_eq!(
        found[2], s.jug,
        "a description match ranks below name matches: {found:?}"
    );
    assert!(found[..2].contains(&s.machine) && found[..2].contains(&s.cups));
}

async fn words_are_prefixes_and_all_must_match(t: &TestDb) {
    let s = shop(t).await;
    assert_eq!(ids(t, &searching("espr")).await.len(), 3, "{}", t.backend);
    assert_eq!(ids(t, &searching("ESPRESSO mach")).await, [s.machine]);
    assert_eq!(ids(t, &searching("goose kettle")).await, [s.kettle]);
    assert_eq!(ids(t, &searching("pour-over")).await, [s.kettle]);
    assert!(ids(t, &searching("espresso radio")).await.is_empty());
    // A blank search is no search: the whole catalogue.
    assert_eq!(ids(t, &searching("   ")).await.len(), 7);
}

async fn filters_combine_and_facets_count_the_others(t: &TestDb) {
    let s = shop(t).await;
    let kitchen = ProductFilter {
        category: Some("kitchen".into()),
        ..Default::default()
    };
    let listing = search::find_products(&t.db, &kitchen, 1, 100)
        .await
        .unwrap();
    assert_eq!(listing.page.total, 4, "{}", t.backend);
    assert_eq!(listing.facets.in_stock, 3, "kitchen products with stock");
    // The category facet leaves the category filter out: every category's count.
    let counts: Vec<(String, u64)> = listing
        .facets
        .categories
        .iter()
        .map(|c| (c.slug.clone(), c.count))
        .collect();
    assert_eq!(counts, [("audio".into(), 2), ("kitchen".into(), 4)]);

    let narrow = ProductFilter {
        category: Some("kitchen".into()),
        min_price: Some(dec("20")),
        max_price: Some(dec("100")),
        in_stock: true,
        ..Default::default()
    };
    let listing = search::find_products(&t.db, &narrow, 1, 100).await.unwrap();
    let found: Vec<i32> = listing.page.items.iter().map(|p| p.id).collect();
    assert_eq!(found, [s.kettle], "in stock, 20 to 100, kitchen");
    // In stock only, counted without itself: the cups (24.00) are sold out.
    assert_eq!(listing.facets.in_stock, 1);
    // The price bands count kitchen products in stock at any price.
    let bands: Vec<u64> = listing.facets.price_bands.iter().map(|b| b.count).collect();
    assert_eq!(bands, [1, 0, 1, 0, 1], "19.90 | - | 89.00 | - | 649.00");
    assert_eq!(listing.facets.price_bands[0].max, Some(dec("25")));
    assert_eq!(listing.facets.price_bands[4].min, Some(dec("250")));

    // Bounds are inclusive, to the cent.
    let exact = ProductFilter {
        min_price: Some(dec("19.90")),
        max_price: Some(dec("19.90")),
        ..Default::default()
    };
    assert_eq!(ids(t, &exact).await, [s.jug]);
    let crossed = ProductFilter {
        min_price: Some(dec("100")),
        max_price: Some(dec("10")),
        ..Default::default()
    };
    assert!(ids(t, &crossed).await.is_empty(), "min above max: nothing");

    let audio_search = ProductFilter {
        search: Some("pro".into()),
        category: Some("audio".into()),
        ..Default::default()
    };
    assert_eq!(ids(t, &audio_search).await, [s.earbuds]);
    let _ = (s.kitchen, s.audio, s.speaker, s.radio);
}

async fn every_ordering_is_stable(t: &TestDb) {
    let s = shop(t).await;
    let ordered = |ordering| ProductFilter {
        ordering: Some(ordering),
        ..Default::default()
    };
    let by_price = ids(t, &ordered(SortOrder::PriceAsc)).await;
    assert_eq!(
        by_price,
        [s.jug, s.cups, s.radio, s.speaker, s.kettle, s.earbuds, s.machine],
        "{}",
        t.backend
    );
    let mut descending = by_price.clone();
    descending.reverse();
    assert_eq!(ids(t, &ordered(SortOrder::PriceDesc)).await, descending);
    assert_eq!(
        ids(t, &ordered(SortOrder::NameAsc)).await,
        [s.machine, s.cups, s.kettle, s.jug, s.speaker, s.radio, s.earbuds]
    );
    // Newest first: the machine was made a day ago, the radio a week ago.
    assert_eq!(
        ids(t, &ordered(SortOrder::CreatedDesc)).await,
        [s.machine, s.cups, s.jug, s.kettle, s.speaker, s.earbuds, s.radio]
    );
    assert_eq!(
        ids(t, &ProductFilter::default()).await,
        [s.machine, s.cups, s.jug, s.kettle, s.speaker, s.earbuds, s.radio],
        "by id without a search"
    );
    // Pages follow the order without repeating or skipping.
    let filter = ordered(SortOrder::PriceAsc);
    let mut paged = Vec::new();
    for page in 1..=3 {
        let listing = search::find_products(&t.db, &filter, page, 3)
            .await
            .unwrap();
        assert_eq!(listing.page.total, 7);
        paged.extend(listing.page.items.iter().map(|p| p.id));
    }
    assert_eq!(paged, by_price);
    assert_eq!(
        search::find_products(&t.db, &filter, 4, 3)
            .await
            .unwrap_err(),
        ShopError::NotFound,
        "past the last page"
    );
}

async fn hostile_search_text_is_only_words(t: &TestDb) {
    let s = shop(t).await;
    let long = "espresso ".repeat(111);
    let hostile = [
        "\"",
        "\"espresso",
        "espresso\"",
        "*",
        "espr*",
        "-espresso",
        "espresso -machine",
        "title:espresso",
        "name:espresso",
        "(espresso",
        "espresso)",
        "espresso OR radio",
        "espresso NEAR machine",
        "NEAR(espresso machine)",
        "espresso AND",
        "NOT",
        "^espresso",
        "'; DROP TABLE products; --",
        "%' OR 1=1 --",
        "espresso & | ! <-> :*",
        "\\",
        "\u{0}",
        "",
        "   ",
        "é ü ß 東京",
        long.as_str(),
    ];
    for text in hostile {
        match search::find_products(&t.db, &searching(text), 1, 24).await {
            Ok(listing) => assert!(listing.page.total <= 7, "{text:?}"),
            Err(ShopError::Invalid(message)) => {
                assert!(message.contains("search"), "{text:?}: {message}")
            }
            Err(other) => panic!("{text:?} on {}: {other:?}", t.backend),
        }
        search::suggest(&t.db, text, 6).await.unwrap();
    }
    // Operators are words: "OR" matches nothing here, so nothing is found.
    assert!(ids(t, &searching("espresso OR radio")).await.is_empty());
    assert_eq!(ids(t, &searching("-espresso machine")).await, [s.machine]);
    assert_eq!(ids(t, &searching("(espresso)")).await.len(), 3);
    let too_long = searching(&"a".repeat(1000));
    assert!(matches!(
        search::find_products(&t.db, &too_long, 1, 24).await,
        Err(ShopError::Invalid(_))
    ));
    assert_eq!(
        product::Entity::find().all(&t.db).await.unwrap().len(),
        7,
        "nothing dropped"
    );
}

async fn unknown_categories_are_not_found(t: &TestDb) {
    shop(t).await;
    let filter = ProductFilter {
        category: Some("nope".into()),
        ..Default::default()
    };
    assert_eq!(
        search::find_products(&t.db, &filter, 1, 24)
            .await
            .unwrap_err(),
        ShopError::NotFound
    );
}

/// A product as an active model, for a test to change and save.
async fn editable(t: &TestDb, id: i32) -> product::ActiveModel {
    product::Entity::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .into()
}

async fn the_index_follows_every_product_write(t: &TestDb) {
    let s = shop(t).await;
    // Renamed: found by the new name only.
    let mut renamed: product::ActiveModel = editable(t, s.radio).await;
    renamed.name = Set("Transistor Wireless".into());
    renamed.update(&t.db).await.unwrap();
    assert!(
        ids(t, &searching("retro")).await.is_empty(),
        "{}",
        t.backend
    );
    assert_eq!(ids(t, &searching("transistor")).await, [s.radio]);
    // A stock change leaves the text alone and is seen by the stock filter.
    let mut sold: product::ActiveModel = editable(t, s.radio).await;
    sold.stock = Set(0);
    sold.update(&t.db).await.unwrap();
    let in_stock = ProductFilter {
        search: Some("transistor".into()),
        in_stock: true,
        ..Default::default()
    };
    assert!(ids(t, &in_stock).await.is_empty());
    assert_eq!(ids(t, &searching("transistor")).await, [s.radio]);
    // A price change is seen at once by the price filter, its facet and the price order.
    let mut repriced: product::ActiveModel = editable(t, s.radio).await;
    repriced.price = Set(Money(dec("1234.56")));
    repriced.update(&t.db).await.unwrap();
    let dear = ProductFilter {
        min_price: Some(dec("1234.56")),
        ..Default::default()
    };
    assert_eq!(ids(t, &dear).await, [s.radio], "{}", t.backend);
    let by_price = ProductFilter {
        ordering: Some(SortOrder::PriceDesc),
        ..Default::default()
    };
    assert_eq!(ids(t, &by_price).await.first(), Some(&s.radio));
    let listing = search::find_products(&t.db, &ProductFilter::default(), 1, 100)
        .await
        .unwrap();
    let top_band = listing.facets.price_bands.last().map(|b| b.count);
    assert_eq!(
        top_band,
        Some(2),
        "the radio joins the espresso machine at 250 and up"
    );
    // Deleted: gone from the index.
    product::Entity::delete_by_id(s.kettle)
        .exec(&t.db)
        .await
        .unwrap();
    assert!(ids(t, &searching("gooseneck")).await.is_empty());
    // Written in a transaction that rolls back: never found.
    let txn = t.db.begin().await.unwrap();
    let at = Utc::now();
    product::ActiveModel {
        name: Set("Phantom Grinder".into()),
        description: Set(String::new()),
        price: Set(Money(dec("10.00"))),
        image_url: Set(String::new()),
        stock: Set(1),
        category_id: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    assert!(ids(t, &searching("phantom")).await.is_empty());
    // Inserted: found at once.
    let grinder = add(t, "Burr Grinder", "Conical burrs.", "120.00", 4, None, 0).await;
    assert_eq!(ids(t, &searching("grinder")).await, [grinder]);
    assert_eq!(ids(t, &searching("conical")).await, [grinder]);
}

async fn typos_suggest_close_product_names(t: &TestDb) {
    let s = shop(t).await;
    let cache = CatalogueCache::new(Duration::from_secs(60));
    let listing = cache
        .listing(&t.db, &searching("espreso machine"), 1, 24)
        .await
        .unwrap();
    assert_eq!(listing.page.total, 0, "{}", t.backend);
    let names: Vec<&str> = listing
        .suggestions
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["Duo Espresso Machine"]);
    assert_eq!(listing.suggestions[0].id, s.machine);
    let typed = cache.suggestions(&t.db, "espreso").await.unwrap();
    assert!(typed.iter().any(|x| x.id == s.machine));
    // As the shopper types, the matches themselves.
    let typing = cache.suggestions(&t.db, "Goosen").await.unwrap();
    assert_eq!(typing.len(), 1);
    assert_eq!(typing[0].id, s.kettle);
    // Nothing close: no suggestions, and found results never carry any.
    let none = cache
        .listing(&t.db, &searching("zzqxv"), 1, 24)
        .await
        .unwrap();
    assert!(none.suggestions.is_empty());
    let found = cache
        .listing(&t.db, &searching("kettle"), 1, 24)
        .await
        .unwrap();
    assert!(found.suggestions.is_empty());
}

async fn the_demo_catalogue_is_filed_in_categories(t: &TestDb) {
    assert_eq!(seed::seed_if_empty(&t.db, 48).await.unwrap(), 48);
    let cache = CatalogueCache::new(Duration::from_secs(60));
    let categories = cache.categories(&t.db).await.unwrap();
    assert_eq!(categories.len(), 6, "{}", t.backend);
    let counts = cache.category_counts(&t.db).await.unwrap();
    assert_eq!(counts.len(), 6, "every category holds demo products");
    assert_eq!(counts.values().sum::<u64>(), 48);
    assert!(categories.iter().any(|c| c.slug == "home-office"));
    let product = shop::server::services::catalogue::get_product(&t.db, 1)
        .await
        .unwrap();
    assert!(product.category.is_some());
    // Seeding again adds nothing, and a product that lost its category gets it back.
    product::Entity::update_many()
        .col_expr(
            product::Column::CategoryId,
            sea_orm::sea_query::Expr::value(None::<i32>),
        )
        .exec(&t.db)
        .await
        .unwrap();
    assert_eq!(seed::seed_if_empty(&t.db, 48).await.unwrap(), 0);
    let again = cache.categories(&t.db).await.unwrap();
    assert_eq!(again.len(), 6);
    let product = shop::server::services::catalogue::get_product(&t.db, 1)
        .await
        .unwrap();
    assert!(product.category.is_some());
}

on_both_backends!(
    names_rank_above_descriptions,
    words_are_prefixes_and_all_must_match,
    filters_combine_and_facets_count_the_others,
    every_ordering_is_stable,
    hostile_search_text_is_only_words,
    unknown_categories_are_not_found,
    the_index_follows_every_product_write,
    typos_suggest_close_product_names,
    the_demo_catalogue_is_filed_in_categories,
);

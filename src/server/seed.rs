//! The demo catalogue: 48 products in six categories, with their own images in
//! `public/images/products/`; and, for the benchmark, as many more as asked for, made from
//! them with varied, searchable names and descriptions. Seeding is idempotent: categories
//! are added when missing, products only to an empty catalogue.

use crate::error::ShopError;
use crate::server::entities::{category, money::Money, product};
use crate::server::services::categories::slugify;
use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait,
};
use serde::Deserialize;
use std::collections::HashMap;

const CATALOGUE_JSON: &str = include_str!("seed/catalogue.json");

/// Words that make the generated products' names differ. Each adjective and colour is in
/// about one generated name in thirty; "Heirloom" only in one variant in a thousand (the
/// benchmark's rare word).
const ADJECTIVES: [&str; 30] = [
    "Classic",
    "Compact",
    "Deluxe",
    "Everyday",
    "Field",
    "Grand",
    "Handmade",
    "Harbor",
    "Heritage",
    "Lightweight",
    "Modern",
    "Nordic",
    "Original",
    "Pacific",
    "Pine",
    "Premium",
    "Pro",
    "Rugged",
    "Simple",
    "Slim",
    "Smart",
    "Studio",
    "Summit",
    "Travel",
    "Urban",
    "Vintage",
    "Weekend",
    "Wild",
    "Workshop",
    "Coastal",
];
const COLOURS: [&str; 30] = [
    "Black", "White", "Graphite", "Slate", "Sand", "Olive", "Forest", "Navy", "Teal", "Rust",
    "Copper", "Brass", "Walnut", "Oak", "Cedar", "Stone", "Ivory", "Charcoal", "Sage", "Ochre",
    "Crimson", "Cobalt", "Amber", "Moss", "Pebble", "Fog", "Indigo", "Clay", "Birch", "Mint",
];
const RARE_ADJECTIVE: &str = "Heirloom";

#[derive(Debug, Deserialize)]
struct SeedProduct {
    name: String,
    category: String,
    description: String,
    #[serde(with = "crate::model::money")]
    price: Decimal,
    stock: i32,
    image: String,
}

fn demo_catalogue() -> Result<Vec<SeedProduct>, ShopError> {
    serde_json::from_str(CATALOGUE_JSON).map_err(|e| {
        tracing::error!(error = %e, "the built-in catalogue does not parse");
        ShopError::Internal
    })
}

/// Product `i` of a seeded catalogue: the demo product itself for the first round, then
/// variants with their own name, description, price and stock.
fn variant(demo: &[SeedProduct], i: usize) -> (String, String, Decimal, i32) {
    let base = &demo[i % demo.len()];
    let round = i / demo.len();
    if round == 0 {
        return (
            base.name.clone(),
            base.description.clone(),
            base.price,
            base.stock,
        );
    }
    let adjective = if round % 1000 == 999 {
        RARE_ADJECTIVE
    } else {
        ADJECTIVES[round % ADJECTIVES.len()]
    };
    let colour = COLOURS[(round / ADJECTIVES.len()) % COLOURS.len()];
    let series = round / (ADJECTIVES.len() * COLOURS.len());
    let mut name = format!("{adjective} {colour} {}", base.name);
    if series > 0 {
        name.push_str(&format!(" Series {}", series + 1));
    }
    let description = format!(
        "{} This {} edition comes in {}.",
        base.description,
        adjective.to_lowercase(),
        colour.to_lowercase()
    );
    let round = i32::try_from(round).unwrap_or(i32::MAX);
    let price = base.price + Decimal::from(round % 20);
    // Some variants sold out, some low, most in stock.
    let stock = (base.stock + round * 7) % 60;
    (name, description, price, stock)
}

/// Adds the demo's categories that are missing, and files the demo's products (known by
/// their images) that have no category yet: a catalogue seeded before categories existed
/// gets them. Returns the categories' ids by name.
pub async fn ensure_categories(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, i32>, ShopError> {
    let demo = demo_catalogue()?;
    let mut names: Vec<&str> = demo.iter().map(|p| p.category.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let rows = names.iter().map(|name| category::ActiveModel {
        slug: Set(slugify(name)),
        name: Set((*name).to_owned()),
        description: Set(format!("{name} from Harbor & Pine.")),
        ..Default::default()
    });
    category::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([category::Column::Slug])
        .exec(db)
        .await?;
    let ids: HashMap<String, i32> = category::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.name, c.id))
        .collect();
    for (name, id) in &ids {
        let images: Vec<&str> = demo
            .iter()
            .filter(|p| &p.category == name)
            .map(|p| p.image.as_str())
            .collect();
        if images.is_empty() {
            continue;
        }
        product::Entity::update_many()
            .col_expr(product::Column::CategoryId, Expr::value(*id))
            .filter(product::Column::CategoryId.is_null())
            .filter(product::Column::ImageUrl.is_in(images))
            .exec(db)
            .await?;
    }
    Ok(ids)
}

/// Fills an empty catalogue with `count` products: the demo catalogue, then variants of it
/// (the benchmark seeds 100,000). Returns how many were inserted (0 when the catalogue
/// already has products). Categories are ensured either way.
pub async fn seed_if_empty<C>(db: &C, count: usize) -> Result<usize, ShopError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let txn = db.begin().await?;
    let categories = ensure_categories(&txn).await?;
    if crate::server::services::catalogue::count_products(&txn).await? > 0 {
        txn.commit().await?;
        return Ok(0);
    }
    let demo = demo_catalogue()?;
    let now = Utc::now();
    let rows: Vec<product::ActiveModel> = (0..count)
        .map(|i| {
            let (name, description, price, stock) = variant(&demo, i);
            let base = &demo[i % demo.len()];
            // Later products are newer, so "Newest" has an order to show.
            let age = i64::try_from(count - i).unwrap_or(i64::MAX);
            let created = now - Duration::seconds(age);
            product::ActiveModel {
                name: Set(name),
                description: Set(description),
                price: Set(Money(price)),
                image_url: Set(base.image.clone()),
                stock: Set(stock),
                category_id: Set(categories.get(&base.category).copied()),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
        })
        .collect();
    // Batches keep each statement under the backends' bound-parameter limits.
    for chunk in rows.chunks(500) {
        product::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    crate::server::services::inventory::open_ledgers(&txn).await?;
    txn.commit().await?;
    // Fresh statistics for the planner (and, on PostgreSQL, the visibility map that lets a
    // count read only an index) rather than waiting for autovacuum after a bulk load.
    let refresh = match db.get_database_backend() {
        DbBackend::Sqlite => "ANALYZE",
        _ => "VACUUM ANALYZE products",
    };
    db.execute_unprepared(refresh).await?;
    Ok(rows.len())
}

/// How many products the demo catalogue has.
pub fn demo_size() -> usize {
    demo_catalogue().map(|d| d.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_differ_and_the_rare_word_is_rare() {
        let demo = demo_catalogue().unwrap();
        let names: std::collections::HashSet<String> =
            (0..100_000).map(|i| variant(&demo, i).0).collect();
        assert_eq!(names.len(), 100_000, "every name is its own");
        let rare = (0..100_000)
            .filter(|i| variant(&demo, *i).0.starts_with(RARE_ADJECTIVE))
            .count();
        assert!((1..=200).contains(&rare), "{rare}");
        assert_eq!(variant(&demo, 0).0, demo[0].name);
        assert!(variant(&demo, 0).2 == demo[0].price);
    }
}

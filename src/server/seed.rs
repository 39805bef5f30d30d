//! The demo catalogue: 48 products with their own images in `public/images/products/`.
//! Seeding is idempotent: it only fills an empty catalogue.

use crate::error::ShopError;
use crate::server::entities::{money::Money, product};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, TransactionSession, TransactionTrait,
};
use serde::Deserialize;

const CATALOGUE_JSON: &str = include_str!("seed/catalogue.json");

#[derive(Debug, Deserialize)]
struct SeedProduct {
    name: String,
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

/// Fills an empty catalogue with `count` products: the demo catalogue, repeated with
/// numbered names when more are asked for (the benchmark seeds 1,000 and 10,000).
/// Returns how many were inserted (0 when the catalogue already has products).
pub async fn seed_if_empty<C>(db: &C, count: usize) -> Result<usize, ShopError>
where
    C: ConnectionTrait + TransactionTrait,
{
    if crate::server::services::catalogue::count_products(db).await? > 0 {
        return Ok(0);
    }
    let demo = demo_catalogue()?;
    let now = Utc::now();
    let rows: Vec<product::ActiveModel> = demo
        .iter()
        .cycle()
        .take(count)
        .enumerate()
        .map(|(i, p)| {
            let round = i / demo.len();
            let name = match round {
                0 => p.name.clone(),
                n => format!("{} No. {}", p.name, n + 1),
            };
            product::ActiveModel {
                name: Set(name),
                description: Set(p.description.clone()),
                price: Set(Money(p.price)),
                image_url: Set(p.image.clone()),
                stock: Set(p.stock),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    let txn = db.begin().await?;
    // Batches keep each statement under the backends' bound-parameter limits.
    for chunk in rows.chunks(500) {
        product::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows.len())
}

/// How many products the demo catalogue has.
pub fn demo_size() -> usize {
    demo_catalogue().map(|d| d.len()).unwrap_or(0)
}

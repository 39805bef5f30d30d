//! Categories: the shop's departments, each with a slug for its URL.

use crate::error::ShopError;
use crate::model::search::Category;
use crate::server::services::statement;
use sea_orm::{ConnectionTrait, FromQueryResult};
use std::collections::HashMap;

#[derive(FromQueryResult)]
struct Row {
    id: i32,
    slug: String,
    name: String,
    description: String,
}

impl From<Row> for Category {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
        }
    }
}

/// Every category by name (what the pages show: counting is left to [`product_counts`]).
pub async fn list_categories(db: &impl ConnectionTrait) -> Result<Vec<Category>, ShopError> {
    let sql = "SELECT id, slug, name, description FROM categories ORDER BY name, id";
    Ok(Row::find_by_statement(statement(db, sql, vec![]))
        .all(db)
        .await?
        .into_iter()
        .map(Category::from)
        .collect())
}

/// How many products each category holds, by category id (categories without products are
/// absent). One pass over the listing index.
pub async fn product_counts(db: &impl ConnectionTrait) -> Result<HashMap<i32, u64>, ShopError> {
    #[derive(FromQueryResult)]
    struct Count {
        category_id: i32,
        product_count: i64,
    }
    let sql = "SELECT category_id, COUNT(*) AS product_count FROM products \
               WHERE category_id IS NOT NULL AND products.archived_at IS NULL \
               GROUP BY category_id";
    Ok(Count::find_by_statement(statement(db, sql, vec![]))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.category_id, u64::try_from(c.product_count).unwrap_or(0)))
        .collect())
}

/// A slug from a name: lower-case ASCII letters and digits joined by single hyphens
/// (`Home Office` → `home-office`).
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Home Office"), "home-office");
        assert_eq!(slugify("  Books & Stationery! "), "books-stationery");
        assert_eq!(slugify("Kitchen"), "kitchen");
    }
}

//! Categories: the shop's departments, each with a slug for its URL.

use crate::error::ShopError;
use crate::model::search::Category;
use crate::server::services::statement;
use sea_orm::{ConnectionTrait, FromQueryResult};

#[derive(FromQueryResult)]
struct Row {
    id: i32,
    slug: String,
    name: String,
    description: String,
    product_count: i64,
}

impl From<Row> for Category {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            slug: r.slug,
            name: r.name,
            description: r.description,
            product_count: u64::try_from(r.product_count).unwrap_or(0),
        }
    }
}

/// Every category by name, with how many products each holds.
pub async fn list_categories(db: &impl ConnectionTrait) -> Result<Vec<Category>, ShopError> {
    // Counted per category_id first, from the listing index alone; then named.
    let sql = "SELECT categories.id, categories.slug, categories.name, categories.description, \
               COALESCE(counts.product_count, 0) AS product_count \
               FROM categories LEFT JOIN (\
                 SELECT category_id, COUNT(*) AS product_count FROM products \
                 GROUP BY category_id\
               ) AS counts ON counts.category_id = categories.id \
               ORDER BY categories.name, categories.id";
    Ok(Row::find_by_statement(statement(db, sql, vec![]))
        .all(db)
        .await?
        .into_iter()
        .map(Category::from)
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

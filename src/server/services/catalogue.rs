//! The product catalogue: listing and looking up products.

use crate::error::ShopError;
use crate::model::{page_count, Product, ProductPage, MAX_PAGE_SIZE};
use crate::server::entities::{category, product};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

/// The products the shop shows: not archived. Raw SQL says the same with [`ON_SALE_SQL`].
pub fn on_sale() -> SimpleExpr {
    product::Column::ArchivedAt.is_null()
}

/// [`on_sale`] for SQL written by hand (`products` named as such).
pub const ON_SALE_SQL: &str = "products.archived_at IS NULL";

/// One page of products (1-based `page`), in a stable order (by id), with the total count.
/// Any `page` is safe: the count comes first, and a page past the last one is `NotFound`
/// before an offset exists, so the offset stays below the count (an i64 in SQL).
pub async fn list_products(
    db: &impl ConnectionTrait,
    page: u64,
    page_size: u64,
) -> Result<ProductPage, ShopError> {
    if page == 0 {
        return Err(ShopError::invalid("page must be 1 or more"));
    }
    validate_page_size(page_size)?;
    let total = product::Entity::find().filter(on_sale()).count(db).await?;
    if page > page_count(total, page_size) {
        return Err(ShopError::NotFound);
    }
    // Cannot fail for a page up to the last; checked all the same rather than trusted.
    let offset = (page - 1)
        .checked_mul(page_size)
        .filter(|offset| *offset < total.max(1))
        .ok_or(ShopError::NotFound)?;
    let items = product::Entity::find()
        .filter(on_sale())
        .find_also_related(category::Entity)
        .order_by_asc(product::Column::Id)
        .offset(offset)
        .limit(page_size)
        .all(db)
        .await?
        .into_iter()
        .map(Product::from)
        .collect();
    Ok(ProductPage {
        items,
        total,
        page,
        page_size,
    })
}

/// A page size: 1 to [`MAX_PAGE_SIZE`].
pub fn validate_page_size(page_size: u64) -> Result<(), ShopError> {
    if page_size == 0 || page_size > MAX_PAGE_SIZE {
        return Err(ShopError::invalid(format!(
            "page_size must be between 1 and {MAX_PAGE_SIZE}"
        )));
    }
    Ok(())
}

/// Every product, by id: the original API's unpaged list.
pub async fn all_products(db: &impl ConnectionTrait) -> Result<Vec<Product>, ShopError> {
    Ok(product::Entity::find()
        .filter(on_sale())
        .find_also_related(category::Entity)
        .order_by_asc(product::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Product::from)
        .collect())
}

pub async fn get_product(db: &impl ConnectionTrait, id: i32) -> Result<Product, ShopError> {
    product::Entity::find_by_id(id)
        .filter(on_sale())
        .find_also_related(category::Entity)
        .one(db)
        .await?
        .map(Product::from)
        .ok_or(ShopError::NotFound)
}

/// Every product, archived ones included (whether the catalogue is empty).
pub async fn count_products(db: &impl ConnectionTrait) -> Result<u64, ShopError> {
    Ok(product::Entity::find().count(db).await?)
}

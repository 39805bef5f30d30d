//! The catalogue as staff see it: a searchable, paged table of products and a product's
//! stock page (its ledger).

use crate::error::ShopError;
use crate::model::admin::{
    ProductFields, ProductRow, ProductStock, ProductTable, ADMIN_PAGE_SIZE, MAX_DESCRIPTION_CHARS,
    MAX_NAME_CHARS, MAX_PRICE,
};
use crate::model::inventory::{MovementReason, MAX_ADJUSTMENT};
use crate::model::order::FieldErrors;
use crate::model::search::parse_price;
use crate::server::entities::money::Money;
use crate::server::entities::{category, product};
use crate::server::services::{audit, begin_write, inventory};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

/// Longest search staff may type.
const MAX_QUERY_CHARS: usize = 200;

fn row((p, c): (product::Model, Option<category::Model>)) -> ProductRow {
    ProductRow {
        id: p.id,
        name: p.name,
        price: p.price.0,
        stock: p.stock,
        category: c.map(|c| c.name),
        archived: p.archived_at.is_some(),
    }
}

/// Products whose name contains `query` (any case; `%` and `_` are plain characters), by
/// id, one page at a time; a page past the last is `NotFound`.
pub async fn table(
    db: &impl ConnectionTrait,
    query: &str,
    page: u64,
) -> Result<ProductTable, ShopError> {
    let query = query.trim();
    if query.chars().count() > MAX_QUERY_CHARS || query.contains('\0') {
        return Err(ShopError::invalid(format!(
            "Please search with at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let mut select = product::Entity::find().find_also_related(category::Entity);
    if !query.is_empty() {
        // A substring test: `%`, `_` and `\` typed are escaped, never wildcards.
        let escaped: String = query
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let name = Func::lower(Expr::col((product::Entity, product::Column::Name)));
        select = select
            .filter(Expr::expr(name).like(LikeExpr::new(format!("%{escaped}%")).escape('\\')));
    }
    let total = select.clone().count(db).await?;
    let pages = std::cmp::max(total.div_ceil(ADMIN_PAGE_SIZE), 1);
    let page = std::cmp::max(page, 1);
    if page > pages {
        return Err(ShopError::NotFound);
    }
    let rows = select
        .order_by_asc(product::Column::Id)
        .paginate(db, ADMIN_PAGE_SIZE)
        .fetch_page(page - 1)
        .await?
        .into_iter()
        .map(row)
        .collect();
    Ok(ProductTable {
        rows,
        total,
        page,
        pages,
        query: query.to_owned(),
    })
}

/// A product and its stock history.
pub async fn stock_page(db: &impl ConnectionTrait, id: i32) -> Result<ProductStock, ShopError> {
    let (p, c) = product::Entity::find_by_id(id)
        .find_also_related(category::Entity)
        .one(db)
        .await?
        .ok_or(ShopError::NotFound)?;
    let updated_at = p.updated_at;
    let fields = ProductFields {
        name: p.name.clone(),
        description: p.description.clone(),
        price: p.price.0.to_string(),
        category: c.as_ref().map(|c| c.slug.clone()).unwrap_or_default(),
    };
    let image_url = p.image_url.clone();
    Ok(ProductStock {
        fields,
        image_url,
        history: inventory::history(db, id).await?,
        product: row((p, c)),
        updated_at,
    })
}

/// A product's fields checked: the name, description, price and category (its id).
pub struct Checked {
    name: String,
    description: String,
    price: Decimal,
    category_id: Option<i32>,
}

/// Checks what staff typed; every problem at once, by field.
pub async fn check(
    db: &impl ConnectionTrait,
    fields: &ProductFields,
) -> Result<Checked, ShopError> {
    let mut errors = FieldErrors::new();
    let name = fields.name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        errors.insert(
            "name".into(),
            format!("A name of 1 to {MAX_NAME_CHARS} characters"),
        );
    }
    let description = fields.description.trim();
    if description.chars().count() > MAX_DESCRIPTION_CHARS || description.contains('\0') {
        errors.insert(
            "description".into(),
            format!("At most {MAX_DESCRIPTION_CHARS} characters"),
        );
    }
    let max = Decimal::from_str_exact(MAX_PRICE).unwrap_or(Decimal::MAX);
    let price = match parse_price(&fields.price) {
        Ok(Some(price)) if price > Decimal::ZERO && price <= max => Some(price),
        _ => {
            errors.insert(
                "price".into(),
                format!("A price from 0.01 to {MAX_PRICE}, with at most two decimals"),
            );
            None
        }
    };
    let slug = fields.category.trim();
    let category_id = if slug.is_empty() {
        None
    } else if slug.contains('\0') {
        errors.insert("category".into(), "Choose one of the categories".into());
        None
    } else {
        match category::Entity::find()
            .filter(category::Column::Slug.eq(slug))
            .one(db)
            .await?
        {
            Some(c) => Some(c.id),
            None => {
                errors.insert("category".into(), "Choose one of the categories".into());
                None
            }
        }
    };
    match price {
        Some(price) if errors.is_empty() => Ok(Checked {
            name: name.to_owned(),
            description: description.to_owned(),
            price,
            category_id,
        }),
        _ => Err(ShopError::InvalidFields(errors)),
    }
}

/// What the audit log keeps of a product.
fn snapshot(p: &product::Model) -> serde_json::Value {
    serde_json::json!({
        "name": p.name,
        "description": p.description,
        "price": p.price.0.to_string(),
        "category_id": p.category_id,
        "image_url": p.image_url,
        "stock": p.stock,
        "archived": p.archived_at.is_some(),
    })
}

/// Creates a product with `stock` units (its ledger opens with them), by staff member `by`.
pub async fn create(
    db: &DatabaseConnection,
    fields: &ProductFields,
    stock: i64,
    image_url: Option<String>,
    by: i32,
) -> Result<product::Model, ShopError> {
    let checked = check(db, fields).await?;
    let stock = i32::try_from(stock)
        .ok()
        .filter(|s| (0..=MAX_ADJUSTMENT as i32).contains(s))
        .ok_or_else(|| {
            ShopError::InvalidFields(FieldErrors::from([(
                "stock".to_owned(),
                format!("A whole number from 0 to {MAX_ADJUSTMENT}"),
            )]))
        })?;
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let row = product::ActiveModel {
        name: Set(checked.name),
        description: Set(checked.description),
        price: Set(Money(checked.price)),
        image_url: Set(image_url.unwrap_or_else(|| PLACEHOLDER_IMAGE.to_owned())),
        stock: Set(stock),
        category_id: Set(checked.category_id),
        archived_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    inventory::record(&txn, row.id, stock, MovementReason::Initial, None, Some(by)).await?;
    audit::write(
        &txn,
        by,
        "product.create",
        "product",
        Some(row.id),
        None,
        Some(snapshot(&row)),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Edits a product's name, description, price and category (its stock changes only by
/// adjustments, which the ledger records), by staff member `by`.
pub async fn update(
    db: &DatabaseConnection,
    id: i32,
    fields: &ProductFields,
    by: i32,
) -> Result<product::Model, ShopError> {
    let checked = check(db, fields).await?;
    let txn = begin_write(db).await?;
    let before = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ShopError::NotFound)?;
    let mut row: product::ActiveModel = before.clone().into();
    row.name = Set(checked.name);
    row.description = Set(checked.description);
    row.price = Set(Money(checked.price));
    row.category_id = Set(checked.category_id);
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::write(
        &txn,
        by,
        "product.update",
        "product",
        Some(id),
        Some(snapshot(&before)),
        Some(snapshot(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Sets a product's image (a URL the media store gave), by staff member `by`.
pub async fn set_image(
    db: &DatabaseConnection,
    id: i32,
    image_url: &str,
    by: i32,
) -> Result<(), ShopError> {
    let txn = begin_write(db).await?;
    let before = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ShopError::NotFound)?;
    let mut row: product::ActiveModel = before.clone().into();
    row.image_url = Set(image_url.to_owned());
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::write(
        &txn,
        by,
        "product.image",
        "product",
        Some(id),
        Some(snapshot(&before)),
        Some(snapshot(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Archives a product: hidden from the shop (pages, search, carts, checkout), kept for
/// past orders. Archiving twice changes nothing.
pub async fn archive(db: &DatabaseConnection, id: i32, by: i32) -> Result<(), ShopError> {
    let txn = begin_write(db).await?;
    let before = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ShopError::NotFound)?;
    if before.archived_at.is_some() {
        return Ok(());
    }
    // No cart keeps it: a line nobody could buy would only fail at checkout.
    crate::server::entities::cart_item::Entity::delete_many()
        .filter(crate::server::entities::cart_item::Column::ProductId.eq(id))
        .exec(&txn)
        .await?;
    let mut row: product::ActiveModel = before.clone().into();
    row.archived_at = Set(Some(Utc::now()));
    row.updated_at = Set(Utc::now());
    let after = row.update(&txn).await?;
    audit::write(
        &txn,
        by,
        "product.archive",
        "product",
        Some(id),
        Some(snapshot(&before)),
        Some(snapshot(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What a product without an image shows.
pub const PLACEHOLDER_IMAGE: &str = "/images/placeholder.svg";

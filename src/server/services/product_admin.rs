//! The catalogue as staff see it: a searchable, paged table of products and a product's
//! stock page (its ledger).

use crate::error::ShopError;
use crate::model::admin::{ProductRow, ProductStock, ProductTable, ADMIN_PAGE_SIZE};
use crate::server::entities::{category, product};
use crate::server::services::inventory;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
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
    Ok(ProductStock {
        history: inventory::history(db, id).await?,
        product: row((p, c)),
        updated_at,
    })
}

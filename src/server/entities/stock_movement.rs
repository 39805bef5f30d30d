use sea_orm::entity::prelude::*;

/// One change of a product's stock: the ledger sums to the stock.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock_movements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub product_id: i32,
    pub delta: i32,
    /// `initial`, `received`, `correction`, `damaged`, `checkout` or `cancellation`.
    pub reason: String,
    /// The order, for checkouts and cancellations.
    pub order_id: Option<i32>,
    /// The staff member, for adjustments.
    pub account_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

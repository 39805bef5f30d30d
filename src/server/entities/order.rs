use super::money::Money;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "orders")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub number: String,
    #[sea_orm(unique)]
    pub token: String,
    /// An [`crate::model::order::OrderStatus`] as text (a CHECK constraint keeps it one).
    pub status: String,
    pub email: String,
    pub ship_name: String,
    pub ship_line1: String,
    pub ship_line2: String,
    pub ship_city: String,
    pub ship_postal_code: String,
    pub ship_country: String,
    pub shipping_method: String,
    pub shipping_price: Money,
    pub subtotal: Money,
    pub total: Money,
    pub payment_method: String,
    pub card_brand: Option<String>,
    pub card_last4: Option<String>,
    pub payment_reference: Option<String>,
    pub session_id: String,
    pub customer_id: Option<i32>,
    /// The carrier's number, once shipped.
    pub tracking_number: Option<String>,
    #[sea_orm(unique)]
    pub idempotency_key: Option<String>,
    pub request_fingerprint: Option<String>,
    /// Until when the process paying for this pending order is known to be alive.
    pub payment_lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::order_line::Entity")]
    OrderLine,
    #[sea_orm(has_many = "super::outbox_email::Entity")]
    OutboxEmail,
}

impl Related<super::order_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OrderLine.def()
    }
}

impl Related<super::outbox_email::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::OutboxEmail.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A customer's (or an admin's) account.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// As the customer typed it (shown back to them).
    pub email: String,
    /// Trimmed and lowercased: what sign-in and uniqueness compare.
    pub email_key: String,
    /// Argon2id, PHC string form.
    pub password_hash: String,
    pub role: String,
    pub created_at: DateTimeUtc,
    /// The customer's cart in `cart_items` (128 random bits, like a guest's cookie): the
    /// cart follows the account to any browser it signs in from.
    pub cart_key: Option<String>,
    /// The saved shipping address (all set, or all empty).
    pub ship_name: Option<String>,
    pub ship_line1: Option<String>,
    pub ship_line2: Option<String>,
    pub ship_city: Option<String>,
    pub ship_postal_code: Option<String>,
    pub ship_country: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

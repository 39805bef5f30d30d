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
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use sea_orm::entity::prelude::*;

/// A sign-in session (a tower-sessions record; see `server::session_store`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    /// The record's data as JSON.
    #[sea_orm(column_type = "Text")]
    pub data: String,
    /// Idle expiry: pushed forward as the session is used.
    pub expires_at: DateTimeUtc,
    /// When the session began (sign-in): the absolute expiry counts from here.
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

use crate::m20261125_000001_create_products::Products;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CartItems::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(CartItems::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(CartItems::SessionId)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(ColumnDef::new(CartItems::ProductId).integer().not_null())
                    .col(
                        ColumnDef::new(CartItems::Quantity)
                            .integer()
                            .not_null()
                            .check(Expr::col(CartItems::Quantity).gt(0)),
                    )
                    .col(
                        ColumnDef::new(CartItems::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CartItems::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_cart_items_product")
                            .from(CartItems::Table, CartItems::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One line per product in a cart; the upsert in the cart service relies on it. Its
        // leading column also serves "the cart of this session" look-ups.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ux_cart_items_session_product")
                    .table(CartItems::Table)
                    .col(CartItems::SessionId)
                    .col(CartItems::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Deleting a product cascades to its cart lines: index the foreign key.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ix_cart_items_product")
                    .table(CartItems::Table)
                    .col(CartItems::ProductId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CartItems::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CartItems {
    Table,
    Id,
    SessionId,
    ProductId,
    Quantity,
    CreatedAt,
    UpdatedAt,
}

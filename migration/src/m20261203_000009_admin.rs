//! What running the shop needs: `stock_movements`, the ledger every stock change writes a
//! row to (so a product's stock history always sums to its stock), opened with one
//! `initial` row per existing product; and `audit_log`, who changed what, when, before and
//! after.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REASONS: [&str; 6] = [
    "initial",
    "received",
    "correction",
    "damaged",
    "checkout",
    "cancellation",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StockMovements::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(StockMovements::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(StockMovements::ProductId)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(StockMovements::Delta).integer().not_null())
                    .col(
                        ColumnDef::new(StockMovements::Reason)
                            .string_len(20)
                            .not_null()
                            .check(Expr::col(StockMovements::Reason).is_in(REASONS)),
                    )
                    .col(ColumnDef::new(StockMovements::OrderId).integer().null())
                    .col(ColumnDef::new(StockMovements::AccountId).integer().null())
                    .col(
                        ColumnDef::new(StockMovements::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(StockMovements::Table, StockMovements::ProductId)
                            .to(Products::Table, Products::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_stock_movements_product_id")
                    .table(StockMovements::Table)
                    .col(StockMovements::ProductId)
                    .col(StockMovements::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(AuditLog::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AuditLog::AccountId).integer().not_null())
                    .col(ColumnDef::new(AuditLog::Action).string_len(40).not_null())
                    .col(ColumnDef::new(AuditLog::Entity).string_len(40).not_null())
                    .col(ColumnDef::new(AuditLog::EntityId).integer().null())
                    .col(ColumnDef::new(AuditLog::Before).text().null())
                    .col(ColumnDef::new(AuditLog::After).text().null())
                    .col(
                        ColumnDef::new(AuditLog::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Every status change of an order: its history on the admin's order page.
        manager
            .create_table(
                Table::create()
                    .table(OrderEvents::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(OrderEvents::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrderEvents::OrderId).integer().not_null())
                    .col(
                        ColumnDef::new(OrderEvents::FromStatus)
                            .string_len(20)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OrderEvents::ToStatus)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OrderEvents::AccountId).integer().null())
                    .col(ColumnDef::new(OrderEvents::Note).string_len(255).null())
                    .col(
                        ColumnDef::new(OrderEvents::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrderEvents::Table, OrderEvents::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_order_events_order_id")
                    .table(OrderEvents::Table)
                    .col(OrderEvents::OrderId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        if !manager.has_column("orders", "tracking_number").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Orders::Table)
                        .add_column(
                            ColumnDef::new(Orders::TrackingNumber)
                                .string_len(100)
                                .null(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        // Archived products are hidden from the shop and kept for past orders.
        if !manager.has_column("products", "archived_at").await? {
            manager
                .alter_table(
                    Table::alter()
                        .table(Products::Table)
                        .add_column(
                            ColumnDef::new(Products::ArchivedAt)
                                .timestamp_with_time_zone()
                                .null(),
                        )
                        .to_owned(),
                )
                .await?;
        }
        // Every product's stock so far, as the ledger's first row (resumable: only products
        // without one get it).
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let now = match backend {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                "strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')"
            }
            _ => "now()",
        };
        db.execute_raw(Statement::from_string(
            backend,
            format!(
                "INSERT INTO stock_movements (product_id, delta, reason, created_at) \
                 SELECT id, stock, 'initial', {now} FROM products p \
                 WHERE NOT EXISTS (SELECT 1 FROM stock_movements m WHERE m.product_id = p.id)"
            ),
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["order_events", "audit_log", "stock_movements"] {
            manager
                .drop_table(
                    Table::drop()
                        .table(Alias::new(table))
                        .if_exists()
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum StockMovements {
    Table,
    Id,
    ProductId,
    Delta,
    Reason,
    OrderId,
    AccountId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    AccountId,
    Action,
    Entity,
    EntityId,
    Before,
    After,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OrderEvents {
    Table,
    Id,
    OrderId,
    FromStatus,
    ToStatus,
    AccountId,
    Note,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    TrackingNumber,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    ArchivedAt,
}

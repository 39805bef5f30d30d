//! Orders, their lines, and the outbox of emails to send about them.

use crate::money_column;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUSES: [&str; 6] = [
    "pending_payment",
    "paid",
    "placed",
    "shipped",
    "delivered",
    "cancelled",
];

fn timestamp(col: impl IntoIden) -> ColumnDef {
    let mut def = ColumnDef::new(col);
    def.timestamp_with_time_zone().not_null();
    def
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Orders::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    // HP-10001: made from the id inside the creating transaction.
                    .col(
                        ColumnDef::new(Orders::Number)
                            .string_len(40)
                            .not_null()
                            .unique_key(),
                    )
                    // The order page's key: 128 random bits as hex.
                    .col(
                        ColumnDef::new(Orders::Token)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(Orders::Status)
                            .string_len(20)
                            .not_null()
                            .check(Expr::col(Orders::Status).is_in(STATUSES)),
                    )
                    .col(ColumnDef::new(Orders::Email).string_len(254).not_null())
                    .col(ColumnDef::new(Orders::ShipName).string_len(200).not_null())
                    .col(ColumnDef::new(Orders::ShipLine1).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Orders::ShipLine2)
                            .string_len(200)
                            .not_null()
                            .default(""),
                    )
                    .col(ColumnDef::new(Orders::ShipCity).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Orders::ShipPostalCode)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Orders::ShipCountry).string_len(2).not_null())
                    .col(
                        ColumnDef::new(Orders::ShippingMethod)
                            .string_len(20)
                            .not_null()
                            .check(
                                Expr::col(Orders::ShippingMethod).is_in(["standard", "express"]),
                            ),
                    )
                    .col(money_column(backend, Orders::ShippingPrice))
                    .col(money_column(backend, Orders::Subtotal))
                    .col(money_column(backend, Orders::Total))
                    .col(
                        ColumnDef::new(Orders::PaymentMethod)
                            .string_len(20)
                            .not_null()
                            .check(
                                Expr::col(Orders::PaymentMethod)
                                    .is_in(["card", "cash_on_delivery"]),
                            ),
                    )
                    // Never the card number: only what a receipt shows.
                    .col(ColumnDef::new(Orders::CardBrand).string_len(20).null())
                    .col(ColumnDef::new(Orders::CardLast4).string_len(4).null())
                    // The provider's reference for the payment, when it gives one.
                    .col(
                        ColumnDef::new(Orders::PaymentReference)
                            .string_len(255)
                            .null(),
                    )
                    .col(ColumnDef::new(Orders::SessionId).string_len(255).not_null())
                    // Accounts come next; until then always NULL.
                    .col(ColumnDef::new(Orders::CustomerId).integer().null())
                    // Released (set NULL) when the order is cancelled, so the shopper can
                    // retry with the same key.
                    .col(
                        ColumnDef::new(Orders::IdempotencyKey)
                            .string_len(255)
                            .null()
                            .unique_key(),
                    )
                    // SHA-256 hex of the request, to tell a replay from a reused key.
                    .col(
                        ColumnDef::new(Orders::RequestFingerprint)
                            .string_len(64)
                            .null(),
                    )
                    .col(timestamp(Orders::CreatedAt))
                    .col(timestamp(Orders::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // The sweep looks for old orders still pending payment.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ix_orders_status_created_at")
                    .table(Orders::Table)
                    .col(Orders::Status)
                    .col(Orders::CreatedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OrderLines::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(OrderLines::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OrderLines::OrderId).integer().not_null())
                    // No foreign key to products on purpose: a line is a snapshot, and
                    // removing a product from the catalogue must not touch past orders.
                    .col(ColumnDef::new(OrderLines::ProductId).integer().not_null())
                    .col(
                        ColumnDef::new(OrderLines::ProductName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(money_column(backend, OrderLines::UnitPrice))
                    .col(
                        ColumnDef::new(OrderLines::Quantity)
                            .integer()
                            .not_null()
                            .check(Expr::col(OrderLines::Quantity).gt(0)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_lines_order")
                            .from(OrderLines::Table, OrderLines::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // One line per product in an order (carts have one per product); it also indexes the
        // foreign key for "the lines of this order".
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ux_order_lines_order_product")
                    .table(OrderLines::Table)
                    .col(OrderLines::OrderId)
                    .col(OrderLines::ProductId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutboxEmails::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(OutboxEmails::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OutboxEmails::OrderId).integer().null())
                    .col(ColumnDef::new(OutboxEmails::Kind).string_len(40).not_null())
                    .col(
                        ColumnDef::new(OutboxEmails::Recipient)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OutboxEmails::Subject)
                            .string_len(300)
                            .not_null(),
                    )
                    .col(ColumnDef::new(OutboxEmails::Body).text().not_null())
                    .col(
                        ColumnDef::new(OutboxEmails::Attempts)
                            .integer()
                            .not_null()
                            .default(0)
                            .check(Expr::col(OutboxEmails::Attempts).gte(0)),
                    )
                    .col(timestamp(OutboxEmails::NextAttemptAt))
                    // A worker owns the row until then (so two workers never send it twice);
                    // after it, a crashed worker's row is picked up again.
                    .col(
                        ColumnDef::new(OutboxEmails::ClaimedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutboxEmails::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(OutboxEmails::LastError)
                            .string_len(500)
                            .null(),
                    )
                    .col(timestamp(OutboxEmails::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outbox_emails_order")
                            .from(OutboxEmails::Table, OutboxEmails::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The worker's question: unsent rows due now.
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ix_outbox_emails_due")
                    .table(OutboxEmails::Table)
                    .col(OutboxEmails::SentAt)
                    .col(OutboxEmails::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .if_not_exists()
                    .name("ix_outbox_emails_order")
                    .table(OutboxEmails::Table)
                    .col(OutboxEmails::OrderId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OutboxEmails::Table.into_iden(),
            OrderLines::Table.into_iden(),
            Orders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    Number,
    Token,
    Status,
    Email,
    ShipName,
    ShipLine1,
    ShipLine2,
    ShipCity,
    ShipPostalCode,
    ShipCountry,
    ShippingMethod,
    ShippingPrice,
    Subtotal,
    Total,
    PaymentMethod,
    CardBrand,
    CardLast4,
    PaymentReference,
    SessionId,
    CustomerId,
    IdempotencyKey,
    RequestFingerprint,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderLines {
    Table,
    Id,
    OrderId,
    ProductId,
    ProductName,
    UnitPrice,
    Quantity,
}

#[derive(DeriveIden)]
enum OutboxEmails {
    Table,
    Id,
    OrderId,
    Kind,
    Recipient,
    Subject,
    Body,
    Attempts,
    NextAttemptAt,
    ClaimedUntil,
    SentAt,
    LastError,
    CreatedAt,
}

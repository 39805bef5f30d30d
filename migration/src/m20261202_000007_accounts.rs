//! `accounts`: customers who signed up. The email is stored as typed but compared through
//! `email_key` (trimmed, lowercased), which is unique, so `Ann@Example.com` and
//! `ann@example.com` are one account. `role` is `customer` or `admin` (the admin's pages
//! check it on the server). The password is an Argon2id PHC string, never the password.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Accounts::Table)
                    .if_not_exists()
                    .col(
                        ColumnDef::new(Accounts::Id)
                            .integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Accounts::Email).string_len(254).not_null())
                    .col(
                        ColumnDef::new(Accounts::EmailKey)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Accounts::PasswordHash)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Accounts::Role)
                            .string_len(16)
                            .not_null()
                            .default("customer")
                            .check(Expr::col(Accounts::Role).is_in(["customer", "admin"])),
                    )
                    .col(
                        ColumnDef::new(Accounts::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("accounts_email_key")
                    .table(Accounts::Table)
                    .col(Accounts::EmailKey)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Accounts::Table).if_exists().to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    Email,
    EmailKey,
    PasswordHash,
    Role,
    CreatedAt,
}

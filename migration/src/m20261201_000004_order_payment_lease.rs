//! `orders.payment_lease_until`: how long the process paying for a pending order is known to
//! be alive. It renews the lease while it waits for the payment provider; when the lease has
//! run out, a retry with the same Idempotency-Key takes the payment over.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Checked first, so a run interrupted after the change (SQLite has no transactional
        // migrations here) resumes instead of failing on a duplicate column.
        if manager.has_column("orders", "payment_lease_until").await? {
            return Ok(());
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .add_column(
                        ColumnDef::new(Orders::PaymentLeaseUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Orders::Table)
                    .drop_column(Orders::PaymentLeaseUntil)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Orders {
    Table,
    PaymentLeaseUntil,
}

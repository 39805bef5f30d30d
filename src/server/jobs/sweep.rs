//! The pending-order sweep: orders whose process died between reserving stock and
//! recording the payment are cancelled and their units put back.

use crate::error::ShopError;
use crate::server::services::catalogue_cache::CatalogueCache;
use crate::server::services::orders;
use sea_orm::DatabaseConnection;
use std::time::Duration;

/// One sweep: cancels and restocks orders pending payment for longer than `older_than`;
/// returns how many. Stock changes show at once in this process's catalogue.
pub async fn run_once(
    db: &DatabaseConnection,
    catalogue: &CatalogueCache,
    older_than: Duration,
) -> Result<u64, ShopError> {
    let cancelled = orders::cancel_stale(db, older_than).await?;
    if cancelled > 0 {
        catalogue.invalidate();
    }
    Ok(cancelled)
}

//! The audit log: every admin change, with who made it, when, and the record before and
//! after, written in the change's own transaction.

use crate::error::ShopError;
use crate::server::entities::audit_entry;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub async fn write(
    txn: &impl ConnectionTrait,
    by: i32,
    action: &str,
    entity: &str,
    entity_id: Option<i32>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), ShopError> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        account_id: Set(by),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        before: Set(before.map(|v| v.to_string())),
        after: Set(after.map(|v| v.to_string())),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

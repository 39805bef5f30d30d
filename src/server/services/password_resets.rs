//! "Forgot password?": a single-use link, valid for an hour, emailed through the outbox.
//! Only the SHA-256 of its token is stored. Asking for a link answers the same whether the
//! email has an account or not.

use crate::error::ShopError;
use crate::server::entities::{account, password_reset};
use crate::server::mail;
use crate::server::services::{accounts, begin_write, random_hex, secret_hash};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
};

/// How long a link works.
pub const VALID_FOR: Duration = Duration::hours(1);
/// Where a link leads (with `?token=`).
pub const RESET_PATH: &str = "/account/password/reset";

/// Sends a reset link to `email` when it has an account; otherwise does nothing. Either way
/// the caller says the same thing. The link and its email are written in one transaction.
pub async fn request_reset(
    db: &DatabaseConnection,
    email: &str,
    shop_url: &str,
) -> Result<(), ShopError> {
    let Some(account) = accounts::find_by_email(db, email).await? else {
        return Ok(());
    };
    let token = random_hex();
    let now = Utc::now();
    let txn = begin_write(db).await?;
    password_reset::ActiveModel {
        account_id: Set(account.id),
        token_hash: Set(secret_hash(&token)),
        expires_at: Set(now + VALID_FOR),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let link = format!(
        "{}{RESET_PATH}?token={token}",
        shop_url.trim_end_matches('/')
    );
    mail::password_reset(&link, VALID_FOR.num_minutes())
        .outbox_row(mail::PASSWORD_RESET, &account.email, None, now)
        .insert(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `token` is a link that still works (the reset page checks before showing its
/// form).
pub async fn is_usable(db: &DatabaseConnection, token: &str) -> Result<bool, ShopError> {
    Ok(usable(db, token).await?.is_some())
}

async fn usable(
    db: &impl sea_orm::ConnectionTrait,
    token: &str,
) -> Result<Option<password_reset::Model>, ShopError> {
    if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    Ok(password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(secret_hash(&token.to_ascii_lowercase())))
        .filter(password_reset::Column::UsedAt.is_null())
        .filter(password_reset::Column::ExpiresAt.gt(Utc::now()))
        .one(db)
        .await?)
}

/// Sets a new password through a link. The link is spent by one conditional update in the
/// same transaction as the new password, so of two uses at once exactly one works; the
/// account's other links stop working too. Every session signed in with the old password
/// ends (sign-ins are tied to the password hash).
pub async fn reset_password(
    db: &DatabaseConnection,
    token: &str,
    new_password: &str,
) -> Result<account::Model, ShopError> {
    accounts::check_password(new_password)?;
    let expired = || {
        ShopError::invalid(
            "This reset link has expired or was already used. Please ask for a new one.",
        )
    };
    let txn = begin_write(db).await?;
    let link = usable(&txn, token).await?.ok_or_else(expired)?;
    let now = Utc::now();
    let spent = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, Expr::value(now))
        .filter(password_reset::Column::AccountId.eq(link.account_id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected == 0 {
        return Err(expired());
    }
    let account = accounts::set_password(&txn, link.account_id, new_password).await?;
    // Whoever held the account before the reset may have made tokens: they go too.
    crate::server::services::api_tokens::revoke_all(&txn, link.account_id).await?;
    txn.commit().await?;
    Ok(account)
}

/// Deletes links that expired a day ago or more (the clean-up job calls this).
pub async fn delete_stale(db: &DatabaseConnection) -> Result<u64, ShopError> {
    let gone = password_reset::Entity::delete_many()
        .filter(password_reset::Column::ExpiresAt.lt(Utc::now() - Duration::days(1)))
        .exec(db)
        .await?;
    Ok(gone.rows_affected)
}

//! Customers' personal API tokens: `hp_` and 32 random hex digits, shown once when made;
//! only their SHA-256 is stored. A token names its account for `Authorization: Bearer`
//! until it is revoked.

use crate::error::ShopError;
use crate::model::account::ApiToken;
use crate::server::entities::{account, api_token};
use crate::server::services::{random_hex, secret_hash};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};

const PREFIX: &str = "hp_";
/// A token's name: 1 to this many characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Live tokens per account.
pub const MAX_TOKENS: u64 = 20;
/// `last_used_at` is written at most this often per token (a busy token is one write a
/// minute, not one per call).
const LAST_USED_PRECISION: Duration = Duration::minutes(1);

/// A token just made: the secret (shown to the customer this once) and how it is listed.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub secret: String,
    pub token: ApiToken,
}

/// Makes a named token for the account.
pub async fn create(
    db: &impl ConnectionTrait,
    account_id: i32,
    name: &str,
) -> Result<NewToken, ShopError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ShopError::invalid(format!(
            "Please name the token (1 to {MAX_NAME_CHARS} characters)"
        )));
    }
    let live = api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    if live >= MAX_TOKENS {
        return Err(ShopError::invalid(format!(
            "You have {MAX_TOKENS} tokens: please revoke one first"
        )));
    }
    let secret = format!("{PREFIX}{}", random_hex());
    let row = api_token::ActiveModel {
        account_id: Set(account_id),
        name: Set(name.to_owned()),
        token_hash: Set(secret_hash(&secret)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(NewToken {
        secret,
        token: ApiToken::from(row),
    })
}

/// The account's live tokens, newest first.
pub async fn list(db: &impl ConnectionTrait, account_id: i32) -> Result<Vec<ApiToken>, ShopError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ApiToken::from)
        .collect())
}

/// Revokes one of the account's tokens; `NotFound` for another account's or a revoked one.
pub async fn revoke(
    db: &impl ConnectionTrait,
    account_id: i32,
    token_id: i32,
) -> Result<(), ShopError> {
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(token_id))
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    match revoked.rows_affected {
        0 => Err(ShopError::NotFound),
        _ => Ok(()),
    }
}

/// Revokes every live token of the account (a reset password, a promotion to admin).
pub async fn revoke_all(db: &impl ConnectionTrait, account_id: i32) -> Result<u64, ShopError> {
    let revoked = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::AccountId.eq(account_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(revoked.rows_affected)
}

/// The account a live token names, noting when it was used.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    secret: &str,
) -> Result<Option<account::Model>, ShopError> {
    if !secret.starts_with(PREFIX) || secret.len() != PREFIX.len() + 32 {
        return Ok(None);
    }
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret_hash(secret)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if token
        .last_used_at
        .is_none_or(|at| at < now - LAST_USED_PRECISION)
    {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(db)
            .await?;
    }
    Ok(account::Entity::find_by_id(token.account_id)
        .one(db)
        .await?)
}

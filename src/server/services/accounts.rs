//! Customer accounts: signing up and checking a password. Hashes are Argon2id through
//! `password-auth` (RustCrypto's `argon2` with its recommended parameters), computed on the
//! blocking pool: a hash takes tens of milliseconds of CPU that must not stall the async
//! threads. Answers never tell whether an email is registered, and take the same work
//! either way.

use crate::error::ShopError;
use crate::model::account::{
    email_key, Account, MAX_EMAIL_CHARS, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};
use crate::model::order::looks_like_email;
use crate::server::entities::account;
use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, SqlErr};
use std::sync::LazyLock;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// What signing up did. The pages and the API give both the same neutral answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    Created(Account),
    /// The email already has an account; nothing was changed.
    AlreadyRegistered,
}

/// Refuses a password that is too short, too long or among the most common ones.
pub fn check_password(password: &str) -> Result<(), ShopError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ShopError::invalid(format!(
            "Please choose a password of at most {MAX_PASSWORD_BYTES} characters"
        )));
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ShopError::invalid(format!(
            "Please choose a password of at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let lowered = password.to_lowercase();
    let common = COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|line| line == lowered);
    if common {
        return Err(ShopError::invalid(
            "This password is one of the most common: please choose another",
        ));
    }
    Ok(())
}

/// The address as typed (trimmed), when it looks like one.
fn valid_email(email: &str) -> Result<String, ShopError> {
    let email = email.trim();
    if email.chars().count() > MAX_EMAIL_CHARS || !looks_like_email(email) {
        return Err(ShopError::invalid("Please enter a valid email address"));
    }
    Ok(email.to_owned())
}

/// Signs up `email` with `password`. An email that already has an account is refused
/// without a trace: the same answer, the same hashing work, nothing changed.
pub async fn register(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Registration, ShopError> {
    let email = valid_email(email)?;
    check_password(password)?;
    let key = email_key(&email);
    // Hashed before anything is looked up, so a known email answers no faster.
    let hash = hash(password.to_owned()).await?;
    let row = account::ActiveModel {
        email: Set(email),
        email_key: Set(key.clone()),
        password_hash: Set(hash),
        role: Set("customer".into()),
        created_at: Set(Utc::now()),
        ..Default::default()
    };
    // One statement against a unique index: of two sign-ups of one email at once, one
    // makes the account and the other finds it taken.
    match account::Entity::insert(row).exec(db).await {
        Ok(_) => find(db, &key)
            .await?
            .map(|row| Registration::Created(Account::from(row)))
            .ok_or(ShopError::Internal),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(Registration::AlreadyRegistered)
        }
        Err(err) => Err(err.into()),
    }
}

/// The account `email` names, when `password` is its password. An unknown email costs the
/// same hashing work as a wrong password (a dummy hash is checked), so timing tells nothing.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
) -> Result<Option<Account>, ShopError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(None);
    }
    let found = find(db, &email_key(email)).await?;
    let stored = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |row| row.password_hash.clone());
    let matches = verify(password.to_owned(), stored).await?;
    Ok(found.filter(|_| matches).map(Account::from))
}

async fn find(db: &impl ConnectionTrait, key: &str) -> Result<Option<account::Model>, ShopError> {
    Ok(account::Entity::find()
        .filter(account::Column::EmailKey.eq(key))
        .one(db)
        .await?)
}

/// A hash of nothing anyone knows, checked when an email has no account.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password_auth::generate_hash("no account has this password"));

async fn hash(password: String) -> Result<String, ShopError> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|_| ShopError::Internal)
}

async fn verify(password: String, hash: String) -> Result<bool, ShopError> {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .map_err(|_| ShopError::Internal)
}

//! Customer accounts: signing up, checking and changing a password, the customer's cart key
//! and saved address. Hashes are Argon2id through
//! `password-auth` (RustCrypto's `argon2` with its recommended parameters), computed on the
//! blocking pool: a hash takes tens of milliseconds of CPU that must not stall the async
//! threads. Answers never tell whether an email is registered, and take the same work
//! either way.

use crate::error::ShopError;
use crate::model::account::{
    email_key, Account, MAX_EMAIL_CHARS, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};
use crate::model::order::{looks_like_email, ShippingAddress};
use crate::server::entities::account;
use crate::server::services::random_hex;
use chrono::Utc;
use sea_orm::sea_query::Expr;
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
pub(crate) fn valid_email(email: &str) -> Result<String, ShopError> {
    let email = email.trim();
    if email.chars().count() > MAX_EMAIL_CHARS || email.contains('\0') || !looks_like_email(email) {
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
        cart_key: Set(Some(new_cart_key())),
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
) -> Result<Option<account::Model>, ShopError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(None);
    }
    let found = find_by_email(db, email).await?;
    let stored = found
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |row| row.password_hash.clone());
    let matches = verify(password.to_owned(), stored).await?;
    Ok(found.filter(|_| matches))
}

/// The account with this id.
pub async fn get(db: &impl ConnectionTrait, id: i32) -> Result<Option<account::Model>, ShopError> {
    Ok(account::Entity::find_by_id(id).one(db).await?)
}

/// The account registered with `email`, if any (for the "forgot password" form).
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<account::Model>, ShopError> {
    // PostgreSQL text cannot hold NUL: no account has one.
    if email.chars().count() > MAX_EMAIL_CHARS || email.contains('\0') {
        return Ok(None);
    }
    find(db, &email_key(email)).await
}

/// Account carts are keyed `acct-` and 32 random hex digits: as unguessable as a guest's
/// cookie, and never a cookie's shape, so no cookie can name one.
const CART_KEY_PREFIX: &str = "acct-";

fn new_cart_key() -> String {
    format!("{CART_KEY_PREFIX}{}", random_hex())
}

/// Whether a cart key is an account's (orders from it belong to the account).
pub fn is_account_cart(cart_key: &str) -> bool {
    cart_key.starts_with(CART_KEY_PREFIX)
}

/// The key of the account's cart, made on first use for accounts that have none yet. One
/// conditional statement: two first uses at once agree on one key.
pub async fn cart_key(
    db: &impl ConnectionTrait,
    account: &account::Model,
) -> Result<String, ShopError> {
    if let Some(key) = &account.cart_key {
        return Ok(key.clone());
    }
    account::Entity::update_many()
        .col_expr(account::Column::CartKey, Expr::value(new_cart_key()))
        .filter(account::Column::Id.eq(account.id))
        .filter(account::Column::CartKey.is_null())
        .exec(db)
        .await?;
    get(db, account.id)
        .await?
        .and_then(|row| row.cart_key)
        .ok_or(ShopError::Internal)
}

/// Changes the password of a signed-in customer who proved they know the current one.
/// Every session that signed in with the old password ends (their sign-in is tied to
/// the password hash); the caller signs the current one in again.
pub async fn change_password(
    db: &impl ConnectionTrait,
    id: i32,
    current: &str,
    new: &str,
) -> Result<account::Model, ShopError> {
    let row = get(db, id).await?.ok_or(ShopError::NotFound)?;
    let current_ok = current.len() <= MAX_PASSWORD_BYTES
        && verify(current.to_owned(), row.password_hash.clone()).await?;
    if !current_ok {
        return Err(ShopError::invalid("Your current password is not right"));
    }
    set_password(db, id, new).await
}

/// Sets a new password (after its rules are checked).
pub async fn set_password(
    db: &impl ConnectionTrait,
    id: i32,
    new: &str,
) -> Result<account::Model, ShopError> {
    check_password(new)?;
    let hash = hash(new.to_owned()).await?;
    account::Entity::update_many()
        .col_expr(account::Column::PasswordHash, Expr::value(hash))
        .filter(account::Column::Id.eq(id))
        .exec(db)
        .await?;
    get(db, id).await?.ok_or(ShopError::NotFound)
}

/// The shipping address the customer saved, if any.
pub fn saved_address(row: &account::Model) -> Option<ShippingAddress> {
    Some(ShippingAddress {
        name: row.ship_name.clone()?,
        line1: row.ship_line1.clone()?,
        line2: row.ship_line2.clone().unwrap_or_default(),
        city: row.ship_city.clone()?,
        postal_code: row.ship_postal_code.clone()?,
        country: row.ship_country.clone()?,
    })
}

/// Saves `address` (already checked, as an order's is) as the customer's.
pub async fn save_address(
    db: &impl ConnectionTrait,
    id: i32,
    address: &ShippingAddress,
) -> Result<(), ShopError> {
    let a = address.clone();
    account::Entity::update_many()
        .col_expr(account::Column::ShipName, Expr::value(a.name))
        .col_expr(account::Column::ShipLine1, Expr::value(a.line1))
        .col_expr(account::Column::ShipLine2, Expr::value(a.line2))
        .col_expr(account::Column::ShipCity, Expr::value(a.city))
        .col_expr(account::Column::ShipPostalCode, Expr::value(a.postal_code))
        .col_expr(account::Column::ShipCountry, Expr::value(a.country))
        .filter(account::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
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

/// Roles an account may have.
pub const ADMIN: &str = "admin";

/// What `shop admin create` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminGrant {
    Created,
    Promoted,
    AlreadyAdmin,
}

/// Makes `email` an admin: creates the account with `password`, or promotes an existing
/// one. Anyone may have signed up with that email (sign-up proves nothing about it), so a
/// promotion sets `password` too, which ends every session signed in before, and revokes
/// the account's API tokens: only the operator's password opens the admin.
pub async fn make_admin(
    db: &impl ConnectionTrait,
    email: &str,
    password: impl FnOnce() -> Result<String, ShopError>,
) -> Result<AdminGrant, ShopError> {
    let grant = match find_by_email(db, email).await? {
        Some(row) if row.role == ADMIN => return Ok(AdminGrant::AlreadyAdmin),
        Some(row) => {
            set_password(db, row.id, &password()?).await?;
            crate::server::services::api_tokens::revoke_all(db, row.id).await?;
            AdminGrant::Promoted
        }
        None => {
            register(db, email, &password()?).await?;
            AdminGrant::Created
        }
    };
    account::Entity::update_many()
        .col_expr(account::Column::Role, Expr::value(ADMIN))
        .filter(account::Column::EmailKey.eq(email_key(email)))
        .exec(db)
        .await?;
    Ok(grant)
}

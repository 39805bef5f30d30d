//! Customer accounts as the pages and the API show them, and the rules for what a customer
//! may type (checked on the server; shared so the forms can say the same).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i32,
    pub email: String,
    pub created_at: DateTime<Utc>,
}

/// Fewer characters than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// More bytes than this are refused: hashing a huge input is work an attacker would love.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The longest email address SMTP allows.
pub const MAX_EMAIL_CHARS: usize = 254;

/// What sign-in and uniqueness compare: the address trimmed and lowercased.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A personal API token as its owner sees it listed (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: i32,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Who is looking at a page: the navbar's "Sign in" or account link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub email: String,
}

/// An order in the account's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub number: String,
    pub token: String,
    pub status: crate::model::order::OrderStatus,
    pub total: rust_decimal::Decimal,
    pub created_at: DateTime<Utc>,
}

/// Everything `/account` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub account: Account,
    /// Newest first.
    pub orders: Vec<OrderSummary>,
    pub address: Option<crate::model::order::ShippingAddress>,
    pub tokens: Vec<ApiToken>,
}

/// The paths of the account's pages and forms.
pub mod paths {
    pub const ACCOUNT: &str = "/account";
    pub const REGISTER: &str = "/account/register";
    pub const LOGIN: &str = "/account/login";
    pub const LOGOUT: &str = "/account/logout";
    pub const PASSWORD: &str = "/account/password";
    pub const FORGOT: &str = "/account/password/forgot";
    pub const RESET: &str = "/account/password/reset";
    pub const TOKENS: &str = "/account/tokens";
    pub const REVOKE: &str = "/account/tokens/revoke";
}

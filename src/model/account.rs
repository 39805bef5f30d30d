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

/// What a form post says when it redirects (`?done=`): a fixed set, so no text of a
/// request's choosing is ever shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    Registered,
    SignedIn,
    SignedOut,
    PasswordChanged,
    ResetSent,
    PasswordReset,
    TokenRevoked,
    CartCapped,
    StockAdjusted,
}

impl Notice {
    const ALL: [Notice; 9] = [
        Self::StockAdjusted,
        Self::CartCapped,
        Self::Registered,
        Self::SignedIn,
        Self::SignedOut,
        Self::PasswordChanged,
        Self::ResetSent,
        Self::PasswordReset,
        Self::TokenRevoked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::SignedIn => "signed-in",
            Self::SignedOut => "signed-out",
            Self::PasswordChanged => "password-changed",
            Self::ResetSent => "reset-sent",
            Self::PasswordReset => "password-reset",
            Self::TokenRevoked => "token-revoked",
            Self::CartCapped => "cart-capped",
            Self::StockAdjusted => "stock-adjusted",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code() == code)
    }

    pub fn message(self) -> &'static str {
        match self {
            // The same words whether or not the email already had an account.
            Self::Registered => {
                "Thank you. If this email can be used, your account is ready: sign in with it."
            }
            Self::SignedIn => "You are signed in.",
            Self::SignedOut => "You are signed out.",
            Self::PasswordChanged => "Your password is changed. Other devices are signed out.",
            Self::ResetSent => {
                "If an account uses this email, we have sent it a link to choose a new password. It works for one hour."
            }
            Self::PasswordReset => "Your password is changed. Please sign in with it.",
            Self::TokenRevoked => "The token is revoked.",
            Self::StockAdjusted => "The stock is adjusted.",
            Self::CartCapped => {
                "You are signed in, and your carts are combined. Some quantities were lowered to what we have in stock."
            }
        }
    }
}

/// What the server renders a page of the account again with, after a form post: which
/// form, why it failed (or the token just made), and the email typed (never a password).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostedForm {
    pub form: &'static str,
    pub error: Option<String>,
    pub email: String,
    pub status: u16,
    /// A token just made: its name and the secret, shown this once.
    pub new_token: Option<(String, String)>,
}

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

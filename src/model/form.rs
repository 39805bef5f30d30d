//! A form post answered by its page rendered again: which form, why it failed, what was
//! typed (never a password or a card number), or what it made (a token shown once).

use crate::model::order::FieldErrors;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostedForm {
    pub form: &'static str,
    pub error: Option<String>,
    /// The email typed into an account form.
    pub email: String,
    /// What was typed into other forms, by field name.
    pub values: BTreeMap<String, String>,
    /// Problems by field name.
    pub field_errors: FieldErrors,
    pub status: u16,
    /// A token just made: its name and the secret, shown this once.
    pub new_token: Option<(String, String)>,
}

impl PostedForm {
    /// `form` refused with `err` (a field error's messages go beside their fields).
    #[cfg(feature = "ssr")]
    pub fn refused(form: &'static str, err: &crate::error::ShopError) -> Self {
        let field_errors = match err {
            crate::error::ShopError::InvalidFields(fields) => fields.clone(),
            _ => FieldErrors::new(),
        };
        Self {
            form,
            error: Some(err.to_string()),
            field_errors,
            status: err.status_code().as_u16(),
            ..Self::default()
        }
    }

    /// A form shown with a product's current details.
    pub fn with_values(fields: &crate::model::admin::ProductFields) -> Self {
        let values = [
            ("name", &fields.name),
            ("description", &fields.description),
            ("price", &fields.price),
            ("category", &fields.category),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
        Self {
            values,
            ..Self::default()
        }
    }

    pub fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    pub fn field_error(&self, name: &str) -> Option<String> {
        self.field_errors.get(name).cloned()
    }
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
    ProductSaved,
    ProductArchived,
    ImageSaved,
    OrderUpdated,
    BackInStockRequested,
    BackInStockStopped,
}

impl Notice {
    const ALL: [Notice; 15] = [
        Self::BackInStockRequested,
        Self::BackInStockStopped,
        Self::OrderUpdated,
        Self::ProductSaved,
        Self::ProductArchived,
        Self::ImageSaved,
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
            Self::ProductSaved => "product-saved",
            Self::ProductArchived => "product-archived",
            Self::ImageSaved => "image-saved",
            Self::OrderUpdated => "order-updated",
            Self::BackInStockRequested => "back-in-stock",
            Self::BackInStockStopped => "back-in-stock-stopped",
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
            Self::ProductSaved => "The product is saved.",
            Self::ProductArchived => "The product is archived: the shop no longer shows it.",
            Self::ImageSaved => "The photo is saved.",
            Self::OrderUpdated => "The order is updated.",
            Self::BackInStockRequested => "We'll email you when it's back in stock.",
            Self::BackInStockStopped => {
                "Done: we will send no more back-in-stock emails to this address."
            }
            Self::CartCapped => {
                "You are signed in, and your carts are combined. Some quantities were lowered to what we have in stock."
            }
        }
    }
}

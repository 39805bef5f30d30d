//! The one error type of the shop. Services return it, server functions carry it to the
//! browser (it is serialisable), and the REST API turns it into a status and `{"error": …}`.

use crate::model::order::{FieldErrors, UnavailableLine};
use leptos::server_fn::error::ServerFnErrorErr;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ShopError {
    /// The input is malformed or out of range (HTTP 400).
    #[error("{0}")]
    Invalid(String),
    /// Some fields of a form or body are wrong (HTTP 400): field path → message for people
    /// (see [`crate::model::order::FieldErrors`]).
    #[error("{}", fields_message(.0))]
    InvalidFields(FieldErrors),
    /// The payment provider declined; the message says why (HTTP 402).
    #[error("{0}")]
    PaymentDeclined(String),
    /// Some cart lines cannot be had at checkout: each product and what is left (HTTP 409).
    #[error("{}", unavailable_message(.0))]
    Unavailable(Vec<UnavailableLine>),
    /// An `Idempotency-Key` came back with a different request (HTTP 422).
    #[error("This Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    /// An earlier request with this `Idempotency-Key` is still waiting for its payment
    /// (HTTP 409, with `Retry-After`).
    #[error("Your order is still being processed. Please wait a moment, then try again.")]
    OrderInProgress,
    /// The product or cart line does not exist (HTTP 404).
    #[error("Not found")]
    NotFound,
    /// The cart line would hold more than the product's stock (HTTP 409).
    #[error("{}", out_of_stock_message(*available))]
    OutOfStock { available: i32 },
    /// The thing asked for is not possible in the record's present state, e.g. cancelling a
    /// shipped order (HTTP 409).
    #[error("{0}")]
    NotAllowedNow(String),
    /// A stock adjustment would take the stock below zero (HTTP 409).
    #[error("The stock cannot go below zero: {stock} in stock")]
    StockWouldGoNegative { stock: i32 },
    /// A new product would take the cart past its number of lines (HTTP 409).
    #[error("A cart can hold at most {max_lines} different products")]
    CartFull { max_lines: u32 },
    /// A cross-site request tried to change a cart (HTTP 403).
    #[error("{0}")]
    Forbidden(String),
    /// The route exists but not for this method (HTTP 405).
    #[error("Method not allowed")]
    MethodNotAllowed,
    /// The request body is not JSON (HTTP 415).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request body is over the size limit (HTTP 413).
    #[error("Request body is too large")]
    PayloadTooLarge,
    /// The client sent too many writes (HTTP 429).
    #[error("Too many requests, please slow down")]
    TooManyRequests,
    /// Too many sign-in or password-reset attempts for an account or from an address
    /// (HTTP 429, with `Retry-After`).
    #[error("{}", attempts_message(*retry_after_secs))]
    TooManyAttempts { retry_after_secs: u64 },
    /// Too many live-stock streams open from one address (HTTP 429).
    #[error("Too many live stock streams are open from your address (at most {max}); close some pages and try again")]
    TooManyStreams { max: u32 },
    /// No valid credentials: a missing, bad or revoked API token (HTTP 401, with
    /// `WWW-Authenticate: Bearer`).
    #[error("{0}")]
    Unauthorized(String),
    /// Something failed on the server; details are logged there, never sent (HTTP 500).
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server function, or could not read its answer.
    #[error("Could not reach the shop: {0}")]
    Transport(String),
}

fn out_of_stock_message(available: i32) -> String {
    match available {
        i32::MIN..=0 => "Sorry, there are no more left in stock".to_string(),
        n => format!("Only {n} left"),
    }
}

fn attempts_message(retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many attempts. Please wait {minutes} {unit} and try again.")
}

fn fields_message(fields: &FieldErrors) -> String {
    match fields.len() {
        1 => fields.values().next().cloned().unwrap_or_default(),
        n => format!("Please correct the {n} fields marked"),
    }
}

fn unavailable_message(lines: &[UnavailableLine]) -> String {
    let each: Vec<String> = lines.iter().map(UnavailableLine::message).collect();
    format!(
        "Some items in your cart are no longer available. {}.",
        each.join(". ")
    )
}

impl ShopError {
    /// Reads a server function's refusal as [`FromServerFnError::ser`] wrote it.
    ///
    /// [`FromServerFnError::ser`]: leptos::server_fn::error::FromServerFnError::ser
    pub fn from_wire(bytes: &[u8]) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct Wire {
            detail: ShopError,
        }
        serde_json::from_slice::<Wire>(bytes)
            .map(|wire| wire.detail)
            .map_err(|err| err.to_string())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }

    /// A short stable name of the kind of error, for metrics and logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid",
            Self::InvalidFields(_) => "invalid_fields",
            Self::PaymentDeclined(_) => "payment_declined",
            Self::Unavailable(_) => "unavailable",
            Self::IdempotencyKeyReused => "idempotency_key_reused",
            Self::OrderInProgress => "order_in_progress",
            Self::NotFound => "not_found",
            Self::OutOfStock { .. } => "out_of_stock",
            Self::CartFull { .. } => "cart_full",
            Self::StockWouldGoNegative { .. } => "stock_would_go_negative",
            Self::NotAllowedNow(_) => "not_allowed_now",
            Self::Forbidden(_) => "forbidden",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::PayloadTooLarge => "payload_too_large",
            Self::TooManyRequests => "too_many_requests",
            Self::TooManyAttempts { .. } => "too_many_attempts",
            Self::TooManyStreams { .. } => "too_many_streams",
            Self::Unauthorized(_) => "unauthorized",
            Self::Internal => "internal",
            Self::Transport(_) => "transport",
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for ShopError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad arguments to a server function are the caller's mistake, like a bad API body
            // (the router gives them a 400). The parser's own words mean nothing to a shopper.
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::Invalid(
                "Sorry, we could not read that request. Please check what you entered and try again."
                    .into(),
            ),
            other => Self::Transport(other.to_string()),
        }
    }

    /// A refusal carries its message for people in `error`, as the REST API's do, beside
    /// the error itself in `detail`: the islands show the message without decoding errors.
    fn ser(&self) -> leptos::server_fn::Bytes {
        #[derive(Serialize)]
        struct Wire<'a> {
            error: String,
            detail: &'a ShopError,
        }
        let wire = Wire {
            error: self.to_string(),
            detail: self,
        };
        serde_json::to_vec(&wire).unwrap_or_default().into()
    }

    fn de(data: leptos::server_fn::Bytes) -> Self {
        Self::from_wire(&data).unwrap_or_else(|err| {
            Self::from_server_fn_error(ServerFnErrorErr::Deserialization(err))
        })
    }
}

/// Seconds a client is asked to wait before retrying an order still in progress.
#[cfg(feature = "ssr")]
const ORDER_IN_PROGRESS_RETRY_SECS: &str = "2";

#[cfg(feature = "ssr")]
mod server_side {
    use super::ShopError;
    use axum::http::StatusCode;

    impl ShopError {
        pub fn status_code(&self) -> StatusCode {
            match self {
                Self::Invalid(_) | Self::InvalidFields(_) => StatusCode::BAD_REQUEST,
                Self::PaymentDeclined(_) => StatusCode::PAYMENT_REQUIRED,
                Self::Unavailable(_) => StatusCode::CONFLICT,
                Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::OutOfStock { .. }
                | Self::CartFull { .. }
                | Self::OrderInProgress
                | Self::StockWouldGoNegative { .. }
                | Self::NotAllowedNow(_) => StatusCode::CONFLICT,
                Self::Forbidden(_) => StatusCode::FORBIDDEN,
                Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
                Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                Self::TooManyRequests
                | Self::TooManyAttempts { .. }
                | Self::TooManyStreams { .. } => StatusCode::TOO_MANY_REQUESTS,
                Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
                Self::Internal | Self::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    impl From<sea_orm::DbErr> for ShopError {
        fn from(err: sea_orm::DbErr) -> Self {
            // The real cause stays in the server log; clients get a generic message.
            tracing::error!(error = %err, "database error");
            Self::Internal
        }
    }

    impl axum::response::IntoResponse for ShopError {
        fn into_response(self) -> axum::response::Response {
            let mut body = serde_json::json!({ "error": self.to_string() });
            match &self {
                Self::InvalidFields(fields) => body["fields"] = serde_json::json!(fields),
                Self::Unavailable(lines) => {
                    body["unavailable"] = lines
                        .iter()
                        .map(|l| {
                            serde_json::json!({
                                "product_id": l.product_id,
                                "available": l.available,
                            })
                        })
                        .collect();
                }
                _ => {}
            }
            let mut response = (self.status_code(), axum::Json(body)).into_response();
            let headers = response.headers_mut();
            use axum::http::{header, HeaderValue};
            match self {
                Self::OrderInProgress => {
                    headers.insert(
                        header::RETRY_AFTER,
                        HeaderValue::from_static(super::ORDER_IN_PROGRESS_RETRY_SECS),
                    );
                }
                Self::TooManyAttempts { retry_after_secs } => {
                    headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                }
                Self::Unauthorized(_) => {
                    headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
                }
                _ => {}
            }
            response
        }
    }

    #[cfg(test)]
    mod tests {
        use super::ShopError;
        use axum::response::IntoResponse;

        #[test]
        fn an_order_in_progress_asks_the_client_to_retry() {
            let response = ShopError::OrderInProgress.into_response();
            assert_eq!(response.status(), 409);
            assert_eq!(response.headers()["retry-after"], "2");
            let other = ShopError::OutOfStock { available: 0 }.into_response();
            assert_eq!(other.status(), 409);
            assert!(other.headers().get("retry-after").is_none());
        }
    }
}

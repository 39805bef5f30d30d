//! Validated request types: handlers take [`ValidJson`] bodies and [`ValidQuery`] query
//! strings of types that derive `Deserialize` (the shape), `garde::Validate` (the values,
//! with the services' own checks and messages) and utoipa's schema (the document). A field's
//! `#[schema]` bounds sit beside its `#[garde]` rule; `tests/api.rs` holds them equal.

use super::json::JsonObject;
use crate::error::ShopError;
use crate::model::MAX_SESSION_ID_LEN;
use crate::server::services::cart;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::RefOr;
use utoipa::{PartialSchema, ToSchema};

/// A JSON object body of type `T`, deserialized and validated (400 with the reason otherwise;
/// 415 and 413 come from [`JsonObject`]).
pub struct ValidJson<T>(pub T);

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + garde::Validate<Context = ()>,
{
    type Rejection = ShopError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonObject(map) = JsonObject::from_request(req, state).await?;
        deserialize_valid(serde_json::Value::Object(map)).map(Self)
    }
}

/// The query string as `T`, deserialized and validated; unknown parameters are ignored.
pub struct ValidQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ValidQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + garde::Validate<Context = ()>,
{
    type Rejection = ShopError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs = url::form_urlencoded::parse(query.as_bytes());
        deserialize_valid(serde_urlencoded::Deserializer::new(pairs)).map(Self)
    }
}

fn deserialize_valid<'de, T, D>(deserializer: D) -> Result<T, ShopError>
where
    T: Deserialize<'de> + garde::Validate<Context = ()>,
    D: Deserializer<'de>,
    D::Error: fmt::Display,
{
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(deserialize_error)?;
    validated(value)
}

/// A value of the wrong type or a missing field: the field's path and serde's reason
/// (`quantity: invalid type: null, expected i64`; `missing field `session_id``).
fn deserialize_error<E: fmt::Display>(error: serde_path_to_error::Error<E>) -> ShopError {
    let path = error.path().to_string();
    match path.as_str() {
        "." | "" => ShopError::invalid(error.into_inner().to_string()),
        _ => ShopError::invalid(format!("{path}: {}", error.into_inner())),
    }
}

/// Every rule's message (each names its field), in field order.
fn validated<T: garde::Validate<Context = ()>>(value: T) -> Result<T, ShopError> {
    value.validate().map_err(|report| {
        let messages: Vec<&str> = report.iter().map(|(_, error)| error.message()).collect();
        ShopError::invalid(messages.join("; "))
    })?;
    Ok(value)
}

/// A service's own check as a garde rule: the API refuses exactly what the service would,
/// with the service's message.
pub fn rule<T: ?Sized, R>(
    check: impl FnOnce(&T) -> Result<R, ShopError>,
) -> impl FnOnce(&T, &()) -> garde::Result {
    move |value, _| {
        check(value)
            .map(drop)
            .map_err(|e| garde::Error::new(e.to_string()))
    }
}

/// A cart's owner (`session_id`): 1 to 255 characters, not only whitespace, no NUL.
#[derive(Debug, Clone, Deserialize, garde::Validate)]
#[serde(transparent)]
#[garde(transparent)]
pub struct SessionId(#[garde(custom(rule(cart::validate_session_id)))] pub String);

/// What [`cart::validate_session_id`] accepts: a character that is neither NUL nor Unicode
/// White_Space (what `str::trim` removes), and no NUL anywhere. The class is spelled out
/// because regex engines disagree on what `\s` means.
const SESSION_ID_PATTERN: &str = "^[^\\u0000]*[^\\u0000\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000]*$";

impl PartialSchema for SessionId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "The cart's owner: 1 to 255 characters, not only whitespace, no NUL",
            ))
            .min_length(Some(1))
            .max_length(Some(MAX_SESSION_ID_LEN))
            .pattern(Some(SESSION_ID_PATTERN))
            .examples(["3f0b6c1e-api-client"])
            .into()
    }
}

impl ToSchema for SessionId {}

/// `product_id`: any JSON integer. One no product can have (beyond 32 bits) is kept as
/// `None`, answered with 404 like any unknown id; a fraction, a string or null is a 400.
#[derive(Debug, Clone, Copy)]
pub struct ProductRef(Option<i32>);

impl ProductRef {
    pub fn id(self) -> Result<i32, ShopError> {
        self.0.ok_or(ShopError::NotFound)
    }
}

impl<'de> Deserialize<'de> for ProductRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Integer;
        impl Visitor<'_> for Integer {
            type Value = ProductRef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E>(self, v: i64) -> Result<ProductRef, E> {
                Ok(ProductRef(i32::try_from(v).ok()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<ProductRef, E> {
                Ok(ProductRef(i32::try_from(v).ok()))
            }
        }
        deserializer.deserialize_any(Integer)
    }
}

impl PartialSchema for ProductRef {
    fn schema() -> RefOr<Schema> {
        // The document promises the i64 range (JSON numbers beyond it are floats here); u64
        // values above it are accepted too, and are 404 like every id beyond 32 bits.
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .description(Some(
                "A product id; one no product has (e.g. beyond 32 bits) is 404",
            ))
            .minimum(Some(i64::MIN as f64))
            .maximum(Some(i64::MAX as f64))
            .into()
    }
}

impl ToSchema for ProductRef {}

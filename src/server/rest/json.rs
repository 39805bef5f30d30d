//! The API's JSON body extractor: refuses what is not a JSON object with the API's own
//! errors (415 for another content type, 413 over the size limit, 400 for broken JSON).
//! Typed bodies go through [`super::request::ValidJson`], which builds on it.

use crate::error::ShopError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};

/// A request body that is a JSON object.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ShopError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Only JSON: a form or text body is what another site's page could post without a
        // CORS preflight, so refusing it protects the carts.
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if mime != "application/json" {
            return Err(ShopError::UnsupportedMediaType(
                "Content-Type must be application/json".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ShopError::PayloadTooLarge
            } else {
                ShopError::invalid("Could not read the request body")
            }
        })?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ShopError::invalid("The request body must be a JSON object")),
            Err(e) => Err(ShopError::invalid(format!("Malformed JSON: {e}"))),
        }
    }
}

impl JsonObject {
    /// `session_id`: a string (the service checks it is not blank nor too long). For checkout,
    /// which reads its body field by field to name every wrong one.
    pub fn session_id(&self) -> Result<String, ShopError> {
        match self.0.get("session_id") {
            Some(Value::String(s)) => Ok(s.clone()),
            None | Some(Value::Null) => Err(ShopError::invalid("session_id is required")),
            Some(_) => Err(ShopError::invalid("session_id must be a string")),
        }
    }
}

//! What every form post of the pages shares: the Origin check, reading the URL-encoded
//! fields, and answering with the page rendered again (see [`render_with`]).

use crate::error::ShopError;
use crate::model::form::PostedForm;
use crate::server::context::same_origin;
use crate::server::page_render::render_with;
use crate::server::AppState;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::de::DeserializeOwned;

/// A posted form, read after the Origin check. Every field defaults to empty, so a partial
/// post is answered like a form with blanks.
pub struct Posted<T> {
    pub parts: Parts,
    pub fields: T,
}

pub async fn read<T: DeserializeOwned + Default>(
    state: &AppState,
    request: Request,
) -> Result<Posted<T>, Response> {
    let (parts, body) = request.into_parts();
    if let Err(err) = same_origin(&parts.headers, &state.config.public_url) {
        return Err(err.into_response());
    }
    let form = Form::<T>::from_request(Request::from_parts(parts.clone(), body), state).await;
    match form {
        Ok(Form(fields)) => Ok(Posted { parts, fields }),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            Err(ShopError::PayloadTooLarge.into_response())
        }
        Err(_) => Err(ShopError::invalid("The form could not be read").into_response()),
    }
}

/// The redirect after a post that worked: to `path`, saying `notice` there.
pub fn done(path: &str, notice: crate::model::form::Notice) -> Response {
    axum::response::Redirect::to(&format!("{path}?done={}", notice.code())).into_response()
}

/// The page at `path`, rendered for this post's browser with `shown` (its status too).
pub async fn show_again(state: AppState, parts: Parts, path: &str, shown: PostedForm) -> Response {
    let mut parts = parts;
    parts.method = Method::GET;
    if let Ok(uri) = path.parse() {
        parts.uri = uri;
    }
    render_with(state, Request::from_parts(parts, Body::empty()), shown).await
}

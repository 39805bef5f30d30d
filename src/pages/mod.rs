//! One module per route.

pub mod account;
pub mod admin;
pub mod back_in_stock;
pub mod cart;
pub mod category;
pub mod checkout;
pub mod home;
pub mod not_found;
pub mod order;
pub mod product;
pub mod search;

use crate::model::form::PostedForm;
use leptos::prelude::*;

/// The outcome of `form` when the server rendered this page in answer to it (its status
/// becomes the page's).
pub(crate) fn posted(form: &str) -> Option<PostedForm> {
    let shown = use_context::<PostedForm>().filter(|shown| shown.form == form)?;
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(shown.status),
    ) {
        response.set_status(status);
    }
    Some(shown)
}

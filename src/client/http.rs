//! Requests as the browser makes them, and their answers read by the browser.

use leptos::wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::js_sys::{Array, Reflect};
use web_sys::{Document, DomParser, FormData, HtmlFormElement, RequestInit, Response};
use web_sys::{SupportedType, UrlSearchParams};

/// Media types an island asks for.
pub const HTML: &str = "text/html";
pub const JSON: &str = "application/json";

/// Posts `form` as submitting it would (its action, its fields URL-encoded), asking for
/// `accept`. `None` when the server could not be reached.
pub async fn post_form(form: &HtmlFormElement, accept: &str) -> Option<Response> {
    let fields = FormData::new_with_form(form).ok()?;
    let body = UrlSearchParams::new_with_str_sequence_sequence(&fields).ok()?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&body);
    fetch(&form.action(), &init, accept).await
}

/// Posts `form` like [`post_form`]; a server out of reach or a refusal is the message to
/// show.
pub async fn post_form_for(form: &HtmlFormElement, accept: &str) -> Result<Response, String> {
    let response = post_form(form, accept)
        .await
        .ok_or_else(|| UNREADABLE.to_owned())?;
    if !response.ok() {
        return Err(error_message(&response).await);
    }
    Ok(response)
}

/// GETs `url`, asking for `accept`.
pub async fn get(url: &str, accept: &str) -> Option<Response> {
    fetch(url, &RequestInit::new(), accept).await
}

async fn fetch(url: &str, init: &RequestInit, accept: &str) -> Option<Response> {
    let headers = web_sys::Headers::new().ok()?;
    headers.set("Accept", accept).ok()?;
    init.set_headers(&headers);
    let answer = JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(url, init));
    answer.await.ok()?.dyn_into().ok()
}

/// The answer's body parsed as JSON by the browser.
pub async fn json(response: &Response) -> Option<JsValue> {
    JsFuture::from(response.json().ok()?).await.ok()
}

/// The answer's body parsed as an HTML document by the browser.
pub async fn html(response: &Response) -> Option<Document> {
    let text = JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()?;
    DomParser::new()
        .ok()?
        .parse_from_string(&text, SupportedType::TextHtml)
        .ok()
}

/// `value[name]`, when `value` is an object that has it.
pub fn field(value: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(value, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

pub fn number_field(value: &JsValue, name: &str) -> Option<f64> {
    field(value, name)?.as_f64()
}

pub fn text_field(value: &JsValue, name: &str) -> Option<String> {
    field(value, name)?.as_string()
}

/// The items of `value[name]`, when it is an array.
pub fn list_field(value: &JsValue, name: &str) -> Vec<JsValue> {
    field(value, name)
        .filter(Array::is_array)
        .map(|list| Array::from(&list).iter().collect())
        .unwrap_or_default()
}

/// The message of a refusal: every error the shop sends carries one in `error`.
pub async fn error_message(response: &Response) -> String {
    let body = json(response).await;
    body.and_then(|b| text_field(&b, "error"))
        .unwrap_or_else(|| UNREADABLE.to_owned())
}

/// Shown when the server could not be reached or its answer could not be read.
pub const UNREADABLE: &str =
    "Could not reach the shop. Please check your connection and try again.";

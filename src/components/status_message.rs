//! The outcome of a form, announced to screen readers: success politely (`role=status`),
//! failure as an alert. The server renders it (a refusal after a post without JavaScript);
//! an island rewrites it in place after acting ([`show`]), inside the same live region.

use leptos::prelude::*;

/// The class of the live region an island writes its outcome into.
pub const AREA_CLASS: &str = "status-area";

#[component]
pub fn StatusMessage(outcome: Option<Result<String, String>>) -> impl IntoView {
    let message = outcome.map(|outcome| {
        let (class, role, text) = parts(&outcome);
        view! { <p class=class role=role data-testid="status">{text.to_owned()}</p> }
    });
    view! { <div class=AREA_CLASS aria-live="polite">{message}</div> }
}

/// Class, role and text of an outcome's message: one definition for both renderings.
fn parts(outcome: &Result<String, String>) -> (&'static str, &'static str, &str) {
    match outcome {
        Ok(text) => ("status status-ok", "status", text),
        Err(text) => ("status status-error", "alert", text),
    }
}

/// Writes `outcome` into the live region `area` (in the browser).
pub fn show(area: &web_sys::Element, outcome: &Result<String, String>) {
    let (class, role, text) = parts(outcome);
    let Ok(message) = document().create_element("p") else {
        return;
    };
    message.set_class_name(class);
    let _ = message.set_attribute("role", role);
    let _ = message.set_attribute("data-testid", "status");
    message.set_text_content(Some(text));
    area.replace_children_with_node_1(&message);
}

/// The live region inside `root`.
pub fn area_in(root: &web_sys::Element) -> Option<web_sys::Element> {
    root.query_selector(&format!(".{AREA_CLASS}"))
        .ok()
        .flatten()
}

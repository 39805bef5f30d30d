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

/// Runs a form's submit in place: the form stays on the page, its buttons are busy while
/// `act` runs, and the outcome `act` returns is written into the status area of the island
/// (`ev`'s current target) the form is in.
pub fn submit_in_place<F, Fut>(ev: leptos::ev::SubmitEvent, act: F)
where
    F: FnOnce(web_sys::HtmlFormElement) -> Fut + 'static,
    Fut: std::future::Future<Output = Result<String, String>> + 'static,
{
    use leptos::wasm_bindgen::JsCast;
    let Some(form) = crate::client::dom::event_form(&ev) else {
        return;
    };
    let Some(area) = ev
        .current_target()
        .and_then(|root| root.dyn_into::<web_sys::Element>().ok())
        .and_then(|root| area_in(&root))
    else {
        return;
    };
    ev.prevent_default();
    leptos::task::spawn_local(async move {
        crate::client::dom::set_busy(&form, true);
        let outcome = act(form.clone()).await;
        crate::client::dom::set_busy(&form, false);
        show(&area, &outcome);
    });
}

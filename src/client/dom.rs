//! Small DOM chores the islands share.

use leptos::prelude::document;
use leptos::wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, Event, HtmlElement, HtmlFormElement, NodeList};

/// The form an event (a submit) came from.
pub fn event_form(ev: &Event) -> Option<HtmlFormElement> {
    ev.target()?.dyn_into().ok()
}

/// The element an event (a click) happened on, or its nearest ancestor matching `selector`.
pub fn event_closest(ev: &Event, selector: &str) -> Option<Element> {
    let target: Element = ev.target()?.dyn_into().ok()?;
    target.closest(selector).ok().flatten()
}

/// The value of a form's field, as it would be posted.
pub fn form_value(form: &HtmlFormElement, name: &str) -> Option<String> {
    web_sys::FormData::new_with_form(form)
        .ok()?
        .get(name)
        .as_string()
}

/// Marks a form's submit buttons busy (and disabled, against a second submit) while its
/// request runs.
pub fn set_busy(form: &HtmlFormElement, busy: bool) {
    for button in elements(form.query_selector_all("button[type=submit]")) {
        let _ = button.set_attribute("aria-busy", if busy { "true" } else { "false" });
        set_flag(&button, "disabled", busy);
    }
}

/// The elements a `querySelectorAll` found.
pub fn elements(found: Result<NodeList, JsValue>) -> Vec<Element> {
    let Ok(found) = found else {
        return Vec::new();
    };
    (0..found.length())
        .filter_map(|i| found.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Sets or removes a boolean attribute (`hidden`, `disabled`).
pub fn set_flag(el: &Element, name: &str, on: bool) {
    let _ = if on {
        el.set_attribute(name, "")
    } else {
        el.remove_attribute(name)
    };
}

/// The element with `id` in `doc` (the page, or one fetched).
pub fn by_id(doc: &Document, id: &str) -> Option<Element> {
    doc.get_element_by_id(id)
}

/// The text of the first element matching `selector` in `doc`.
pub fn text_of(doc: &Document, selector: &str) -> Option<String> {
    doc.query_selector(selector).ok()??.text_content()
}

/// The text of the first element matching `selector` inside `root`.
pub fn text_in(root: &Element, selector: &str) -> Option<String> {
    root.query_selector(selector).ok()??.text_content()
}

/// Gives the focus to the element with `id` on the page, else to `fallback`.
pub fn restore_focus(id: Option<String>, fallback: &str) {
    let page = document();
    let target = id
        .and_then(|id| page.get_element_by_id(&id))
        .or_else(|| page.get_element_by_id(fallback))
        .and_then(|el| el.dyn_into::<HtmlElement>().ok());
    if let Some(el) = target {
        let _ = el.focus();
    }
}

/// The id of the focused element, if it has one.
pub fn focused_id() -> Option<String> {
    document()
        .active_element()
        .map(|el| el.id())
        .filter(|id| !id.is_empty())
}

/// A new `<tag>` with `attributes`, for an island to fill and insert.
pub fn element(tag: &str, attributes: &[(&str, &str)]) -> Option<Element> {
    let el = document().create_element(tag).ok()?;
    for (name, value) in attributes {
        el.set_attribute(name, value).ok()?;
    }
    Some(el)
}

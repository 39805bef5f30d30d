//! A form's labelled input with its hint and error, tied to it for screen readers.

use leptos::prelude::*;

/// A labelled text input; when it has an error, the message sits under it and is tied to it.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    value: String,
    error: Option<String>,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] optional: bool,
    #[prop(optional)] numeric: bool,
) -> impl IntoView {
    let invalid = error.is_some();
    let described_by = describe(name, optional, invalid);
    view! {
        <div class="field" class:field-invalid=invalid>
            <label for=name>{label}</label>
            {optional.then(|| view! { <span class="field-hint" id=format!("{name}-hint")>"Optional"</span> })}
            <input
                id=name
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                inputmode=numeric.then_some("numeric")
                required=!optional
                aria-invalid=invalid.then_some("true")
                aria-describedby=described_by
            />
            <FieldError name error/>
        </div>
    }
}

#[component]
pub fn FieldError(name: &'static str, error: Option<String>) -> impl IntoView {
    error.map(|message| view! { <p class="field-error" id=format!("{name}-error")>{message}</p> })
}

/// The ids that describe an input: its hint and its error, when it has them.
pub fn describe(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [(hint, "hint"), (error, "error")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, what)| format!("{name}-{what}"))
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A form's refusal, tied to the form for screen readers.
#[component]
pub fn FormError(error: Option<String>) -> impl IntoView {
    error.map(|message| {
        view! { <p class="status status-error" role="alert" data-testid="form-error">{message}</p> }
    })
}

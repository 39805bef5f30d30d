use leptos::prelude::*;

/// A form's submit button that is busy (and disabled, against double submits) while its
/// action runs.
#[component]
pub fn SubmitButton(
    #[prop(into)] pending: Signal<bool>,
    class: &'static str,
    #[prop(optional, into)] disabled: Signal<bool>,
    children: Children,
) -> impl IntoView {
    view! {
        <button
            type="submit"
            class=class
            disabled=move || disabled.get() || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            {children()}
        </button>
    }
}

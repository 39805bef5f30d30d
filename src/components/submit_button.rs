use leptos::prelude::*;

/// A form's submit button. An island marks it busy (and disabled, against a second submit)
/// while its request runs ([`crate::client::dom::set_busy`]).
#[component]
pub fn SubmitButton(
    class: &'static str,
    #[prop(optional)] disabled: bool,
    #[prop(optional)] id: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <button type="submit" id=id class=class disabled=disabled aria-busy="false">
            {children()}
        </button>
    }
}

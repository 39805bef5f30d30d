use crate::error::ShopError;
use leptos::either::EitherOf3;
use leptos::prelude::*;

/// The outcome of a cart action, announced to screen readers: success politely, failure
/// as an alert.
#[component]
pub fn StatusMessage(
    #[prop(into)] outcome: Signal<Option<Result<String, ShopError>>>,
) -> impl IntoView {
    view! {
        <div class="status-area" aria-live="polite">
            {move || match outcome.get() {
                Some(Ok(message)) => {
                    EitherOf3::A(view! { <p class="status status-ok" role="status" data-testid="status">{message}</p> })
                }
                Some(Err(err)) => {
                    EitherOf3::B(view! { <p class="status status-error" role="alert" data-testid="status">{err.to_string()}</p> })
                }
                None => EitherOf3::C(()),
            }}
        </div>
    }
}

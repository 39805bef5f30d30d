use leptos::prelude::*;
use leptos_meta::Title;

/// The 404 page; on the server it also sets the HTTP status to 404.
#[component]
pub fn NotFound(#[prop(optional, into)] message: Option<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found"/>
        <section class="not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>{message.unwrap_or_else(|| "We couldn't find the page you were looking for.".into())}</p>
            <a class="button" href="/">"Back to the shop"</a>
        </section>
    }
}

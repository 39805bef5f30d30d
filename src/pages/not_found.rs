use crate::components::seo::PageMeta;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The 404 page; on the server it also sets the HTTP status to 404.
#[component]
pub fn NotFound(#[prop(optional, into)] message: Option<String>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    // The path asked for, which has nothing to index: a search engine drops it on the 404
    // status, and `noindex` says the same to anything that ignores the status.
    let path = use_location().pathname.get_untracked();
    view! {
        <PageMeta
            title="Page not found"
            description="We couldn't find the page you were looking for."
            canonical=path
            noindex=true
        />
        <section class="not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>{message.unwrap_or_else(|| "We couldn't find the page you were looking for.".into())}</p>
            <a class="button" href="/">"Back to the shop"</a>
        </section>
    }
}

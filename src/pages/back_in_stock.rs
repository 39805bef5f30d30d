//! `/back-in-stock/unsubscribe?token=…`, where a back-in-stock email's link leads: one button
//! cancels every request still waiting for that address. A GET changes nothing (mail
//! scanners follow links); the button posts.

use crate::components::form_field::FormError;
use crate::components::seo::PageMeta;
use crate::model::stock::UNSUBSCRIBE_PATH;
use crate::pages::posted;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UnsubscribePage() -> impl IntoView {
    let shown = posted("unsubscribe").unwrap_or_default();
    let (token, done) = use_query_map().with_untracked(|q| (q.get("token"), q.get("done")));
    let token = token.unwrap_or_default();
    view! {
        <PageMeta
            title="Back-in-stock emails"
            description="Stop back-in-stock emails from Harbor & Pine."
            canonical=UNSUBSCRIBE_PATH
            noindex=true
        />
        <h1 class="page-title">"Back-in-stock emails"</h1>
        <FormError error=shown.error/>
        {if done.is_some() {
            None
        } else {
            Some(view! {
                <p>"Stop every back-in-stock email we would still send to your address?"</p>
                <form class="account-form" method="post" action=UNSUBSCRIBE_PATH>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="button button-primary">"Unsubscribe"</button>
                </form>
            })
        }}
        <p><a href="/">"Continue shopping"</a></p>
    }
}

//! `/account/login`: **Email**, **Password**, **Sign in**, and "Forgot password?".

use crate::components::form_field::{Field, FormError};
use crate::components::seo::PageMeta;
use crate::model::account::paths;
use crate::pages::posted;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let shown = posted("login").unwrap_or_default();
    // Where to go once signed in (the form handler only follows this shop's paths).
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .unwrap_or_default();
    view! {
        <PageMeta title="Sign in" description="Sign in to your Harbor & Pine account." canonical=paths::LOGIN noindex=true/>
        <h1 class="page-title">"Sign in"</h1>
        <FormError error=shown.error/>
        <form class="account-form" method="post" action=paths::LOGIN>
            <input type="hidden" name="next" value=next/>
            <Field name="email" label="Email" value=shown.email error=None kind="email" autocomplete="email"/>
            <Field name="password" label="Password" value=String::new() error=None kind="password" autocomplete="current-password"/>
            <button type="submit" class="button button-primary">"Sign in"</button>
        </form>
        <p><a href=paths::FORGOT>"Forgot password?"</a></p>
        <p>"New here? " <a href=paths::REGISTER>"Create an account"</a></p>
    }
}

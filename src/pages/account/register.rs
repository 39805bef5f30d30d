//! `/account/register`: **Email**, **Password**, **Create account**.

use crate::components::form_field::{Field, FormError};
use crate::components::seo::PageMeta;
use crate::model::account::paths;
use crate::pages::posted;
use leptos::prelude::*;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let shown = posted("register").unwrap_or_default();
    view! {
        <PageMeta title="Create an account" description="Create your Harbor & Pine account." canonical=paths::REGISTER noindex=true/>
        <h1 class="page-title">"Create an account"</h1>
        <FormError error=shown.error/>
        <form class="account-form" method="post" action=paths::REGISTER>
            <Field name="email" label="Email" value=shown.email error=None kind="email" autocomplete="email"/>
            <Field name="password" label="Password" value=String::new() error=None kind="password" autocomplete="new-password"/>
            <p class="field-hint">"At least 10 characters; not one of the most common passwords."</p>
            <button type="submit" class="button button-primary">"Create account"</button>
        </form>
        <p>"Already have an account? " <a href=paths::LOGIN>"Sign in"</a></p>
    }
}

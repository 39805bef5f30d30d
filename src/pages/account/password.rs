//! "Forgot password?" (`/account/password/forgot`: an email gets a link) and the link's
//! page (`/account/password/reset?token=…`: a new password).

use crate::components::form_field::{Field, FormError};
use crate::components::seo::PageMeta;
use crate::model::account::paths;
use crate::pages::posted;
use crate::server_fns::reset_link_usable;
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let shown = posted("forgot").unwrap_or_default();
    view! {
        <PageMeta title="Forgot password" description="Reset your Harbor & Pine password." canonical=paths::FORGOT noindex=true/>
        <h1 class="page-title">"Forgot password?"</h1>
        <p>"Enter your account’s email: we will send it a link to choose a new password."</p>
        <FormError error=shown.error/>
        <form class="account-form" method="post" action=paths::FORGOT>
            <Field name="email" label="Email" value=shown.email error=None kind="email" autocomplete="email"/>
            <button type="submit" class="button button-primary">"Send reset link"</button>
        </form>
        <p><a href=paths::LOGIN>"Back to sign in"</a></p>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let shown = posted("reset").unwrap_or_default();
    let token = use_query_map()
        .with_untracked(|q| q.get("token"))
        .unwrap_or_default();
    view! {
        <PageMeta title="Choose a new password" description="Choose a new Harbor & Pine password." canonical=paths::RESET noindex=true/>
        <h1 class="page-title">"Choose a new password"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Checking your link…"</p> }>
            {move || {
                let token = token.clone();
                let error = shown.error.clone();
                Suspend::new(async move {
                    if reset_link_usable(token.clone()).await.unwrap_or(false) {
                        Either::Left(view! {
                            <FormError error/>
                            <form class="account-form" method="post" action=paths::RESET>
                                <input type="hidden" name="token" value=token/>
                                <Field name="new_password" label="New password" value=String::new() error=None kind="password" autocomplete="new-password"/>
                                <p class="field-hint">"At least 10 characters. Every device will be signed out."</p>
                                <button type="submit" class="button button-primary">"Set new password"</button>
                            </form>
                        })
                    } else {
                        Either::Right(view! {
                            <p class="status status-error" role="alert" data-testid="form-error">
                                "This reset link has expired or was already used."
                            </p>
                            <p><a href=paths::FORGOT>"Ask for a new link"</a></p>
                        })
                    }
                })
            }}
        </Suspense>
    }
}

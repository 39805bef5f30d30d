//! Accounts for the pages: who is signed in (the navbar), the account page, the reset
//! link's page and checkout's prefill. The account's forms are plain posts (see
//! `server/account_forms.rs`).

use crate::error::ShopError;
use crate::model::account::{AccountOverview, Viewer};
use crate::model::order::ShippingAddress;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// The signed-in customer, or `None` for a guest.
#[server(prefix = "/_fn", endpoint = "account/viewer", input = GetUrl)]
pub async fn get_viewer() -> Result<Option<Viewer>, ShopError> {
    use crate::server::context;
    Ok(context::signed_in()?.map(|user| user.viewer()))
}

/// Orders the account page lists.
pub const ACCOUNT_ORDERS: u64 = 50;

/// What `/account` shows; a guest is sent to the sign-in page instead (and gets `None`).
#[server(prefix = "/_fn", endpoint = "account/overview", input = GetUrl)]
pub async fn get_account_overview() -> Result<Option<AccountOverview>, ShopError> {
    use crate::model::account::{paths, Account, OrderSummary};
    use crate::server::context;
    use crate::server::services::{accounts, api_tokens, orders};
    let Some(user) = context::signed_in()? else {
        leptos_axum::redirect(&format!("{}?next={}", paths::LOGIN, paths::ACCOUNT));
        return Ok(None);
    };
    context::detached(move |state| async move {
        let row = accounts::get(&state.db, user.id)
            .await?
            .ok_or(ShopError::NotFound)?;
        let (_, placed) = orders::customer_orders(&state.db, user.id, 1, ACCOUNT_ORDERS).await?;
        let orders = placed
            .into_iter()
            .map(|o| OrderSummary {
                number: o.number,
                token: o.token,
                status: o.status,
                total: o.total,
                created_at: o.created_at,
            })
            .collect();
        Ok(Some(AccountOverview {
            address: accounts::saved_address(&row),
            account: Account::from(row),
            orders,
            tokens: api_tokens::list(&state.db, user.id).await?,
        }))
    })
    .await
}

/// Whether a reset link still works (the page shows its form or says to ask again).
#[server(prefix = "/_fn", endpoint = "account/reset-link", input = GetUrl)]
pub async fn reset_link_usable(token: String) -> Result<bool, ShopError> {
    use crate::server::{context, services::password_resets};
    context::detached(
        move |state| async move { password_resets::is_usable(&state.db, &token).await },
    )
    .await
}

/// Checkout's prefill for a signed-in customer: their email and saved address.
#[server(prefix = "/_fn", endpoint = "account/prefill", input = GetUrl)]
pub async fn checkout_prefill() -> Result<Option<(String, Option<ShippingAddress>)>, ShopError> {
    use crate::server::{context, services::accounts};
    let Some(user) = context::signed_in()? else {
        return Ok(None);
    };
    context::detached(move |state| async move {
        let row = accounts::get(&state.db, user.id).await?;
        Ok(row.map(|row| (row.email.clone(), accounts::saved_address(&row))))
    })
    .await
}

//! The account's forms, posted to their own pages' paths with or without JavaScript (as
//! checkout's is): sign up, sign in and out, change or reset a password, make and revoke API
//! tokens. Each checks that the post comes from the shop's own pages, then redirects (303)
//! to the page that follows, or renders its page again with what went wrong and its status.
//! Passwords are never echoed, logged or put in a URL.

use crate::error::ShopError;
use crate::model::account::paths;
use crate::model::form::Notice;
use crate::model::form::PostedForm;
use crate::server::auth::{AuthSession, Credentials};
use crate::server::form_post::{done, read, show_again, Posted};
use crate::server::middleware::client_addr::ClientAddr;
use crate::server::services::{accounts, api_tokens, cart, password_resets};
use crate::server::session::{new_session_id, CartCookie, GuestCart};
use crate::server::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_login::AuthnBackend;
use serde::Deserialize;

/// The page at `path` again, showing `err` at `form`.
async fn again(
    state: AppState,
    parts: Parts,
    path: &str,
    form: &'static str,
    email: String,
    err: ShopError,
) -> Response {
    let shown = PostedForm {
        email,
        ..PostedForm::refused(form, &err)
    };
    let mut response = show_again(state, parts, path, shown).await;
    if let ShopError::TooManyAttempts { retry_after_secs } = err {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after_secs.into());
    }
    response
}

fn auth_session(parts: &Parts) -> Result<AuthSession, ShopError> {
    parts
        .extensions
        .get::<AuthSession>()
        .cloned()
        .ok_or_else(|| {
            tracing::error!("auth session missing: is the sign-in layer installed?");
            ShopError::Internal
        })
}

/// The account an attempt names, as a throttle key: a fixed-length hash of the email as
/// sign-in compares it, so a huge or odd email cannot grow the throttle's memory.
fn attempt_key(email: &str) -> String {
    crate::server::services::secret_hash(&crate::model::account::email_key(email))
}

fn client_key(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ClientAddr>()
        .map(|c| c.limit_key().to_string())
        .unwrap_or_default()
}

/// Only a path of this shop may follow a sign-in (`/account`, not `//evil.example`).
fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    ok.then_some(next)
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EmailPassword {
    email: String,
    password: String,
    /// Where to go after signing in (a path of this shop).
    next: String,
}

/// `POST /account/register`: a new email and an already registered one get the same answer.
pub async fn register(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<EmailPassword>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    match accounts::register(&state.db, &fields.email, &fields.password).await {
        Ok(_) => done(paths::LOGIN, Notice::Registered),
        Err(err) => again(state, parts, paths::REGISTER, "register", fields.email, err).await,
    }
}

/// `POST /account/login`: one message for an unknown email and a wrong password. Signing in
/// changes the session id and merges the guest cart into the account's.
pub async fn login(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<EmailPassword>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let email = fields.email.clone();
    match sign_in(&state, &parts, fields).await {
        Ok(response) => response,
        Err(err) => again(state, parts, paths::LOGIN, "login", email, err).await,
    }
}

async fn sign_in(
    state: &AppState,
    parts: &Parts,
    fields: EmailPassword,
) -> Result<Response, ShopError> {
    state
        .sign_in_attempts
        .take(&attempt_key(&fields.email), &client_key(parts))
        .await?;
    let mut auth = auth_session(parts)?;
    let user = auth
        .authenticate(Credentials {
            email: fields.email,
            password: fields.password,
        })
        .await
        .map_err(auth_error)?
        .ok_or_else(|| ShopError::invalid("That email and password do not match an account."))?;
    // A new id even when another account was signed in here (no fixation either way).
    auth.session.cycle_id().await.map_err(session_error)?;
    auth.login(&user).await.map_err(auth_error)?;
    let guest = parts.extensions.get::<GuestCart>().map(|g| g.0.clone());
    let capped = match &guest {
        Some(guest) => {
            cart::merge_carts(
                &state.db,
                guest,
                &user.cart_key,
                state.config.cart_max_lines,
            )
            .await?
        }
        None => Vec::new(),
    };
    let mut response = if capped.is_empty() {
        let next = local_path(&fields.next).unwrap_or(paths::ACCOUNT);
        Redirect::to(next).into_response()
    } else {
        done("/cart", Notice::CartCapped)
    };
    rotate_guest_cart(state, &mut response);
    Ok(response)
}

/// A new guest cart id for the browser: the old one's lines now belong to the account.
fn rotate_guest_cart(state: &AppState, response: &mut Response) {
    if let Some(cookie) = CartCookie::new(state.config.is_https()).set(&new_session_id()) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
}

fn auth_error(err: axum_login::Error<crate::server::auth::Accounts>) -> ShopError {
    match err {
        axum_login::Error::Backend(err) => err,
        axum_login::Error::Session(err) => session_error(err),
    }
}

fn session_error(err: tower_sessions::session::Error) -> ShopError {
    tracing::error!(error = %err, "session store failed");
    ShopError::Internal
}

/// `POST /account/logout`: ends the session (its row and cookie) and starts a new guest cart.
pub async fn logout(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, .. } = match read::<Blank>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let mut auth = match auth_session(&parts) {
        Ok(auth) => auth,
        Err(err) => return err.into_response(),
    };
    if let Err(err) = auth.logout().await {
        return auth_error(err).into_response();
    }
    let mut response = done("/", Notice::SignedOut);
    rotate_guest_cart(&state, &mut response);
    response
}

#[derive(Default, Deserialize)]
pub struct Blank {}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

/// `POST /account/password`: a signed-in customer changes their password. Every other
/// session of the account ends; this one is signed in again with the new password.
pub async fn change_password(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<PasswordChange>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let changed = async {
        let mut auth = auth_session(&parts)?;
        let Some(user) = auth.user.clone() else {
            return Ok(sign_in_first());
        };
        state
            .sign_in_attempts
            .take(&attempt_key(&user.email), &client_key(&parts))
            .await?;
        accounts::change_password(
            &state.db,
            user.id,
            &fields.current_password,
            &fields.new_password,
        )
        .await?;
        let user = auth
            .backend
            .get_user(&user.id)
            .await?
            .ok_or(ShopError::NotFound)?;
        auth.session.cycle_id().await.map_err(session_error)?;
        auth.login(&user).await.map_err(auth_error)?;
        Ok(done(paths::ACCOUNT, Notice::PasswordChanged))
    }
    .await;
    match changed {
        Ok(response) => response,
        Err(err) => again(state, parts, paths::ACCOUNT, "password", String::new(), err).await,
    }
}

fn sign_in_first() -> Response {
    Redirect::to(&format!("{}?next={}", paths::LOGIN, paths::ACCOUNT)).into_response()
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct EmailOnly {
    email: String,
}

/// `POST /account/password/forgot`: the same answer whether the email has an account or not.
pub async fn forgot(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<EmailOnly>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let sent = async {
        state
            .reset_attempts
            .take(&attempt_key(&fields.email), &client_key(&parts))
            .await?;
        password_resets::request_reset(&state.db, &fields.email, &state.config.public_url).await
    }
    .await;
    match sent {
        Ok(()) => done(paths::FORGOT, Notice::ResetSent),
        Err(err) => again(state, parts, paths::FORGOT, "forgot", fields.email, err).await,
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct NewPassword {
    token: String,
    new_password: String,
}

/// `POST /account/password/reset`: a link's new password. The session (if any) ends too.
pub async fn reset(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<NewPassword>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let reset = async {
        state.reset_attempts.take_from(&client_key(&parts)).await?;
        password_resets::reset_password(&state.db, &fields.token, &fields.new_password).await?;
        let mut auth = auth_session(&parts)?;
        if auth.user.is_some() {
            auth.logout().await.map_err(auth_error)?;
        }
        Ok::<_, ShopError>(done(paths::LOGIN, Notice::PasswordReset))
    }
    .await;
    match reset {
        Ok(response) => response,
        Err(err) => {
            let path = format!("{}?token={}", paths::RESET, url_token(&fields.token));
            again(state, parts, &path, "reset", String::new(), err).await
        }
    }
}

/// The token as it may appear in the page's URL again: hex digits only.
fn url_token(token: &str) -> String {
    token
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(64)
        .collect()
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct TokenName {
    name: String,
}

/// `POST /account/tokens`: makes a token and shows it this once (201, never cached).
pub async fn create_token(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<TokenName>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let Some(user) = parts
        .extensions
        .get::<AuthSession>()
        .and_then(|a| a.user.clone())
    else {
        return sign_in_first();
    };
    match api_tokens::create(&state.db, user.id, &fields.name).await {
        Ok(made) => {
            let shown = PostedForm {
                form: "token",
                status: 201,
                new_token: Some((made.token.name, made.secret)),
                ..PostedForm::default()
            };
            show_again(state, parts, paths::ACCOUNT, shown).await
        }
        Err(err) => again(state, parts, paths::ACCOUNT, "token", String::new(), err).await,
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct TokenId {
    id: String,
}

/// `POST /account/tokens/revoke`: revokes one of the customer's own tokens.
pub async fn revoke_token(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<TokenId>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let Some(user) = parts
        .extensions
        .get::<AuthSession>()
        .and_then(|a| a.user.clone())
    else {
        return sign_in_first();
    };
    let id = fields
        .id
        .trim()
        .parse::<i32>()
        .map_err(|_| ShopError::NotFound);
    match async { api_tokens::revoke(&state.db, user.id, id?).await }.await {
        Ok(()) => done(paths::ACCOUNT, Notice::TokenRevoked),
        Err(err) => again(state, parts, paths::ACCOUNT, "token", String::new(), err).await,
    }
}

//! Signing in: axum-login over tower-sessions, with the sessions in the database
//! ([`DbSessionStore`]). axum-login cycles the session id at sign-in, ends the session at
//! sign-out, loads the account on every request, and ends every session whose sign-in was
//! made with a password the account no longer has (the session keeps the password hash's
//! fingerprint, compared in constant time).

use crate::error::ShopError;
use crate::model::account::Viewer;
use crate::server::entities::account;
use crate::server::services::accounts;
use crate::server::session_store::DbSessionStore;
use crate::server::AppState;
use axum_login::{AuthManagerLayer, AuthManagerLayerBuilder, AuthUser, AuthnBackend};
use sea_orm::DatabaseConnection;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The sign-in cookie's name (with `__Host-` in front over https).
const AUTH_COOKIE: &str = "shop_auth";

/// What a cookie is called: over https, `__Host-name`, which browsers only accept `Secure`,
/// for `Path=/` and without `Domain` (no subdomain can set or read it).
pub fn cookie_name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// The signed-in customer, as every request loads them.
#[derive(Clone)]
pub struct SignedIn {
    pub id: i32,
    pub email: String,
    pub role: String,
    /// The account's cart (see [`accounts::cart_key`]).
    pub cart_key: String,
    /// SHA-256 of the password hash: what the session keeps to notice a new password
    /// (the session table then holds no password hash).
    auth_hash: Vec<u8>,
}

/// Never prints the password hash.
impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            email: self.email.clone(),
        }
    }

    async fn load(db: &DatabaseConnection, row: account::Model) -> Result<Self, ShopError> {
        let cart_key = accounts::cart_key(db, &row).await?;
        Ok(Self {
            id: row.id,
            email: row.email,
            role: row.role,
            cart_key,
            auth_hash: crate::server::services::secret_hash(&row.password_hash).into_bytes(),
        })
    }
}

impl AuthUser for SignedIn {
    type Id = i32;

    fn id(&self) -> i32 {
        self.id
    }

    /// A new password (a new salted hash) ends every session signed in with the old one.
    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

/// An email and password as typed into the sign-in form.
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The accounts table, as axum-login's backend.
#[derive(Clone)]
pub struct Accounts {
    db: DatabaseConnection,
}

impl AuthnBackend for Accounts {
    type User = SignedIn;
    type Credentials = Credentials;
    type Error = ShopError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<SignedIn>, ShopError> {
        match accounts::authenticate(&self.db, &creds.email, &creds.password).await? {
            Some(row) => Ok(Some(SignedIn::load(&self.db, row).await?)),
            None => Ok(None),
        }
    }

    async fn get_user(&self, id: &i32) -> Result<Option<SignedIn>, ShopError> {
        match accounts::get(&self.db, *id).await? {
            Some(row) => Ok(Some(SignedIn::load(&self.db, row).await?)),
            None => Ok(None),
        }
    }
}

pub type AuthSession = axum_login::AuthSession<Accounts>;

/// The sessions layer and the sign-in layer over it, as the site's pages and forms use them.
pub fn layer(state: &AppState) -> AuthManagerLayer<Accounts, DbSessionStore> {
    let config = &state.config;
    let https = config.is_https();
    let store = DbSessionStore::new(
        state.db.clone(),
        chrono::Duration::days(i64::from(config.session_max_days)),
    );
    let sessions = SessionManagerLayer::new(store)
        .with_name(cookie_name(AUTH_COOKIE, https))
        .with_secure(https)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        // Every request of a signed-in customer pushes the idle expiry forward.
        .with_always_save(true)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(i64::from(
            config.session_idle_hours,
        ))));
    AuthManagerLayerBuilder::new(
        Accounts {
            db: state.db.clone(),
        },
        sessions,
    )
    .build()
}

//! Server functions: how the pages and islands reach the services, one file per domain.
//! They run the same services as the REST API, under the `/_fn` prefix so they can never
//! collide with `/api/…`.

mod account;
mod admin;
mod cart;
mod catalogue;
mod checkout;
mod search;

pub use account::*;
pub use admin::*;
pub use cart::*;
pub use catalogue::*;
pub use checkout::*;
pub use search::*;

/// Server-function URLs live under this prefix, apart from the REST API.
pub const SERVER_FN_PREFIX: &str = "/_fn";

//! SeaORM entities: the tables as the server sees them. Conversions to the shared
//! [`crate::model`] types live in `convert.rs`, beside them, not inside.

pub mod account;
pub mod api_token;
pub mod audit_entry;
pub mod cart_item;
pub mod category;
mod convert;
pub mod money;
pub mod order;
pub mod order_event;
pub mod order_line;
pub mod outbox_email;
pub mod password_reset;
pub mod product;
pub mod session;
pub mod stock_movement;

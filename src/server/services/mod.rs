//! What the shop does, as plain async functions over a database connection. They know
//! nothing of HTTP: the REST handlers, the server functions and the tests all call these.

pub mod cart;
pub mod catalogue;
pub mod catalogue_cache;

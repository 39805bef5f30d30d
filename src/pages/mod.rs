//! One module per route.

pub mod cart;
pub mod home;
pub mod not_found;
pub mod product;

//! Pieces the pages share.

pub mod add_to_cart;
pub mod form_field;
pub mod listing;
pub mod live_listing;
pub mod live_stock;
pub mod navbar;
pub mod notice;
pub mod pagination;
pub mod product_card;
pub mod recently_viewed;
pub mod search_box;
pub mod seo;
pub mod status_message;
pub mod stock_badge;
pub mod submit_button;

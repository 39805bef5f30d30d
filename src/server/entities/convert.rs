//! Entity rows → the shared types the pages and the API speak.

use super::{cart_item, product};
use crate::model::{CartItem, Product};

impl From<product::Model> for Product {
    fn from(m: product::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            price: m.price.0,
            image_url: m.image_url,
            stock: m.stock,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl CartItem {
    pub(crate) fn from_row(item: cart_item::Model, product: product::Model) -> Self {
        let product = Product::from(product);
        Self {
            id: item.id,
            session_id: item.session_id,
            total_price: CartItem::line_total(product.price, item.quantity),
            product,
            quantity: item.quantity,
            created_at: item.created_at,
            updated_at: item.updated_at,
        }
    }
}

//! Entity rows → the shared types the pages and the API speak.

use super::{account, cart_item, category, order, order_line, product};
use crate::error::ShopError;
use crate::model::account::Account;
use crate::model::order::{
    Order, OrderLine, OrderPayment, OrderStatus, PaymentMethod, ShippingAddress, ShippingMethod,
};
use crate::model::{CartItem, Product};

/// A product row with its category (read with `find_also_related`).
impl From<(product::Model, Option<category::Model>)> for Product {
    fn from((m, category): (product::Model, Option<category::Model>)) -> Self {
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            price: m.price.0,
            image_url: m.image_url,
            stock: m.stock,
            category: category.map(|c| c.slug),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl CartItem {
    pub(crate) fn from_row(
        item: cart_item::Model,
        product: product::Model,
        category: Option<category::Model>,
    ) -> Self {
        let product = Product::from((product, category));
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

impl From<order_line::Model> for OrderLine {
    fn from(m: order_line::Model) -> Self {
        Self {
            product_id: m.product_id,
            name: m.product_name,
            unit_price: m.unit_price.0,
            quantity: m.quantity,
            total_price: CartItem::line_total(m.unit_price.0, m.quantity),
        }
    }
}

impl Order {
    /// An order row and its lines. The text columns are held to their values by CHECK
    /// constraints; one that is not is a server fault, logged.
    pub(crate) fn from_rows(
        m: order::Model,
        lines: Vec<order_line::Model>,
    ) -> Result<Self, ShopError> {
        let bad = |column: &str, value: &str| {
            tracing::error!(order = m.id, column, value, "unknown value in an order row");
            ShopError::Internal
        };
        let status = OrderStatus::parse(&m.status).ok_or_else(|| bad("status", &m.status))?;
        let shipping_method = ShippingMethod::parse(&m.shipping_method)
            .ok_or_else(|| bad("shipping_method", &m.shipping_method))?;
        let method = PaymentMethod::parse(&m.payment_method)
            .ok_or_else(|| bad("payment_method", &m.payment_method))?;
        Ok(Self {
            number: m.number,
            token: m.token,
            status,
            tracking_number: m.tracking_number,
            email: m.email,
            shipping_address: ShippingAddress {
                name: m.ship_name,
                line1: m.ship_line1,
                line2: m.ship_line2,
                city: m.ship_city,
                postal_code: m.ship_postal_code,
                country: m.ship_country,
            },
            shipping_method,
            payment: OrderPayment {
                method,
                last4: m.card_last4,
                brand: m.card_brand,
            },
            lines: lines.into_iter().map(OrderLine::from).collect(),
            subtotal: m.subtotal.0,
            shipping_price: m.shipping_price.0,
            total: m.total.0,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

impl From<account::Model> for Account {
    fn from(row: account::Model) -> Self {
        Self {
            id: row.id,
            email: row.email,
            created_at: row.created_at,
        }
    }
}

impl From<super::api_token::Model> for crate::model::account::ApiToken {
    fn from(row: super::api_token::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

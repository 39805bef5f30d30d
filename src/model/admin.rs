//! What the admin's pages show: the dashboard's figures, the product table, a product's
//! stock page.

use crate::model::account::OrderSummary;
use crate::model::inventory::StockMovement;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Orders and their revenue over some time. Revenue counts orders that were paid or placed
/// (not those awaiting payment or cancelled).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Takings {
    pub orders: u64,
    pub revenue: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Day {
    pub date: NaiveDate,
    pub takings: Takings,
}

/// A product with little left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStock {
    pub id: i32,
    pub name: String,
    pub stock: i32,
}

/// Products at or under this stock are listed as low.
pub const LOW_STOCK: i32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub today: Takings,
    pub month: Takings,
    /// The last 30 days, oldest first, today last.
    pub days: Vec<Day>,
    pub low_stock: Vec<LowStock>,
    pub latest: Vec<OrderSummary>,
}

/// A row of the admin's product table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i32,
    pub name: String,
    pub price: Decimal,
    pub stock: i32,
    pub category: Option<String>,
    /// Hidden from the shop.
    pub archived: bool,
}

/// One page of the product table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductTable {
    pub rows: Vec<ProductRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub query: String,
}

/// Rows per page of the admin's tables.
pub const ADMIN_PAGE_SIZE: u64 = 25;

/// A product's stock page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStock {
    pub product: ProductRow,
    /// What the edit form starts from.
    pub fields: ProductFields,
    pub image_url: String,
    /// Oldest first.
    pub history: Vec<StockMovement>,
    pub updated_at: DateTime<Utc>,
}

/// A product as staff write it (create, or edit: every field given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductFields {
    pub name: String,
    pub description: String,
    /// As typed: `19.90`.
    pub price: String,
    /// A category's slug, or empty for none.
    pub category: String,
}

pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DESCRIPTION_CHARS: usize = 5000;
/// The dearest price a product may have (NUMERIC(10,2)).
pub const MAX_PRICE: &str = "99999999.99";

/// A row of the admin's order table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub number: String,
    pub email: String,
    pub status: crate::model::order::OrderStatus,
    pub total: Decimal,
    pub created_at: DateTime<Utc>,
}

/// One page of the order table, with what it was filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderTable {
    pub rows: Vec<OrderRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub status: Option<crate::model::order::OrderStatus>,
    pub query: String,
}

/// A change in an order's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub from: Option<crate::model::order::OrderStatus>,
    pub to: crate::model::order::OrderStatus,
    /// The staff member's email; none when the shop itself made the change.
    pub by: Option<String>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// The admin's order page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDetail {
    pub order: crate::model::order::Order,
    /// The customer's account, when it was placed signed in.
    pub customer: Option<String>,
    pub history: Vec<OrderEvent>,
}

/// What staff can do to an order; which apply follows the order's status rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderAction {
    /// Cash on delivery received.
    MarkPaid,
    Ship,
    MarkDelivered,
    Cancel,
}

impl OrderAction {
    pub const ALL: [OrderAction; 4] = [
        Self::MarkPaid,
        Self::Ship,
        Self::MarkDelivered,
        Self::Cancel,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MarkPaid => "mark_paid",
            Self::Ship => "ship",
            Self::MarkDelivered => "mark_delivered",
            Self::Cancel => "cancel",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::MarkPaid => "Mark paid",
            Self::Ship => "Ship",
            Self::MarkDelivered => "Mark delivered",
            Self::Cancel => "Cancel order",
        }
    }

    /// The status the action moves an order to.
    pub fn target(self) -> crate::model::order::OrderStatus {
        use crate::model::order::OrderStatus;
        match self {
            Self::MarkPaid => OrderStatus::Paid,
            Self::Ship => OrderStatus::Shipped,
            Self::MarkDelivered => OrderStatus::Delivered,
            Self::Cancel => OrderStatus::Cancelled,
        }
    }

    /// The actions an order in `status` allows (staff never act on a pending payment:
    /// checkout or the sweep settle those).
    pub fn allowed(status: crate::model::order::OrderStatus) -> Vec<OrderAction> {
        use crate::model::order::OrderStatus;
        if status == OrderStatus::PendingPayment {
            return Vec::new();
        }
        Self::ALL
            .into_iter()
            .filter(|a| status.can_become(a.target()))
            .collect()
    }
}

/// The longest tracking number.
pub const MAX_TRACKING_CHARS: usize = 100;

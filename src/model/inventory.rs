//! Stock movements: why a product's stock changed. Staff adjust by a delta with one of the
//! adjustment reasons; checkouts and cancellations write their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MovementReason {
    /// The stock a product had when the ledger began (or it was created with).
    Initial,
    /// Goods received.
    Received,
    /// A count corrected.
    Correction,
    /// Damaged goods taken out.
    Damaged,
    /// Sold at checkout.
    Checkout,
    /// Put back when an order was cancelled.
    Cancellation,
}

impl MovementReason {
    pub const ALL: [MovementReason; 6] = [
        Self::Initial,
        Self::Received,
        Self::Correction,
        Self::Damaged,
        Self::Checkout,
        Self::Cancellation,
    ];
    /// What staff may give as the reason of an adjustment.
    pub const ADJUSTMENTS: [MovementReason; 3] = [Self::Received, Self::Correction, Self::Damaged];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Received => "received",
            Self::Correction => "correction",
            Self::Damaged => "damaged",
            Self::Checkout => "checkout",
            Self::Cancellation => "cancellation",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Initial => "Opening stock",
            Self::Received => "Received",
            Self::Correction => "Correction",
            Self::Damaged => "Damaged",
            Self::Checkout => "Sold",
            Self::Cancellation => "Order cancelled",
        }
    }
}

/// One row of a product's stock history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StockMovement {
    pub id: i32,
    pub product_id: i32,
    pub delta: i32,
    pub reason: MovementReason,
    pub order_id: Option<i32>,
    pub created_at: DateTime<Utc>,
}

/// The largest change one adjustment may make, either way.
pub const MAX_ADJUSTMENT: i64 = 1_000_000;

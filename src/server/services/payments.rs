//! Payment providers: the seam where a real gateway plugs in.
//!
//! Checkout reserves the stock and creates the order (`pending_payment`) first, then asks the
//! provider for the order's payment method, outside any database transaction, then records
//! the answer. A provider for a real gateway implements [`PaymentProvider`]:
//!
//! - `authorize` asks for the money (or a promise of it). It may take seconds and may fail
//!   in the network; it must be idempotent per `order_number` (pass it to the gateway as its
//!   idempotency key), so a retry never charges twice.
//! - `Approved` says which status the order takes (`paid` for money taken, `placed` for a
//!   promise such as cash on delivery) and may carry the gateway's reference.
//! - `Declined` carries a sentence for the shopper; the order is cancelled and restocked.
//! - `Err` (the gateway could not be reached) is treated like a decline: the order is
//!   cancelled, and the gateway's own idempotency makes a retry safe.
//! - `void` takes back an approval the shop could not keep (the order was cancelled by the
//!   pending-order sweep while the gateway was answering).
//!
//! The card number reaches the provider and nothing else: it is never stored or logged.

use crate::error::ShopError;
use crate::model::order::{OrderStatus, PaymentMethod};
use rust_decimal::Decimal;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What checkout asks a provider for. Debug is deliberately not derived (card number).
pub struct PaymentRequest<'a> {
    /// The order's human number; unique, so gateways can use it as their idempotency key.
    pub order_number: &'a str,
    pub amount: Decimal,
    /// ISO 4217; the shop sells in US dollars.
    pub currency: &'static str,
    /// The card's digits for card payments; never stored or logged.
    pub card_number: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Approved {
        /// `Paid` or `Placed`.
        status: OrderStatus,
        reference: Option<String>,
    },
    /// Why, for the shopper: "Your card was declined."
    Declined(String),
}

pub trait PaymentProvider: Send + Sync {
    fn authorize<'a>(
        &'a self,
        request: PaymentRequest<'a>,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ShopError>>;

    /// Undoes an approval the shop cannot honour. Providers that take no money do nothing.
    fn void<'a>(
        &'a self,
        _order_number: &'a str,
        _reference: Option<&'a str>,
    ) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    /// Gives back the money of a paid order the shop cancelled. Idempotent per order number,
    /// like `authorize`. Providers that take no money (cash on delivery) have nothing to do.
    fn refund<'a>(
        &'a self,
        _order_number: &'a str,
        _reference: Option<&'a str>,
        _amount: Decimal,
    ) -> BoxFuture<'a, Result<(), ShopError>> {
        Box::pin(async { Ok(()) })
    }
}

/// The local card processor, like a gateway's test mode: every Luhn-valid number approves
/// except the two documented test numbers.
pub struct TestCardProcessor;

pub const DECLINED_CARD: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS_CARD: &str = "4000000000009995";
pub const DECLINED_MESSAGE: &str = "Your card was declined.";
pub const INSUFFICIENT_FUNDS_MESSAGE: &str = "Your card has insufficient funds.";

impl PaymentProvider for TestCardProcessor {
    fn authorize<'a>(
        &'a self,
        request: PaymentRequest<'a>,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ShopError>> {
        Box::pin(async move {
            Ok(match request.card_number {
                Some(DECLINED_CARD) | None => PaymentOutcome::Declined(DECLINED_MESSAGE.into()),
                Some(INSUFFICIENT_FUNDS_CARD) => {
                    PaymentOutcome::Declined(INSUFFICIENT_FUNDS_MESSAGE.into())
                }
                Some(_) => PaymentOutcome::Approved {
                    status: OrderStatus::Paid,
                    reference: Some(format!("test_{}", request.order_number)),
                },
            })
        })
    }
}

/// Cash on delivery: nothing to ask; the order is placed and paid when it arrives.
pub struct CashOnDelivery;

impl PaymentProvider for CashOnDelivery {
    fn authorize<'a>(
        &'a self,
        _request: PaymentRequest<'a>,
    ) -> BoxFuture<'a, Result<PaymentOutcome, ShopError>> {
        Box::pin(async {
            Ok(PaymentOutcome::Approved {
                status: OrderStatus::Placed,
                reference: None,
            })
        })
    }
}

/// The provider for each payment method, chosen once at start-up.
#[derive(Clone)]
pub struct Payments {
    pub card: Arc<dyn PaymentProvider>,
    pub cash_on_delivery: Arc<dyn PaymentProvider>,
}

impl Default for Payments {
    /// The built-in providers: the local test card processor and cash on delivery.
    fn default() -> Self {
        Self {
            card: Arc::new(TestCardProcessor),
            cash_on_delivery: Arc::new(CashOnDelivery),
        }
    }
}

impl Payments {
    pub fn provider(&self, method: PaymentMethod) -> &dyn PaymentProvider {
        match method {
            PaymentMethod::Card => self.card.as_ref(),
            PaymentMethod::CashOnDelivery => self.cash_on_delivery.as_ref(),
        }
    }
}

/// The card's brand from its leading digits (IIN ranges), for receipts; `card` when unknown.
pub fn card_brand(digits: &str) -> &'static str {
    let prefix = |n: usize| digits.get(..n).and_then(|p| p.parse::<u32>().ok());
    match (prefix(1), prefix(2), prefix(3), prefix(4)) {
        (Some(4), ..) => "visa",
        (_, Some(34 | 37), ..) => "amex",
        (_, Some(51..=55), ..) | (.., Some(2221..=2720)) => "mastercard",
        (_, Some(65), ..) | (_, _, Some(644..=649), _) | (.., Some(6011)) => "discover",
        (.., Some(3528..=3589)) => "jcb",
        (_, Some(36 | 38), ..) | (_, _, Some(300..=305), _) => "diners",
        (_, Some(62), ..) => "unionpay",
        _ => "card",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(card: Option<&str>) -> PaymentRequest<'_> {
        PaymentRequest {
            order_number: "HP-10001",
            amount: Decimal::new(1990, 2),
            currency: "USD",
            card_number: card,
        }
    }

    #[tokio::test]
    async fn test_cards_decline_as_documented() {
        let p = TestCardProcessor;
        assert_eq!(
            p.authorize(request(Some(DECLINED_CARD))).await,
            Ok(PaymentOutcome::Declined("Your card was declined.".into()))
        );
        assert_eq!(
            p.authorize(request(Some(INSUFFICIENT_FUNDS_CARD))).await,
            Ok(PaymentOutcome::Declined(
                "Your card has insufficient funds.".into()
            ))
        );
        assert!(matches!(
            p.authorize(request(Some("4242424242424242"))).await,
            Ok(PaymentOutcome::Approved {
                status: OrderStatus::Paid,
                ..
            })
        ));
        assert!(matches!(
            CashOnDelivery.authorize(request(None)).await,
            Ok(PaymentOutcome::Approved {
                status: OrderStatus::Placed,
                reference: None
            })
        ));
    }

    #[test]
    fn brands() {
        assert_eq!(card_brand("4242424242424242"), "visa");
        assert_eq!(card_brand("5555555555554444"), "mastercard");
        assert_eq!(card_brand("2223003122003222"), "mastercard");
        assert_eq!(card_brand("378282246310005"), "amex");
        assert_eq!(card_brand("6011111111111117"), "discover");
        assert_eq!(card_brand("3566002020360505"), "jcb");
        assert_eq!(card_brand("30569309025904"), "diners");
        assert_eq!(card_brand("6200000000000005"), "unionpay");
        assert_eq!(card_brand("9999999999999995"), "card");
    }
}

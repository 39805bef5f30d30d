//! The checkout page's form: its fields as the browser posts them (flat, all text), how they
//! become a [`CheckoutInput`], and what the page shows again after a failed attempt.

use super::order::{
    CheckoutInput, FieldErrors, PaymentChoice, PaymentMethod, ShippingAddress, ShippingMethod,
};
use serde::{Deserialize, Serialize};

/// The checkout form as posted. Every field defaults to empty, so a partial post is a list
/// of field errors rather than a parse failure.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckoutFields {
    pub email: String,
    pub name: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub postal_code: String,
    pub country: String,
    /// `standard` or `express`.
    pub shipping_method: String,
    /// `card` or `cash_on_delivery`.
    pub payment_method: String,
    pub card_number: String,
    /// Made once per rendered form: a double click or a re-post makes one order.
    pub idempotency_key: String,
    /// `on` when a signed-in customer ticks "Save this address".
    pub save_address: String,
}

/// Never shows the card number (it would end up in logs).
impl std::fmt::Debug for CheckoutFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutFields")
            .field("email", &self.email)
            .field("shipping_method", &self.shipping_method)
            .field("payment_method", &self.payment_method)
            .finish_non_exhaustive()
    }
}

impl CheckoutFields {
    /// A new form: United States, standard shipping, card.
    pub fn new(idempotency_key: String) -> Self {
        Self {
            country: "US".into(),
            shipping_method: ShippingMethod::Standard.as_str().into(),
            payment_method: PaymentMethod::Card.as_str().into(),
            idempotency_key,
            ..Self::default()
        }
    }

    /// A signed-in customer's email and saved address.
    pub fn prefill(&mut self, email: String, address: Option<ShippingAddress>) {
        self.email = email;
        if let Some(a) = address {
            self.name = a.name;
            self.line1 = a.line1;
            self.line2 = a.line2;
            self.city = a.city;
            self.postal_code = a.postal_code;
            self.country = a.country;
        }
    }

    pub fn wants_address_saved(&self) -> bool {
        self.save_address == "on"
    }

    pub fn shipping(&self) -> Option<ShippingMethod> {
        ShippingMethod::parse(&self.shipping_method)
    }

    pub fn payment(&self) -> Option<PaymentMethod> {
        PaymentMethod::parse(&self.payment_method)
    }

    /// The order request these fields make; the choices must name a known option.
    pub fn to_input(&self) -> Result<CheckoutInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let shipping = self.shipping();
        if shipping.is_none() {
            errors.insert("shipping_method".into(), "Choose a shipping method".into());
        }
        let payment = match self.payment() {
            Some(PaymentMethod::Card) => Some(PaymentChoice::Card {
                card_number: self.card_number.clone(),
            }),
            Some(PaymentMethod::CashOnDelivery) => Some(PaymentChoice::CashOnDelivery),
            None => {
                errors.insert("payment.method".into(), "Choose how to pay".into());
                None
            }
        };
        match (shipping, payment) {
            (Some(shipping_method), Some(payment)) => Ok(CheckoutInput {
                email: self.email.clone(),
                shipping_address: ShippingAddress {
                    name: self.name.clone(),
                    line1: self.line1.clone(),
                    line2: self.line2.clone(),
                    city: self.city.clone(),
                    postal_code: self.postal_code.clone(),
                    country: self.country.clone(),
                },
                shipping_method,
                payment,
            }),
            _ => Err(errors),
        }
    }
}

/// The form input that shows the error of a field path of [`FieldErrors`].
pub fn input_for_error(path: &str) -> &str {
    match path {
        "payment.method" => "payment_method",
        other => other.rsplit('.').next().unwrap_or(other),
    }
}

/// A failed checkout, shown again: what was typed, the problems by form input name, a
/// sentence for the whole form, and the HTTP status the page answers with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutAttempt {
    pub fields: CheckoutFields,
    /// By form input name (`email`, `city`, `card_number`…).
    pub errors: FieldErrors,
    pub message: String,
    pub status: u16,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_become_an_order_request() {
        let mut fields = CheckoutFields::new("k".into());
        fields.card_number = "4242 4242 4242 4242".into();
        let input = fields.to_input().unwrap();
        assert_eq!(input.shipping_method, ShippingMethod::Standard);
        assert_eq!(input.payment.method(), PaymentMethod::Card);
        assert_eq!(input.shipping_address.country, "US");

        fields.payment_method = "cash_on_delivery".into();
        assert_eq!(
            fields.to_input().unwrap().payment,
            PaymentChoice::CashOnDelivery
        );

        fields.shipping_method = "teleport".into();
        fields.payment_method = String::new();
        let errors = fields.to_input().unwrap_err();
        assert!(errors.contains_key("shipping_method") && errors.contains_key("payment.method"));
    }

    #[test]
    fn error_paths_name_form_inputs() {
        assert_eq!(input_for_error("shipping_address.city"), "city");
        assert_eq!(input_for_error("payment.card_number"), "card_number");
        assert_eq!(input_for_error("payment.method"), "payment_method");
        assert_eq!(input_for_error("email"), "email");
    }

    #[test]
    fn debug_hides_the_card_number() {
        let mut fields = CheckoutFields::new("k".into());
        fields.card_number = "4242424242424242".into();
        assert!(!format!("{fields:?}").contains("4242"));
    }
}

//! Checkout and orders: the types the checkout page, the REST API and the order service share,
//! and the pure rules on them (validation, shipping prices, status transitions).
//! Compiled into the WASM client too, so nothing here touches the server.

use super::money;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest accepted lengths, in characters (the columns are sized to match).
pub const MAX_EMAIL_LEN: usize = 254;
pub const MAX_ADDRESS_FIELD_LEN: usize = 200;
pub const MAX_POSTAL_CODE_LEN: usize = 20;
/// Longest `Idempotency-Key` (the column is VARCHAR(255)).
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Problems with a checkout form, by the path of the field in the REST body
/// (`email`, `shipping_address.city`, `payment.card_number`, …), each a sentence for people.
pub type FieldErrors = BTreeMap<String, String>;

/// Where an order is in its life. Stored and sent as snake_case text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Stock is reserved; the payment provider has not answered yet.
    PendingPayment,
    /// Paid by card.
    Paid,
    /// Cash on delivery: confirmed, to be paid when it arrives.
    Placed,
    Shipped,
    Delivered,
    /// Declined, timed out, or cancelled by the shop; its stock went back on the shelf.
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 6] = [
        Self::PendingPayment,
        Self::Paid,
        Self::Placed,
        Self::Shipped,
        Self::Delivered,
        Self::Cancelled,
    ];

    /// The one rule of the order life cycle: the statuses an order in `self` may move to.
    /// Everything that changes a status (checkout, the sweep, the admin) asks this.
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            PendingPayment => &[Paid, Placed, Cancelled],
            // Cash on delivery: staff mark it paid when the cash is in.
            Placed => &[Paid, Shipped, Cancelled],
            Paid => &[Shipped, Cancelled],
            Shipped => &[Delivered],
            Delivered | Cancelled => &[],
        }
    }

    pub fn can_become(self, next: OrderStatus) -> bool {
        self.next().contains(&next)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Placed => "placed",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// For people: "Pending payment", "Paid", …
    pub fn label(self) -> &'static str {
        match self {
            Self::PendingPayment => "Pending payment",
            Self::Paid => "Paid",
            Self::Placed => "Placed (pay on delivery)",
            Self::Shipped => "Shipped",
            Self::Delivered => "Delivered",
            Self::Cancelled => "Cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShippingMethod {
    Standard,
    Express,
}

impl ShippingMethod {
    pub const ALL: [ShippingMethod; 2] = [Self::Standard, Self::Express];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Express => "express",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The radio's accessible name starts with this.
    pub fn label(self) -> &'static str {
        match self {
            Self::Standard => "Standard",
            Self::Express => "Express",
        }
    }

    /// Standard is free from this subtotal up.
    pub fn free_standard_from() -> Decimal {
        Decimal::new(7500, 2)
    }

    /// What shipping costs for an order of `subtotal`.
    pub fn price(self, subtotal: Decimal) -> Decimal {
        match self {
            Self::Standard if subtotal >= Self::free_standard_from() => Decimal::new(0, 2),
            Self::Standard => Decimal::new(490, 2),
            Self::Express => Decimal::new(1490, 2),
        }
    }
}

/// Countries the shop ships to: ISO 3166-1 alpha-2 code and English name. The first is the
/// form's default.
pub const SUPPORTED_COUNTRIES: &[(&str, &str)] = &[
    ("US", "United States"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BR", "Brazil"),
    ("CA", "Canada"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HK", "Hong Kong"),
    ("IS", "Iceland"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LU", "Luxembourg"),
    ("MX", "Mexico"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("SG", "Singapore"),
    ("KR", "South Korea"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("GB", "United Kingdom"),
];

/// The English name of a supported country code.
pub fn country_name(code: &str) -> Option<&'static str> {
    SUPPORTED_COUNTRIES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, name)| *name)
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ShippingAddress {
    /// Full name, 1 to 200 characters.
    pub name: String,
    /// 1 to 200 characters.
    pub line1: String,
    /// Optional: empty, or up to 200 characters.
    #[serde(default)]
    pub line2: String,
    /// 1 to 200 characters.
    pub city: String,
    /// 1 to 20 characters: letters, digits, spaces and hyphens.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2 code of a supported country, e.g. `US`.
    #[cfg_attr(feature = "ssr", schema(example = "US"))]
    pub country: String,
}

/// How an order is paid, without any card details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Card,
    CashOnDelivery,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::CashOnDelivery => "cash_on_delivery",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Card, Self::CashOnDelivery]
            .into_iter()
            .find(|m| m.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Card => "Card",
            Self::CashOnDelivery => "Cash on delivery",
        }
    }
}

/// The shopper's payment choice as posted. Debug never shows a card number.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum PaymentChoice {
    /// A card: 12 to 19 digits, spaces allowed, passing the Luhn check.
    Card {
        #[cfg_attr(feature = "ssr", schema(example = "4242 4242 4242 4242"))]
        card_number: String,
    },
    CashOnDelivery,
}

impl std::fmt::Debug for PaymentChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Card { card_number } => write!(
                f,
                "Card {{ card_number: \"…{}\" }}",
                last4(&card_digits(card_number))
            ),
            Self::CashOnDelivery => f.write_str("CashOnDelivery"),
        }
    }
}

impl PaymentChoice {
    pub fn method(&self) -> PaymentMethod {
        match self {
            Self::Card { .. } => PaymentMethod::Card,
            Self::CashOnDelivery => PaymentMethod::CashOnDelivery,
        }
    }
}

/// A card number's digits, without the spaces people type.
pub fn card_digits(card_number: &str) -> String {
    card_number.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The last four characters (all of them when shorter).
pub fn last4(digits: &str) -> String {
    let skip = digits.chars().count().saturating_sub(4);
    digits.chars().skip(skip).collect()
}

/// The Luhn checksum every card number carries.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// What the checkout form (or `POST /api/orders/` minus `session_id`) asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckoutInput {
    /// An email address, at most 254 characters.
    #[cfg_attr(feature = "ssr", schema(example = "ada@example.com"))]
    pub email: String,
    pub shipping_address: ShippingAddress,
    pub shipping_method: ShippingMethod,
    pub payment: PaymentChoice,
}

impl CheckoutInput {
    /// Every problem at once, keyed by field path; `Ok` when the order can be attempted.
    /// Leading and trailing spaces do not count (the order stores the trimmed values).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut fail = |key: &str, message: String| {
            errors.entry(key.to_owned()).or_insert(message);
        };
        let email = self.email.trim();
        if email.chars().count() > MAX_EMAIL_LEN {
            fail(
                "email",
                format!("Email must be at most {MAX_EMAIL_LEN} characters"),
            );
        } else if !looks_like_email(email) {
            fail(
                "email",
                "Enter an email address like name@example.com".to_owned(),
            );
        }
        let a = &self.shipping_address;
        let texts = [
            ("shipping_address.name", "Full name", &a.name, true),
            ("shipping_address.line1", "Address line 1", &a.line1, true),
            ("shipping_address.line2", "Address line 2", &a.line2, false),
            ("shipping_address.city", "City", &a.city, true),
        ];
        for (key, label, value, required) in texts {
            if let Err(message) = check_text(label, value, required, MAX_ADDRESS_FIELD_LEN) {
                fail(key, message);
            }
        }
        let postal = a.postal_code.trim();
        if let Err(message) = check_text("Postal code", postal, true, MAX_POSTAL_CODE_LEN) {
            fail("shipping_address.postal_code", message);
        } else if !postal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            fail(
                "shipping_address.postal_code",
                "Postal code may only have letters, digits, spaces and hyphens".to_owned(),
            );
        }
        if country_name(a.country.trim()).is_none() {
            fail(
                "shipping_address.country",
                "Choose a country from the list".to_owned(),
            );
        }
        if let PaymentChoice::Card { card_number } = &self.payment {
            if let Err(message) = check_card_number(card_number) {
                fail("payment.card_number", message);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The same input with surrounding spaces trimmed and the country upper-cased: what an
    /// order stores.
    pub fn normalized(&self) -> Self {
        let a = &self.shipping_address;
        Self {
            email: self.email.trim().to_owned(),
            shipping_address: ShippingAddress {
                name: a.name.trim().to_owned(),
                line1: a.line1.trim().to_owned(),
                line2: a.line2.trim().to_owned(),
                city: a.city.trim().to_owned(),
                postal_code: a.postal_code.trim().to_owned(),
                country: a.country.trim().to_owned(),
            },
            shipping_method: self.shipping_method,
            payment: match &self.payment {
                PaymentChoice::Card { card_number } => PaymentChoice::Card {
                    card_number: card_digits(card_number),
                },
                PaymentChoice::CashOnDelivery => PaymentChoice::CashOnDelivery,
            },
        }
    }
}

fn check_text(label: &str, value: &str, required: bool, max: usize) -> Result<(), String> {
    let value = value.trim();
    if required && value.is_empty() {
        return Err(format!("Enter your {}", label.to_lowercase()));
    }
    if value.chars().count() > max {
        return Err(format!("{label} must be at most {max} characters"));
    }
    // Line breaks and other control characters have no place in an address, and would
    // end up in email headers and labels.
    if value.chars().any(char::is_control) {
        return Err(format!("{label} must be a single line of text"));
    }
    Ok(())
}

fn check_card_number(card_number: &str) -> Result<(), String> {
    let digits = card_digits(card_number);
    if digits.is_empty() {
        return Err("Enter your card number".to_owned());
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(12..=19).contains(&digits.len()) {
        return Err("A card number has 12 to 19 digits".to_owned());
    }
    if !luhn_valid(&digits) {
        return Err("This card number is not valid: check the digits".to_owned());
    }
    Ok(())
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after it, no
/// spaces or control characters. Whether the mailbox exists only delivery can tell.
pub fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.chars().count() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && !email
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\\\"".contains(c))
}

/// Subtotal, shipping and total for lines whose totals are given, with a shipping method:
/// what the checkout page's summary shows and what the order charges.
/// `order_summary(cart.items.iter().map(|i| i.total_price), method)`.
pub fn order_summary(
    line_totals: impl IntoIterator<Item = Decimal>,
    shipping_method: ShippingMethod,
) -> (Decimal, Decimal, Decimal) {
    let subtotal: Decimal = line_totals.into_iter().sum();
    let shipping = shipping_method.price(subtotal);
    (subtotal, shipping, subtotal + shipping)
}

/// One product of an order, as it was when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderLine {
    pub product_id: i32,
    /// The product's name at the time of the order.
    pub name: String,
    /// The unit price at the time of the order.
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "19.90"))]
    pub unit_price: Decimal,
    pub quantity: i32,
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "39.80"))]
    pub total_price: Decimal,
}

/// How an order was paid: the method, and for cards only the brand and last four digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderPayment {
    pub method: PaymentMethod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(example = "4242"))]
    pub last4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(example = "visa"))]
    pub brand: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Order {
    /// For people: `HP-10001`.
    #[cfg_attr(feature = "ssr", schema(example = "HP-10001"))]
    pub number: String,
    /// The order's secret key: its page is `/orders/{token}`.
    pub token: String,
    pub status: OrderStatus,
    /// The carrier's tracking number, once shipped.
    #[serde(default)]
    pub tracking_number: Option<String>,
    pub email: String,
    pub shipping_address: ShippingAddress,
    pub shipping_method: ShippingMethod,
    pub payment: OrderPayment,
    pub lines: Vec<OrderLine>,
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "79.60"))]
    pub subtotal: Decimal,
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "0.00"))]
    pub shipping_price: Decimal,
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "79.60"))]
    pub total: Decimal,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub updated_at: DateTime<Utc>,
}

impl Order {
    /// Units in the order.
    pub fn count(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }
}

/// A cart line that cannot be had: the product, and how many are left of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableLine {
    pub product_id: i32,
    pub name: String,
    /// Units in stock now (0 when sold out).
    pub available: i32,
    /// Units the cart asked for.
    pub requested: i32,
}

impl UnavailableLine {
    /// "Duo Espresso Machine: only 1 left" / "Linen Apron: sold out".
    pub fn message(&self) -> String {
        match self.available {
            i32::MIN..=0 => format!("{}: sold out", self.name),
            n => format!("{}: only {n} left", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn valid() -> CheckoutInput {
        CheckoutInput {
            email: "ada@example.com".into(),
            shipping_address: ShippingAddress {
                name: "Ada Lovelace".into(),
                line1: "12 Harbor Road".into(),
                line2: String::new(),
                city: "Portland".into(),
                postal_code: "97201".into(),
                country: "US".into(),
            },
            shipping_method: ShippingMethod::Standard,
            payment: PaymentChoice::Card {
                card_number: "4242 4242 4242 4242".into(),
            },
        }
    }

    fn errors(input: &CheckoutInput) -> FieldErrors {
        input.validate().unwrap_err()
    }

    #[test]
    fn statuses_move_only_forward() {
        use OrderStatus::*;
        assert!(PendingPayment.can_become(Paid));
        assert!(PendingPayment.can_become(Placed));
        assert!(PendingPayment.can_become(Cancelled));
        assert!(Paid.can_become(Shipped));
        assert!(Placed.can_become(Shipped));
        assert!(Shipped.can_become(Delivered));
        assert!(!Shipped.can_become(Cancelled), "it has left the warehouse");
        assert!(!PendingPayment.can_become(Shipped), "not before payment");
        assert!(!Paid.can_become(PendingPayment));
        assert!(!Paid.can_become(Placed));
        for s in OrderStatus::ALL {
            assert!(!s.can_become(s), "{s:?} to itself");
            assert!(!Cancelled.can_become(s) && !Delivered.can_become(s));
        }
    }

    #[test]
    fn statuses_round_trip_as_snake_case() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(OrderStatus::parse("lost"), None);
    }

    #[test]
    fn shipping_prices() {
        let standard = ShippingMethod::Standard;
        assert_eq!(standard.price(dec("74.99")), dec("4.90"));
        assert_eq!(standard.price(dec("75.00")), dec("0"));
        assert_eq!(ShippingMethod::Express.price(dec("500")), dec("14.90"));
        assert_eq!(
            order_summary([dec("19.90"), dec("39.80")], standard),
            (dec("59.70"), dec("4.90"), dec("64.60"))
        );
        assert_eq!(
            order_summary([dec("80.00")], ShippingMethod::Express),
            (dec("80.00"), dec("14.90"), dec("94.90"))
        );
    }

    #[test]
    fn countries_are_alpha_2_with_us_first() {
        assert_eq!(SUPPORTED_COUNTRIES[0].0, "US");
        assert!(SUPPORTED_COUNTRIES.len() >= 20);
        for (code, name) in SUPPORTED_COUNTRIES {
            assert!(code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()));
            assert!(!name.is_empty());
        }
        assert_eq!(country_name("GB"), Some("United Kingdom"));
        assert_eq!(country_name("XX"), None);
    }

    #[test]
    fn luhn() {
        assert!(luhn_valid("4242424242424242"));
        assert!(luhn_valid("4000000000000002"));
        assert!(luhn_valid("4000000000009995"));
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("42a2"));
    }

    #[test]
    fn a_good_form_passes() {
        assert_eq!(valid().validate(), Ok(()));
        let mut cod = valid();
        cod.payment = PaymentChoice::CashOnDelivery;
        cod.shipping_address.line2 = "Flat 3".into();
        assert_eq!(cod.validate(), Ok(()));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut input = valid();
        input.email = "not-an-email".into();
        input.shipping_address.name = "   ".into();
        input.shipping_address.line1 = "x".repeat(201);
        input.shipping_address.line2 = "a\nb".into();
        input.shipping_address.city = String::new();
        input.shipping_address.postal_code = "<script>".into();
        input.shipping_address.country = "XX".into();
        input.payment = PaymentChoice::Card {
            card_number: "4242 4242 4242 4241".into(),
        };
        let e = errors(&input);
        assert_eq!(
            e.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "email",
                "payment.card_number",
                "shipping_address.city",
                "shipping_address.country",
                "shipping_address.line1",
                "shipping_address.line2",
                "shipping_address.name",
                "shipping_address.postal_code",
            ]
        );
        assert_eq!(e["email"], "Enter an email address like name@example.com");
        assert_eq!(e["shipping_address.name"], "Enter your full name");
        assert_eq!(
            e["shipping_address.line1"],
            "Address line 1 must be at most 200 characters"
        );
        assert_eq!(
            e["payment.card_number"],
            "This card number is not valid: check the digits"
        );
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut input = valid();
        input.shipping_address.name = "é".repeat(200);
        input.shipping_address.city = "東京".into();
        assert_eq!(input.validate(), Ok(()));
        input.email = format!("{}@example.com", "a".repeat(243));
        assert_eq!(input.email.len(), 255);
        assert_eq!(
            errors(&input)["email"],
            "Email must be at most 254 characters"
        );
    }

    #[test]
    fn card_numbers() {
        let card = |n: &str| {
            let mut input = valid();
            input.payment = PaymentChoice::Card {
                card_number: n.into(),
            };
            input
                .validate()
                .err()
                .map(|e| e["payment.card_number"].clone())
        };
        assert_eq!(card("4242424242424242"), None);
        assert_eq!(card(" 4000 0000 0000 0002 "), None);
        assert_eq!(card(""), Some("Enter your card number".into()));
        assert_eq!(
            card("4242"),
            Some("A card number has 12 to 19 digits".into())
        );
        assert_eq!(
            card("4242-4242-4242-4242"),
            Some("A card number has 12 to 19 digits".into())
        );
        assert_eq!(
            card(&"4".repeat(20)),
            Some("A card number has 12 to 19 digits".into())
        );
        assert!(card("٤٢٤٢٤٢٤٢٤٢٤٢٤٢٤٢").is_some(), "ASCII digits only");
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@b..co", "a@.b.co", "<a@b.co>",
            "a@b.co\n",
        ] {
            assert!(!looks_like_email(bad), "{bad:?}");
        }
    }

    #[test]
    fn debug_never_shows_a_card_number() {
        let text = format!("{:?}", valid());
        assert!(!text.contains("4242 4242 4242 4242") && !text.contains("4242424242424242"));
        assert!(text.contains("…4242"), "{text}");
    }

    #[test]
    fn payment_choice_json_is_tagged_by_method() {
        let card: PaymentChoice =
            serde_json::from_str(r#"{"method":"card","card_number":"4242 4242 4242 4242"}"#)
                .unwrap();
        assert_eq!(card.method(), PaymentMethod::Card);
        let cod: PaymentChoice = serde_json::from_str(r#"{"method":"cash_on_delivery"}"#).unwrap();
        assert_eq!(cod, PaymentChoice::CashOnDelivery);
    }

    #[test]
    fn normalized_trims_and_strips_card_spaces() {
        let mut input = valid();
        input.email = "  ada@example.com ".into();
        let n = input.normalized();
        assert_eq!(n.email, "ada@example.com");
        assert_eq!(
            n.payment,
            PaymentChoice::Card {
                card_number: "4242424242424242".into()
            }
        );
    }

    #[test]
    fn unavailable_lines_speak_plainly() {
        let line = |available| UnavailableLine {
            product_id: 1,
            name: "Duo Espresso Machine".into(),
            available,
            requested: 2,
        };
        assert_eq!(line(1).message(), "Duo Espresso Machine: only 1 left");
        assert_eq!(line(0).message(), "Duo Espresso Machine: sold out");
    }

    #[test]
    fn order_json_shape() {
        let at = DateTime::parse_from_rfc3339("2026-11-30T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let order = Order {
            number: "HP-10001".into(),
            token: "ab".repeat(16),
            status: OrderStatus::Placed,
            tracking_number: None,
            email: "ada@example.com".into(),
            shipping_address: valid().shipping_address,
            shipping_method: ShippingMethod::Express,
            payment: OrderPayment {
                method: PaymentMethod::CashOnDelivery,
                last4: None,
                brand: None,
            },
            lines: vec![OrderLine {
                product_id: 7,
                name: "Mug".into(),
                unit_price: dec("19.9"),
                quantity: 2,
                total_price: dec("39.8"),
            }],
            subtotal: dec("39.8"),
            shipping_price: dec("14.9"),
            total: dec("54.7"),
            created_at: at,
            updated_at: at,
        };
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(json["status"], "placed");
        assert_eq!(json["shipping_method"], "express");
        assert_eq!(
            json["payment"],
            serde_json::json!({"method": "cash_on_delivery"})
        );
        assert_eq!(json["lines"][0]["total_price"], "39.80");
        assert_eq!(json["total"], "54.70");
        let back: Order = serde_json::from_value(json).unwrap();
        assert_eq!(back, order);
    }
}

//! Types shared by the server, the WASM client and the REST API, and the pure logic on them.
//! Their JSON shape is the original Django REST Framework API's: prices are strings with two
//! decimals, timestamps ISO-8601 UTC.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub mod account;
pub mod admin;
pub mod checkout;
pub mod form;
pub mod inventory;
pub mod order;
pub mod search;
pub mod stock;

/// Products on one page of the storefront's catalogue.
pub const PAGE_SIZE: u64 = 24;
/// The most the REST API hands out in one page.
pub const MAX_PAGE_SIZE: u64 = 100;
/// Longest session id a cart may have (the column is VARCHAR(255)).
pub const MAX_SESSION_ID_LEN: usize = 255;
/// Most units of one product a single request may ask for; keeps sums far from overflow.
pub const MAX_QUANTITY: i64 = 10_000;

/// The browser never shows timestamps, so the WASM build skips parsing them (they arrive and
/// are ignored): that keeps chrono's parser out of the bundle, about 8 KB of brotli.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Product {
    pub id: i32,
    pub name: String,
    pub description: String,
    /// Decimal with two places, as a string: `"19.90"`.
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "19.90"))]
    pub price: Decimal,
    pub image_url: String,
    pub stock: i32,
    /// The category's slug, or null.
    pub category: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CartItem {
    pub id: i32,
    pub session_id: String,
    pub product: Product,
    pub quantity: i32,
    /// `price × quantity`, two decimals, as a string.
    #[serde(with = "money")]
    #[cfg_attr(feature = "ssr", schema(value_type = String, example = "39.80"))]
    pub total_price: Decimal,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(skip_deserializing))]
    pub updated_at: DateTime<Utc>,
}

impl CartItem {
    pub fn line_total(price: Decimal, quantity: i32) -> Decimal {
        price * Decimal::from(quantity)
    }
}

/// A session's cart as the storefront shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub items: Vec<CartItem>,
}

impl Cart {
    /// Number of units in the cart (the navbar's count).
    pub fn count(&self) -> i64 {
        self.items.iter().map(|i| i64::from(i.quantity)).sum()
    }

    pub fn total(&self) -> Decimal {
        self.items.iter().map(|i| i.total_price).sum()
    }

    pub fn quantity_of(&self, product_id: i32) -> i32 {
        self.items
            .iter()
            .find(|i| i.product.id == product_id)
            .map_or(0, |i| i.quantity)
    }
}

/// The cart as the islands show it, with its money already formatted by the server: the
/// browser does no arithmetic on money, so the WASM carries no decimal library, and the
/// lines carry only what is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub lines: Vec<CartLineView>,
    /// Units in the cart (the navbar's count).
    pub count: i64,
    /// `$1,249.00`
    pub total: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLineView {
    pub product_id: i32,
    pub name: String,
    pub image_url: String,
    pub unit_price: String,
    pub quantity: i32,
    /// The most the quantity field allows: the stock, or more when the line already has more.
    pub max_quantity: i32,
    pub line_total: String,
}

impl From<&Cart> for CartView {
    fn from(cart: &Cart) -> Self {
        Self {
            lines: cart
                .items
                .iter()
                .map(|item| CartLineView {
                    product_id: item.product.id,
                    name: item.product.name.clone(),
                    image_url: item.product.image_url.clone(),
                    unit_price: format_money(item.product.price),
                    quantity: item.quantity,
                    max_quantity: item.product.stock.max(item.quantity),
                    line_total: format_money(item.total_price),
                })
                .collect(),
            count: cart.count(),
            total: format_money(cart.total()),
        }
    }
}

impl CartView {
    pub fn line(&self, product_id: i32) -> Option<&CartLineView> {
        self.lines.iter().find(|l| l.product_id == product_id)
    }
}

/// One page of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductPage {
    pub items: Vec<Product>,
    /// Products in the whole catalogue.
    pub total: u64,
    /// 1-based page number.
    pub page: u64,
    pub page_size: u64,
}

impl ProductPage {
    pub fn page_count(&self) -> u64 {
        page_count(self.total, self.page_size)
    }
}

/// Pages of `page_size` that `total` products fill; an empty catalogue still has its page 1.
pub fn page_count(total: u64, page_size: u64) -> u64 {
    total.div_ceil(page_size.max(1)).max(1)
}

/// What a shopper reads on a product card or page about its stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockLevel {
    SoldOut,
    Low(i32),
    InStock,
}

impl StockLevel {
    /// At or below this many, the shop says how many are left.
    pub const LOW: i32 = 5;

    pub fn of(stock: i32) -> Self {
        match stock {
            i32::MIN..=0 => Self::SoldOut,
            n if n <= Self::LOW => Self::Low(n),
            _ => Self::InStock,
        }
    }

    /// The badge's classes (the server draws them; the live-stock island redraws them).
    pub fn class(self) -> &'static str {
        match self {
            Self::SoldOut => "badge badge-sold-out",
            Self::Low(_) => "badge badge-low",
            Self::InStock => "badge badge-in-stock",
        }
    }

    pub fn label(self) -> String {
        match self {
            Self::SoldOut => "Sold out".to_string(),
            Self::Low(n) => format!("Only {n} left"),
            Self::InStock => "In stock".to_string(),
        }
    }
}

/// Formats an amount for people: `$1,249.00`.
pub fn format_money(amount: Decimal) -> String {
    let text = money::to_string(amount);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{cents}")
}

/// A price that may be nothing, like shipping: `Free` or `$4.90`.
pub fn format_price_or_free(amount: Decimal) -> String {
    if amount.is_zero() {
        "Free".to_string()
    } else {
        format_money(amount)
    }
}

/// Serde for money: always a string with exactly two decimals, parsed without floats.
pub mod money {
    use rust_decimal::{Decimal, RoundingStrategy};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn to_string(amount: Decimal) -> String {
        let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(2);
        rounded.to_string()
    }

    pub fn serialize<S: Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&to_string(*amount))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse::<Decimal>().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_is_two_decimals() {
        assert_eq!(money::to_string(dec("19.9")), "19.90");
        assert_eq!(money::to_string(dec("5")), "5.00");
        assert_eq!(money::to_string(dec("0.005")), "0.01");
        assert_eq!(money::to_string(dec("1249.999")), "1250.00");
    }

    #[test]
    fn money_for_people_groups_thousands() {
        assert_eq!(format_money(dec("1249")), "$1,249.00");
        assert_eq!(format_money(dec("4.5")), "$4.50");
        assert_eq!(format_money(dec("1234567.891")), "$1,234,567.89");
        assert_eq!(format_money(dec("-12.3")), "-$12.30");
        assert_eq!(format_money(dec("999")), "$999.00");
    }

    #[test]
    fn line_total_is_exact() {
        // 0.1 + 0.2 style errors would show here with floats.
        assert_eq!(CartItem::line_total(dec("0.10"), 3), dec("0.30"));
        assert_eq!(CartItem::line_total(dec("19.99"), 7), dec("139.93"));
    }

    #[test]
    fn stock_levels() {
        assert_eq!(StockLevel::of(0), StockLevel::SoldOut);
        assert_eq!(StockLevel::of(2).label(), "Only 2 left");
        assert_eq!(StockLevel::of(6), StockLevel::InStock);
    }

    #[test]
    fn page_count_rounds_up() {
        let page = |total| ProductPage {
            items: vec![],
            total,
            page: 1,
            page_size: 24,
        };
        assert_eq!(page(0).page_count(), 1);
        assert_eq!(page(48).page_count(), 2);
        assert_eq!(page(49).page_count(), 3);
    }

    #[test]
    fn product_json_matches_drf() {
        let at = DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let p = Product {
            id: 1,
            name: "Mug".into(),
            description: "A mug.".into(),
            price: dec("19.9"),
            image_url: "/images/mug.svg".into(),
            stock: 3,
            category: Some("kitchen".into()),
            created_at: at,
            updated_at: at,
        };
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["price"], "19.90");
        assert_eq!(json["created_at"], "2026-11-25T10:00:00Z");
        assert_eq!(json["category"], "kitchen");
        let back: Product = serde_json::from_value(json).unwrap();
        assert_eq!(back.price, dec("19.90"));
    }
}

/// The `srcset` of an uploaded photo (stored at 400 and 800 pixels wide, the main one named
/// `…-800.webp`): a browser picks the size its screen needs. `None` for other images.
pub fn image_srcset(url: &str) -> Option<String> {
    let stem = url.strip_prefix("/media/")?.strip_suffix("-800.webp")?;
    Some(format!(
        "/media/{stem}-400.webp 400w, /media/{stem}-800.webp 800w"
    ))
}

/// The `sizes` beside [`image_srcset`]: the cards and the product page show 400 px wide.
pub const IMAGE_SIZES: &str = "400px";

#[cfg(test)]
mod image_tests {
    use super::image_srcset;

    #[test]
    fn uploaded_photos_offer_both_sizes() {
        assert_eq!(
            image_srcset("/media/ab12-800.webp").as_deref(),
            Some("/media/ab12-400.webp 400w, /media/ab12-800.webp 800w")
        );
        assert_eq!(image_srcset("/images/products/mug.svg"), None);
        assert_eq!(image_srcset("https://elsewhere/media/x-800.webp"), None);
    }
}

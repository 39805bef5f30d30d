//! Finding products: what a listing is asked for (search words, filters, order) and what it
//! answers (a page of products, facet counts, suggestions). Shared by the search and category
//! pages, the REST API and the search service, so all three read the same parameters the
//! same way.

pub mod page;

use super::{Product, ProductPage};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The longest search text accepted (in characters); longer is refused with a 400.
pub const MAX_SEARCH_LEN: usize = 200;
/// Words of a search that count; the rest are ignored (a search is an AND of its words).
pub const MAX_SEARCH_WORDS: usize = 8;
/// The highest price a filter may name: 99,999,999.99, what the price column (10 digits, 2
/// after the point) can hold. 9,999,999,999 hundredths = 2 × 2^32 + 1,410,065,407.
pub const MAX_PRICE_FILTER: Decimal = Decimal::from_parts(1_410_065_407, 2, 0, false, 2);
/// Suggestions shown under the search box.
pub const SUGGESTION_LIMIT: u64 = 6;

/// How a listing is ordered. The API names them as DRF's `OrderingFilter` does (`price`,
/// `-price`, …); the pages' **Sort** select uses the same names plus `relevance`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortOrder {
    /// Best match first: only with search words.
    Relevance,
    PriceAsc,
    PriceDesc,
    NameAsc,
    NameDesc,
    /// Oldest first.
    CreatedAsc,
    /// Newest first.
    CreatedDesc,
    /// By id: the catalogue's own order, the API's default without a search.
    Id,
}

impl SortOrder {
    /// The API's `ordering` values (DRF's `OrderingFilter`).
    pub const API_VALUES: [&'static str; 6] = [
        "price",
        "-price",
        "name",
        "-name",
        "created_at",
        "-created_at",
    ];

    /// An API `ordering` value; `None` when it is not one of [`Self::API_VALUES`].
    pub fn from_api(value: &str) -> Option<Self> {
        Some(match value {
            "price" => Self::PriceAsc,
            "-price" => Self::PriceDesc,
            "name" => Self::NameAsc,
            "-name" => Self::NameDesc,
            "created_at" => Self::CreatedAsc,
            "-created_at" => Self::CreatedDesc,
            _ => return None,
        })
    }

    /// The name in URLs (`?sort=` on pages, `?ordering=` in the API).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::PriceAsc => "price",
            Self::PriceDesc => "-price",
            Self::NameAsc => "name",
            Self::NameDesc => "-name",
            Self::CreatedAsc => "created_at",
            Self::CreatedDesc => "-created_at",
            Self::Id => "id",
        }
    }

    /// A page's `?sort=` value: the API's values and `relevance`.
    pub fn from_page(value: &str) -> Option<Self> {
        match value {
            "relevance" => Some(Self::Relevance),
            other => Self::from_api(other),
        }
    }

    /// The **Sort** select's options, in order: Relevance only where there is a query.
    pub fn page_options(has_query: bool) -> Vec<(Self, &'static str)> {
        let mut options = Vec::with_capacity(5);
        if has_query {
            options.push((Self::Relevance, "Relevance"));
        }
        options.extend([
            (Self::PriceAsc, "Price: low to high"),
            (Self::PriceDesc, "Price: high to low"),
            (Self::CreatedDesc, "Newest"),
            (Self::NameAsc, "Name"),
        ]);
        options
    }
}

/// What a listing shows: search words, filters and order. Check it with
/// [`ProductFilter::validate`] (the service does too).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProductFilter {
    /// The shopper's words, as typed (blank means no search).
    pub search: Option<String>,
    /// A category's slug.
    pub category: Option<String>,
    pub min_price: Option<Decimal>,
    pub max_price: Option<Decimal>,
    /// Only products with stock.
    pub in_stock: bool,
    /// `None`: relevance with a search, else by id.
    pub ordering: Option<SortOrder>,
}

impl ProductFilter {
    /// The search words, when there are any.
    pub fn search_text(&self) -> Option<&str> {
        self.search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// The order that applies: the one asked for, else relevance with a search, else by id.
    /// Relevance without a search means by id.
    pub fn effective_ordering(&self) -> SortOrder {
        let has_search = self.search_text().is_some();
        match self.ordering {
            Some(SortOrder::Relevance) | None if has_search => SortOrder::Relevance,
            Some(SortOrder::Relevance) | None => SortOrder::Id,
            Some(order) => order,
        }
    }

    /// Whether anything narrows or reorders the listing (such pages are `noindex`).
    pub fn is_refined(&self) -> bool {
        self.search_text().is_some()
            || self.min_price.is_some()
            || self.max_price.is_some()
            || self.in_stock
            || self.ordering.is_some()
    }

    /// Checks the values: the search's length, prices between 0 and the column's maximum.
    /// Messages name the API's parameters.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(search) = &self.search {
            if search.chars().count() > MAX_SEARCH_LEN {
                return Err(format!(
                    "search must be at most {MAX_SEARCH_LEN} characters"
                ));
            }
            if search.contains('\0') {
                return Err("search must not contain NUL".to_owned());
            }
        }
        for (name, value) in [("min_price", self.min_price), ("max_price", self.max_price)] {
            if let Some(value) = value {
                if value.is_sign_negative() || value > MAX_PRICE_FILTER {
                    return Err(format!(
                        "{name} must be a number between 0 and {MAX_PRICE_FILTER}"
                    ));
                }
            }
        }
        // A minimum above the maximum is no error, as in django-filter: nothing matches.
        Ok(())
    }
}

/// A price filter value as typed: `19.99`, `20`, ` 5.5 `; blank is no filter.
pub fn parse_price(text: &str) -> Result<Option<Decimal>, String> {
    let text = text.trim().trim_start_matches('$');
    if text.is_empty() {
        return Ok(None);
    }
    // Digits and at most one point only: no exponents, signs or separators.
    let well_formed = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && text.bytes().filter(|b| *b == b'.').count() <= 1
        && text.bytes().any(|b| b.is_ascii_digit())
        && text.len() <= 20;
    match text.parse::<Decimal>() {
        Ok(value) if well_formed && value.scale() <= 2 => Ok(Some(value)),
        _ => Err(format!(
            "{text:?} is not a price (a number with at most two decimals)"
        )),
    }
}

/// A yes/no filter as django-filter reads it: `true`/`false`, `1`/`0`, `yes`/`no`, `on`.
pub fn parse_flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(format!("{text:?} is not true or false")),
    }
}

/// A category as the shop shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Category {
    pub id: i32,
    /// In URLs: `/category/kitchen`.
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A category with how many listed products (with the other filters) it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCount {
    pub slug: String,
    pub name: String,
    pub count: u64,
}

/// A price band with how many listed products (with the other filters) fall in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceBand {
    /// Inclusive.
    pub min: Option<Decimal>,
    /// Exclusive, as a band; the page's link sets `max_price` to just below it.
    pub max: Option<Decimal>,
    pub count: u64,
}

/// Counts beside each filter: what the listing would hold with that filter changed and the
/// others kept (facets).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// Every category with at least one match, by name.
    pub categories: Vec<CategoryCount>,
    pub price_bands: Vec<PriceBand>,
    /// Matches with stock (the **In stock only** count).
    pub in_stock: u64,
}

/// A product name offered as the shopper types, or when nothing matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: i32,
    pub name: String,
}

/// A search or category listing: one page of matches, the facets, and (only when nothing
/// matched a search) close product names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub page: ProductPage,
    pub facets: Facets,
    pub suggestions: Vec<Suggestion>,
}

impl Listing {
    pub fn products(&self) -> &[Product] {
        &self.page.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderings_round_trip() {
        for value in SortOrder::API_VALUES {
            assert_eq!(SortOrder::from_api(value).unwrap().as_str(), value);
        }
        assert_eq!(SortOrder::from_api("relevance"), None);
        assert_eq!(
            SortOrder::from_page("relevance"),
            Some(SortOrder::Relevance)
        );
        assert_eq!(SortOrder::from_api("price;drop"), None);
    }

    #[test]
    fn default_order_is_relevance_only_with_words() {
        let mut filter = ProductFilter {
            search: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(filter.effective_ordering(), SortOrder::Id);
        filter.search = Some("mug".into());
        assert_eq!(filter.effective_ordering(), SortOrder::Relevance);
        filter.ordering = Some(SortOrder::PriceDesc);
        assert_eq!(filter.effective_ordering(), SortOrder::PriceDesc);
    }

    #[test]
    fn prices_parse_exactly() {
        assert_eq!(
            parse_price(" 19.99 ").unwrap(),
            Some("19.99".parse().unwrap())
        );
        assert_eq!(parse_price("$20").unwrap(), Some(Decimal::from(20)));
        assert_eq!(parse_price("").unwrap(), None);
        for bad in [
            "1e9",
            "-1",
            "1.234",
            "abc",
            "1.2.3",
            ".",
            "99999999999999999999999",
        ] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn filters_check_their_values() {
        assert_eq!(MAX_PRICE_FILTER.to_string(), "99999999.99");
        let over = ProductFilter {
            min_price: Some(MAX_PRICE_FILTER + Decimal::ONE),
            ..Default::default()
        };
        assert!(over.validate().unwrap_err().contains("min_price"));
        let long = ProductFilter {
            search: Some("a".repeat(MAX_SEARCH_LEN + 1)),
            ..Default::default()
        };
        assert!(long.validate().is_err());
        assert!(ProductFilter::default().validate().is_ok());
    }

    #[test]
    fn flags_read_like_django_filter() {
        assert_eq!(parse_flag("True"), Ok(true));
        assert_eq!(parse_flag("0"), Ok(false));
        assert!(parse_flag("maybe").is_err());
    }
}

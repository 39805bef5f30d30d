//! The search and category pages' query string (`?q=…&category=…&min_price=…&max_price=…
//! &in_stock=…&sort=…&page=…`), as typed: what the pages' GET form sends, how it becomes a
//! [`ProductFilter`], and the clean URLs the pages link to (pagination, removable filters,
//! price bands), which keep every other value.
//!
//! Values stay the shopper's text until [`ListingQuery::filter`] reads them, so a bad one is
//! shown back in its field with a message, never lost.

use super::{parse_flag, parse_price, Category, Listing, ProductFilter, SortOrder, MAX_SEARCH_LEN};
use serde::{Deserialize, Serialize};

/// The search page's path.
pub const SEARCH_PATH: &str = "/search";

/// The path of a category's page.
pub fn category_path(slug: &str) -> String {
    format!("/category/{}", encode_query_value(slug))
}

/// A page's query values as typed; empty means absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListingQuery {
    /// The search words.
    pub q: String,
    /// A category's slug (the search page's radio; a category page has it in its path).
    pub category: String,
    pub min_price: String,
    pub max_price: String,
    /// `true` when **In stock only** is ticked.
    pub in_stock: String,
    /// A [`SortOrder::from_page`] name.
    pub sort: String,
    /// 1-based.
    pub page: String,
}

/// A category page's answer: the category (for its heading) and its listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryListing {
    pub category: Category,
    pub listing: Listing,
}

impl ListingQuery {
    /// The names of the query values, in the order URLs carry them.
    pub const KEYS: [&'static str; 7] = [
        "q",
        "category",
        "min_price",
        "max_price",
        "in_stock",
        "sort",
        "page",
    ];

    /// Reads the values from a query map's getter (`use_query_map`), trimmed.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let value = |key: &str| get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
        Self {
            q: value("q"),
            category: value("category"),
            min_price: value("min_price"),
            max_price: value("max_price"),
            in_stock: value("in_stock"),
            sort: value("sort"),
            page: value("page"),
        }
    }

    fn get(&self, key: &str) -> &str {
        match key {
            "q" => &self.q,
            "category" => &self.category,
            "min_price" => &self.min_price,
            "max_price" => &self.max_price,
            "in_stock" => &self.in_stock,
            "sort" => &self.sort,
            "page" => &self.page,
            _ => "",
        }
    }

    /// Whether there are search words.
    pub fn has_query(&self) -> bool {
        !self.q.trim().is_empty()
    }

    /// The order a page shows without `sort`: best match with search words, else by name.
    pub fn default_sort(&self) -> SortOrder {
        if self.has_query() {
            SortOrder::Relevance
        } else {
            SortOrder::NameAsc
        }
    }

    /// The order asked for, or the default. Relevance without search words is the default
    /// (the select does not offer it there); an unknown name is an error.
    pub fn sort_order(&self) -> Result<SortOrder, String> {
        match self.sort.as_str() {
            "" => Ok(self.default_sort()),
            name => match SortOrder::from_page(name) {
                Some(SortOrder::Relevance) if !self.has_query() => Ok(self.default_sort()),
                Some(order)
                    if SortOrder::page_options(self.has_query())
                        .iter()
                        .any(|(o, _)| *o == order) =>
                {
                    Ok(order)
                }
                _ => Err(
                    "Sorry, we don't know that sort order. Please pick one from the list.".into(),
                ),
            },
        }
    }

    /// Whether **In stock only** is ticked (anything unreadable counts as not).
    pub fn in_stock_only(&self) -> bool {
        parse_flag(&self.in_stock).unwrap_or(false)
    }

    /// The page number; one that cannot exist (0, not a number) is past the end, so the
    /// listing answers it as "not found", as the home page does.
    pub fn page_number(&self) -> u64 {
        match self.page.as_str() {
            "" => 1,
            text => text
                .parse::<u64>()
                .ok()
                .filter(|p| *p > 0)
                .unwrap_or(u64::MAX),
        }
    }

    /// The filter the listing runs: `category` is the category page's slug (else the query's
    /// own). Errors are messages for the shopper.
    pub fn filter(&self, category: Option<&str>) -> Result<ProductFilter, String> {
        if self.q.chars().count() > MAX_SEARCH_LEN {
            return Err(format!(
                "Your search is too long: please use at most {MAX_SEARCH_LEN} characters."
            ));
        }
        if self.q.contains('\0') {
            return Err("Your search contains a character we cannot search for.".into());
        }
        let price = |label: &str, text: &str| {
            parse_price(text).map_err(|_| {
                format!("{label}: \u{201c}{text}\u{201d} is not a price. Please enter a number such as 25 or 19.99.")
            })
        };
        let in_stock = parse_flag(&self.in_stock)
            .map_err(|_| "In stock only: please tick the box or leave it empty.".to_owned())?;
        let category = category.unwrap_or(&self.category);
        let filter = ProductFilter {
            search: self.has_query().then(|| self.q.clone()),
            category: (!category.is_empty()).then(|| category.to_owned()),
            min_price: price("Min price", &self.min_price)?,
            max_price: price("Max price", &self.max_price)?,
            in_stock,
            // Always explicit: the pages' default without a search (name) is not the
            // service's (by id).
            ordering: Some(self.sort_order()?),
        };
        filter.validate()?;
        Ok(filter)
    }

    /// Whether the page is narrowed or reordered (a search, a filter, a sort other than the
    /// default): such pages are `noindex`. [`ProductFilter::is_refined`] with the default
    /// order left out, since [`filter`](Self::filter) always names one.
    pub fn is_refined(&self) -> bool {
        match self.filter(None) {
            Ok(mut filter) => {
                if filter.ordering == Some(self.default_sort()) {
                    filter.ordering = None;
                }
                filter.category = None;
                filter.is_refined()
            }
            // Values the page refuses are not worth indexing either.
            Err(_) => true,
        }
    }

    /// `path` with these values as a query string, leaving out empty ones and defaults (sort,
    /// page 1, an unticked box): the URL a shopper sees and shares.
    pub fn to_url(&self, path: &str) -> String {
        let default_sort = self.default_sort();
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for key in Self::KEYS {
            let value = self.get(key);
            let kept = match key {
                _ if value.is_empty() => None,
                "in_stock" => self.in_stock_only().then(|| "true".to_owned()),
                "sort" => match self.sort_order() {
                    Ok(order) if order == default_sort => None,
                    Ok(order) => Some(order.as_str().to_owned()),
                    Err(_) => Some(value.to_owned()),
                },
                "page" => (value != "1").then(|| value.to_owned()),
                _ => Some(value.to_owned()),
            };
            if let Some(value) = kept {
                pairs.push((key, value));
            }
        }
        if pairs.is_empty() {
            return path.to_owned();
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
            .collect();
        format!("{path}?{}", query.join("&"))
    }

    /// The same values on another page.
    pub fn with_page(&self, page: u64) -> Self {
        Self {
            page: page.to_string(),
            ..self.clone()
        }
    }

    /// These values with one changed by `change`, back on the first page: what a link that
    /// changes a filter points to.
    pub fn changed(&self, change: impl FnOnce(&mut Self)) -> Self {
        let mut changed = self.clone();
        change(&mut changed);
        changed.page.clear();
        changed
    }
}

/// Encodes a query value as a browser's form does (`application/x-www-form-urlencoded`:
/// space as `+`, everything but `A-Z a-z 0-9 * - . _` as `%XX`).
pub fn encode_query_value(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                encoded.push(char::from(byte));
            }
            b' ' => encoded.push('+'),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn query(pairs: &[(&str, &str)]) -> ListingQuery {
        ListingQuery::from_lookup(|k| {
            pairs
                .iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn reads_a_filter_with_the_pages_defaults() {
        let plain = query(&[]);
        let filter = plain.filter(Some("kitchen")).unwrap();
        assert_eq!(filter.category.as_deref(), Some("kitchen"));
        assert_eq!(
            filter.ordering,
            Some(SortOrder::NameAsc),
            "by name without a search"
        );
        assert!(!plain.is_refined());

        let search = query(&[
            ("q", " espresso "),
            ("min_price", "20"),
            ("in_stock", "true"),
        ]);
        let filter = search.filter(None).unwrap();
        assert_eq!(filter.search.as_deref(), Some("espresso"));
        assert_eq!(filter.min_price, Some(Decimal::from(20)));
        assert!(filter.in_stock);
        assert_eq!(filter.ordering, Some(SortOrder::Relevance));
        assert!(search.is_refined());

        assert!(query(&[("sort", "price")]).is_refined(), "sorted");
        assert!(
            !query(&[("sort", "name")]).is_refined(),
            "the default order"
        );
        assert!(
            !query(&[("page", "2")]).is_refined(),
            "another page is no refinement"
        );
    }

    #[test]
    fn bad_values_are_messages() {
        let bad = |pairs: &[(&str, &str)]| query(pairs).filter(None).unwrap_err();
        assert!(bad(&[("min_price", "abc")]).starts_with("Min price:"));
        assert!(bad(&[("max_price", "-3")]).starts_with("Max price:"));
        assert!(bad(&[("sort", "price;drop")]).contains("sort order"));
        assert!(bad(&[("in_stock", "maybe")]).contains("In stock only"));
        let long = "a".repeat(1000);
        assert!(bad(&[("q", long.as_str())]).contains("too long"));
        // Relevance is offered only with a search; without one it means the default.
        assert_eq!(
            query(&[("sort", "relevance")]).sort_order(),
            Ok(SortOrder::NameAsc)
        );
        // Orders the select does not offer are refused.
        assert!(query(&[("sort", "id")]).sort_order().is_err());
    }

    #[test]
    fn pages_that_cannot_exist_are_past_the_end() {
        assert_eq!(query(&[]).page_number(), 1);
        assert_eq!(query(&[("page", "3")]).page_number(), 3);
        for bad in ["0", "-1", "x", "99999999999999999999999"] {
            assert_eq!(query(&[("page", bad)]).page_number(), u64::MAX, "{bad}");
        }
    }

    #[test]
    fn urls_keep_values_and_drop_defaults() {
        let q = query(&[
            ("q", "mug & cup"),
            ("min_price", "10"),
            ("max_price", ""),
            ("in_stock", "on"),
            ("sort", "relevance"),
            ("page", "1"),
        ]);
        assert_eq!(
            q.to_url("/search"),
            "/search?q=mug+%26+cup&min_price=10&in_stock=true"
        );
        assert_eq!(
            q.with_page(3).to_url("/search"),
            "/search?q=mug+%26+cup&min_price=10&in_stock=true&page=3"
        );
        let fewer = q.with_page(3).changed(|q| q.min_price.clear());
        assert_eq!(
            fewer.to_url("/search"),
            "/search?q=mug+%26+cup&in_stock=true"
        );
        let sorted = query(&[("sort", "-price"), ("in_stock", "false")]);
        assert_eq!(
            sorted.to_url("/category/kitchen"),
            "/category/kitchen?sort=-price"
        );
        assert_eq!(
            query(&[("sort", "name")]).to_url("/category/kitchen"),
            "/category/kitchen"
        );
        assert_eq!(encode_query_value("é'\"; *"), "%C3%A9%27%22%3B+*");
    }
}

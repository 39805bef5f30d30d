//! Finding products: full-text search, filters, facet counts, ordering, and "did you mean"
//! suggestions, with one API over both backends.
//!
//! The index lives in the database (see the `categories_and_search` migration): SQLite's FTS5
//! with bm25, PostgreSQL's `tsvector` with `ts_rank`; names weigh ten times descriptions on
//! both. What differs between them is a [`Dialect`], chosen in one place ([`dialect`]).
//!
//! User text never reaches a query language: it is cut into words (letters and digits only),
//! and each word becomes a quoted prefix term the service writes itself, bound as a
//! parameter. Quotes, `*`, `-`, `:`, `(`, `OR`, `NEAR` and SQL are therefore only words.

use crate::error::ShopError;
use crate::model::search::{
    CategoryCount, Facets, Listing, PriceBand, ProductFilter, SortOrder, Suggestion,
    MAX_SEARCH_WORDS,
};
use crate::model::{page_count, Product, ProductPage};
use crate::server::entities::{category, money::Money};
use crate::server::services::catalogue::validate_page_size;
use crate::server::services::catalogue::ON_SALE_SQL;
use crate::server::services::statement;
use chrono::{DateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Value,
};
use std::collections::HashMap;

/// Longest word kept from a search (longer ones are cut): no product word is longer.
const MAX_WORD_LEN: usize = 40;
/// Price bands the facets count, in whole currency units: [0, 25), [25, 50), … [250, ∞).
const PRICE_BAND_EDGES: [i64; 4] = [25, 50, 100, 250];

/// The price in whole cents: an integer column kept with the price (the
/// `listing_price_cents` migration), indexed with category and stock.
const PRICE_CENTS: &str = "products.price_cents";

/// How a full-text query joins a listing: what to join, what to require, how to rank.
pub struct Match {
    /// Joined after `FROM products` (may be empty).
    pub join: String,
    /// Required of every row (may be `None`).
    pub condition: Option<String>,
    /// A lower score ranks first.
    pub score: String,
}

/// What differs between the backends' full-text search.
pub trait Dialect: Send + Sync {
    /// How a listing finds the products matching the full-text query bound as `param`.
    fn matching(&self, param: &str) -> Match;
    /// The full-text query for `words`: each a prefix, all required.
    fn full_text_query(&self, words: &[String]) -> String;
}

struct Sqlite;
struct Postgres;

impl Dialect for Sqlite {
    fn matching(&self, param: &str) -> Match {
        // bm25 is lower for better matches; the weights are per column: name, description.
        Match {
            join: format!(
                " JOIN (SELECT rowid AS id, bm25(products_fts, 10.0, 1.0) AS score \
                 FROM products_fts WHERE products_fts MATCH {param}) AS hits \
                 ON hits.id = products.id"
            ),
            condition: None,
            score: "hits.score".to_owned(),
        }
    }

    fn full_text_query(&self, words: &[String]) -> String {
        // A double-quoted string is always a plain term in FTS5, whatever it spells.
        words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Dialect for Postgres {
    fn matching(&self, param: &str) -> Match {
        // The vector is a column of `products`: a condition, not a join (PostgreSQL would
        // not remove a self-join). ts_rank's default weights give A (names) 1.0 and D
        // (descriptions) 0.1.
        let query = format!("to_tsquery('simple', {param})");
        Match {
            join: String::new(),
            condition: Some(format!("products.search_vector @@ {query}")),
            score: format!("-ts_rank(products.search_vector, {query})"),
        }
    }

    fn full_text_query(&self, words: &[String]) -> String {
        // Words are letters and digits only, so none can spell tsquery syntax.
        words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

/// The dialect of this connection's backend: the one place that asks.
pub fn dialect(db: &impl ConnectionTrait) -> &'static dyn Dialect {
    match db.get_database_backend() {
        DbBackend::Sqlite => &Sqlite,
        _ => &Postgres,
    }
}

/// The words of a search: runs of letters and digits, lower-cased, at most
/// [`MAX_SEARCH_WORDS`] of them, each at most [`MAX_WORD_LEN`] characters.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.chars()
                .take(MAX_WORD_LEN)
                .collect::<String>()
                .to_lowercase()
        })
        .take(MAX_SEARCH_WORDS)
        .collect()
}

/// A statement under construction: SQL text with `$n` placeholders and their values.
#[derive(Default)]
struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }
}

/// Which of a plan's filters (besides the search) a statement applies in `WHERE`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filters {
    All,
    /// For the category facet.
    AllButCategory,
    /// For the counts that test the other filters per row.
    CategoryOnly,
}

/// A filter checked and resolved: the category's id, prices in cents, the search's words.
struct Plan<'a> {
    dialect: &'static dyn Dialect,
    /// `None`: no search. `Some(empty)`: a search with no words, which matches nothing.
    words: Option<Vec<String>>,
    category_id: Option<i32>,
    min_cents: Option<i64>,
    max_cents: Option<i64>,
    filter: &'a ProductFilter,
}

fn cents(amount: Decimal) -> Result<i64, ShopError> {
    (amount * Decimal::ONE_HUNDRED)
        .trunc()
        .to_i64()
        .ok_or_else(|| ShopError::invalid("price out of range"))
}

impl<'a> Plan<'a> {
    async fn new(db: &impl ConnectionTrait, filter: &'a ProductFilter) -> Result<Self, ShopError> {
        filter.validate().map_err(ShopError::Invalid)?;
        let category_id = match &filter.category {
            Some(slug) => Some(
                category::Entity::find()
                    .filter(category::Column::Slug.eq(slug.as_str()))
                    .one(db)
                    .await?
                    .ok_or(ShopError::NotFound)?
                    .id,
            ),
            None => None,
        };
        Ok(Self {
            dialect: dialect(db),
            words: filter.search_text().map(words),
            category_id,
            min_cents: filter.min_price.map(cents).transpose()?,
            max_cents: filter.max_price.map(cents).transpose()?,
            filter,
        })
    }

    /// Whether the search can match nothing at all (it has no words).
    fn matches_nothing(&self) -> bool {
        self.words.as_ref().is_some_and(Vec::is_empty)
    }

    /// `FROM products [full-text join] [joins] WHERE …`: the search's matches, narrowed by
    /// the `filters`. Returns the match's score when there is a search.
    fn push_from_where(&self, sql: &mut Sql, joins: &str, filters: Filters) -> Option<String> {
        sql.text.push_str(" FROM products");
        let matching = self.words.as_ref().filter(|w| !w.is_empty()).map(|words| {
            let param = sql.bind(self.dialect.full_text_query(words));
            self.dialect.matching(&param)
        });
        let mut conditions = vec![ON_SALE_SQL.to_owned()];
        if let Some(m) = &matching {
            sql.text.push_str(&m.join);
            conditions.extend(m.condition.clone());
        }
        sql.text.push_str(joins);
        if let (Some(id), Filters::All | Filters::CategoryOnly) = (self.category_id, filters) {
            conditions.push(format!("products.category_id = {}", sql.bind(id)));
        }
        if filters != Filters::CategoryOnly {
            conditions.push(self.price_test(sql));
            if self.filter.in_stock {
                conditions.push("products.stock > 0".to_owned());
            }
        }
        sql.text.push_str(" WHERE ");
        sql.text.push_str(&conditions.join(" AND "));
        matching.map(|m| m.score)
    }

    /// The min and max price filters as one SQL condition (`1 = 1` without them).
    fn price_test(&self, sql: &mut Sql) -> String {
        let mut tests = vec!["1 = 1".to_owned()];
        if let Some(min) = self.min_cents {
            tests.push(format!("{PRICE_CENTS} >= {}", sql.bind(min)));
        }
        if let Some(max) = self.max_cents {
            tests.push(format!("{PRICE_CENTS} <= {}", sql.bind(max)));
        }
        tests.join(" AND ")
    }

    fn order_by(&self, score: Option<&str>) -> String {
        let key = match (self.filter.effective_ordering(), score) {
            (SortOrder::Relevance, Some(score)) => format!("{score} ASC"),
            (SortOrder::Relevance | SortOrder::Id, _) => "products.id ASC".to_owned(),
            (SortOrder::PriceAsc, _) => format!("{PRICE_CENTS} ASC"),
            (SortOrder::PriceDesc, _) => format!("{PRICE_CENTS} DESC"),
            (SortOrder::NameAsc, _) => "LOWER(products.name) ASC".to_owned(),
            (SortOrder::NameDesc, _) => "LOWER(products.name) DESC".to_owned(),
            (SortOrder::CreatedAsc, _) => "products.created_at ASC".to_owned(),
            (SortOrder::CreatedDesc, _) => "products.created_at DESC".to_owned(),
        };
        // Ties in a stable order, so pages never repeat or skip a product.
        format!(" ORDER BY {key}, products.id ASC")
    }
}

#[derive(Debug, FromQueryResult)]
struct ProductRow {
    id: i32,
    name: String,
    description: String,
    price: Money,
    image_url: String,
    stock: i32,
    category_slug: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<ProductRow> for Product {
    fn from(r: ProductRow) -> Self {
        Self {
            id: r.id,
            name: r.name,
            description: r.description,
            price: r.price.0,
            image_url: r.image_url,
            stock: r.stock,
            category: r.category_slug,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One page (1-based) of the products the filter selects, in its order, with the facets.
/// `NotFound` for an unknown category or a page past the last; `Invalid` for bad values.
/// No suggestions: see [`corrections`].
pub async fn find_products(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
    page: u64,
    page_size: u64,
) -> Result<Listing, ShopError> {
    if page == 0 {
        return Err(ShopError::invalid("page must be 1 or more"));
    }
    validate_page_size(page_size)?;
    let plan = Plan::new(db, filter).await?;
    if plan.matches_nothing() {
        return Ok(empty_listing(page, page_size));
    }

    let tally = Tally::count(db, &plan).await?;
    let total = if filter.in_stock {
        tally.facets.in_stock
    } else {
        tally.matching
    };
    if page > page_count(total, page_size) {
        return Err(ShopError::NotFound);
    }
    // Below the count, so it fits: checked all the same rather than trusted.
    let offset = (page - 1)
        .checked_mul(page_size)
        .and_then(|o| i64::try_from(o).ok())
        .ok_or(ShopError::NotFound)?;

    let limit = i64::try_from(page_size).unwrap_or(1);
    let items = products(db, &plan, Some((limit, offset))).await?;
    Ok(Listing {
        page: ProductPage {
            items,
            total,
            page,
            page_size,
        },
        facets: tally.facets,
        suggestions: Vec::new(),
    })
}

/// Every product the filter selects, in its order (the API's unpaged list).
pub async fn find_all(
    db: &impl ConnectionTrait,
    filter: &ProductFilter,
) -> Result<Vec<Product>, ShopError> {
    let plan = Plan::new(db, filter).await?;
    if plan.matches_nothing() {
        return Ok(Vec::new());
    }
    products(db, &plan, None).await
}

/// The products of a plan in its order, with a `(limit, offset)` or all of them.
async fn products(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
    window: Option<(i64, i64)>,
) -> Result<Vec<Product>, ShopError> {
    let mut sql = Sql::default();
    sql.text.push_str(
        "SELECT products.id, products.name, products.description, products.price, \
         products.image_url, products.stock, products.created_at, products.updated_at, \
         categories.slug AS category_slug",
    );
    let score = plan.push_from_where(
        &mut sql,
        " LEFT JOIN categories ON categories.id = products.category_id",
        Filters::All,
    );
    sql.text.push_str(&plan.order_by(score.as_deref()));
    if let Some((limit, offset)) = window {
        let limit = sql.bind(limit);
        let offset = sql.bind(offset);
        sql.text
            .push_str(&format!(" LIMIT {limit} OFFSET {offset}"));
    }
    Ok(
        ProductRow::find_by_statement(statement(db, &sql.text, sql.values))
            .all(db)
            .await?
            .into_iter()
            .map(Product::from)
            .collect(),
    )
}

fn empty_listing(page: u64, page_size: u64) -> Listing {
    Listing {
        page: ProductPage {
            items: Vec::new(),
            total: 0,
            page,
            page_size,
        },
        facets: Facets::default(),
        suggestions: Vec::new(),
    }
}

/// The price bands' edges in cents: `None` for open ends.
fn band_edges() -> Vec<Option<i64>> {
    let mut edges: Vec<Option<i64>> = vec![None];
    edges.extend(PRICE_BAND_EDGES.iter().map(|e| Some(e * 100)));
    edges.push(None);
    edges
}

/// A listing's counts: how many products it holds and every facet.
struct Tally {
    /// Matches of every filter but **In stock only**.
    matching: u64,
    facets: Facets,
}

impl Tally {
    /// Every count, in two passes over the search's matches (the catalogue without a
    /// search), each reading only the `products_listing` index: one counts the category
    /// facet (every filter but the category), the other, within the category, the total,
    /// the in-stock count and the price bands (each leaving its own filter out, so those
    /// filters are tested per row rather than in `WHERE`).
    async fn count(db: &impl ConnectionTrait, plan: &Plan<'_>) -> Result<Self, ShopError> {
        let edges = band_edges();
        let mut sql = Sql::default();
        let price_ok = plan.price_test(&mut sql);
        let stock_ok = if plan.filter.in_stock {
            "products.stock > 0"
        } else {
            "1 = 1"
        };
        let mut columns = vec![
            format!("SUM(CASE WHEN {price_ok} THEN 1 ELSE 0 END) AS matching"),
            format!(
                "SUM(CASE WHEN {price_ok} AND products.stock > 0 THEN 1 ELSE 0 END) AS in_stock"
            ),
        ];
        for (i, pair) in edges.windows(2).enumerate() {
            let mut band = vec![stock_ok.to_owned()];
            band.extend(pair[0].map(|low| format!("{PRICE_CENTS} >= {low}")));
            band.extend(pair[1].map(|high| format!("{PRICE_CENTS} < {high}")));
            columns.push(format!(
                "SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS band{i}",
                band.join(" AND ")
            ));
        }
        // The SELECT's parameters were bound first; `$n` names them wherever they stand.
        let select = format!("SELECT {}", columns.join(", "));
        plan.push_from_where(&mut sql, "", Filters::CategoryOnly);
        sql.text = format!("{select}{}", sql.text);
        let row = db
            .query_one_raw(statement(db, &sql.text, sql.values))
            .await?
            .ok_or(ShopError::Internal)?;
        let sum = |column: &str| -> Result<u64, ShopError> {
            let n: Option<i64> = row.try_get("", column)?;
            Ok(count(n.unwrap_or(0)))
        };
        let price_bands = edges
            .windows(2)
            .enumerate()
            .map(|(i, pair)| {
                Ok(PriceBand {
                    min: pair[0].map(|c| Decimal::from(c / 100)),
                    max: pair[1].map(|c| Decimal::from(c / 100)),
                    count: sum(&format!("band{i}"))?,
                })
            })
            .collect::<Result<_, ShopError>>()?;
        Ok(Tally {
            matching: sum("matching")?,
            facets: Facets {
                categories: category_counts(db, plan).await?,
                price_bands,
                in_stock: sum("in_stock")?,
            },
        })
    }
}

/// The category facet: every category with a match of the other filters, by name.
async fn category_counts(
    db: &impl ConnectionTrait,
    plan: &Plan<'_>,
) -> Result<Vec<CategoryCount>, ShopError> {
    #[derive(FromQueryResult)]
    struct Row {
        slug: String,
        name: String,
        count: i64,
    }
    // Grouped by id alone (index order, no sort), then named: a join per product row
    // would cost more than the count.
    let mut sql = Sql::default();
    sql.text
        .push_str("SELECT products.category_id AS category_id, COUNT(*) AS count");
    plan.push_from_where(&mut sql, "", Filters::AllButCategory);
    sql.text.push_str(" GROUP BY products.category_id");
    sql.text = format!(
        "SELECT categories.slug, categories.name, counts.count \
         FROM ({}) AS counts JOIN categories ON categories.id = counts.category_id \
         ORDER BY categories.name",
        sql.text
    );
    Ok(Row::find_by_statement(statement(db, &sql.text, sql.values))
        .all(db)
        .await?
        .into_iter()
        .map(|r| CategoryCount {
            slug: r.slug,
            name: r.name,
            count: count(r.count),
        })
        .collect())
}

/// Product names for the search box as the shopper types: the best matches for the words
/// so far (the last one a prefix), at most `limit`.
pub async fn suggest(
    db: &impl ConnectionTrait,
    text: &str,
    limit: u64,
) -> Result<Vec<Suggestion>, ShopError> {
    let words = words(text);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = dialect(db);
    let mut sql = Sql::default();
    let param = sql.bind(dialect.full_text_query(&words));
    let matching = dialect.matching(&param);
    let limit = sql.bind(i64::try_from(limit.min(50)).unwrap_or(1));
    sql.text = format!(
        "SELECT products.id, products.name FROM products{} WHERE {ON_SALE_SQL} AND {} \
         ORDER BY {} ASC, products.id ASC LIMIT {limit}",
        matching.join,
        matching.condition.as_deref().unwrap_or("1 = 1"),
        matching.score,
    );
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        name: String,
    }
    Ok(Row::find_by_statement(statement(db, &sql.text, sql.values))
        .all(db)
        .await?
        .into_iter()
        .map(|r| Suggestion {
            id: r.id,
            name: r.name,
        })
        .collect())
}

/// The words of every product name, with how many names use each: what typos are
/// corrected towards. Small (a catalogue's names share their words), so it is kept in memory
/// by the catalogue cache.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    counts: HashMap<String, u32>,
}

impl Vocabulary {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, ShopError> {
        #[derive(FromQueryResult)]
        struct Name {
            name: String,
        }
        let names = Name::find_by_statement(statement(
            db,
            &format!("SELECT name FROM products WHERE {ON_SALE_SQL}"),
            vec![],
        ))
        .all(db)
        .await?;
        Ok(Self::from_names(names.iter().map(|n| n.name.as_str())))
    }

    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut counts = HashMap::new();
        for name in names {
            for word in words(name) {
                *counts.entry(word).or_insert(0u32) += 1;
            }
        }
        Self { counts }
    }

    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Roughly the bytes it holds (for the cache's weigher).
    pub fn weight(&self) -> usize {
        self.counts.keys().map(|w| w.len() + 32).sum()
    }

    /// The closest known word: the word itself when a name word starts with it, else the
    /// most used word within the edit distance its length allows (1 up to 4 letters, then
    /// 2), else `None`.
    pub fn correct(&self, word: &str) -> Option<String> {
        if self.counts.keys().any(|known| known.starts_with(word)) {
            return Some(word.to_owned());
        }
        let allowed = if word.chars().count() <= 4 { 1 } else { 2 };
        self.counts
            .iter()
            .filter_map(|(known, uses)| {
                let distance = strsim::damerau_levenshtein(word, known);
                (distance <= allowed).then_some((distance, std::cmp::Reverse(*uses), known))
            })
            .min()
            .map(|(_, _, known)| known.clone())
    }
}

/// "Did you mean": when a search found nothing, the products found by its words corrected
/// towards the names' vocabulary (`espreso` finds the espresso machine). Empty when no word
/// needed or had a correction.
pub async fn corrections(
    db: &impl ConnectionTrait,
    vocabulary: &Vocabulary,
    text: &str,
    limit: u64,
) -> Result<Vec<Suggestion>, ShopError> {
    let original = words(text);
    let corrected: Vec<String> = original
        .iter()
        .filter_map(|w| vocabulary.correct(w))
        .collect();
    if corrected.is_empty() || corrected == original {
        return Ok(Vec::new());
    }
    suggest(db, &corrected.join(" "), limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_only() {
        assert_eq!(
            words(r#"  "Espresso" -machine* OR (NEAR:kettle) 'x'; DROP TABLE products;--"#),
            ["espresso", "machine", "or", "near", "kettle", "x", "drop", "table"]
        );
        assert_eq!(words("Café crème 10kg"), ["café", "crème", "10kg"]);
        assert!(words("*** --- ::: \"\"").is_empty());
        assert_eq!(words(&"a".repeat(1000)), ["a".repeat(MAX_WORD_LEN)]);
    }

    #[test]
    fn queries_quote_every_word() {
        let w = vec!["or".to_owned(), "near".to_owned()];
        assert_eq!(Sqlite.full_text_query(&w), r#""or"* "near"*"#);
        assert_eq!(Postgres.full_text_query(&w), "or:* & near:*");
    }

    #[test]
    fn typos_are_corrected_towards_name_words() {
        let vocabulary = Vocabulary::from_names([
            "Duo Espresso Machine",
            "Gooseneck Pour-Over Kettle",
            "Espresso Cups",
        ]);
        assert_eq!(vocabulary.correct("espreso").as_deref(), Some("espresso"));
        assert_eq!(vocabulary.correct("kettel").as_deref(), Some("kettle"));
        assert_eq!(vocabulary.correct("goose").as_deref(), Some("goose"));
        assert_eq!(vocabulary.correct("zzzzzz"), None);
        assert_eq!(
            vocabulary.correct("mxa"),
            None,
            "short words allow one edit"
        );
    }
}

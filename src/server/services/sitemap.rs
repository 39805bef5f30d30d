//! The sitemap (sitemaps.org protocol 0.9): every page a search engine should index — the
//! home page, each category and each product, with the product's last change — as absolute
//! URLs. A file may hold at most [`MAX_URLS_PER_FILE`] URLs: past that, the sitemap is an
//! index of numbered files, each a consecutive slice of the same list (home, categories by
//! slug, products by id).
//!
//! Only ids and timestamps are read (never whole products), a file's products in one
//! indexed range query, and the XML is written straight into one buffer.

use crate::error::ShopError;
use crate::server::entities::{category, product};
use crate::server::services::catalogue::on_sale;
use crate::server::services::statement;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::fmt::Write;
use std::ops::Range;

/// The protocol's limit of URLs in one file (and of files in one index).
pub const MAX_URLS_PER_FILE: u64 = 50_000;

const XML_HEADER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const NAMESPACE: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
/// Roughly the bytes of one `<url>` entry, to size the buffer once.
const ENTRY_BYTES: usize = 110;

/// The path of sitemap file `n` (1-based), as the index links it.
pub fn file_path(n: u64) -> String {
    format!("/sitemaps/{n}.xml")
}

/// What the list holds: the home page, then these categories, then `products` products.
struct Layout {
    category_slugs: Vec<String>,
    products: u64,
}

impl Layout {
    async fn read(db: &impl ConnectionTrait) -> Result<Self, ShopError> {
        let category_slugs = category::Entity::find()
            .select_only()
            .column(category::Column::Slug)
            .order_by_asc(category::Column::Slug)
            .into_tuple::<String>()
            .all(db)
            .await?;
        let products = product::Entity::find().filter(on_sale()).count(db).await?;
        Ok(Self {
            category_slugs,
            products,
        })
    }

    /// Entries before the first product: the home page and the categories.
    fn pages(&self) -> u64 {
        1 + self.category_slugs.len() as u64
    }

    fn total(&self) -> u64 {
        self.pages() + self.products
    }

    fn file_count(&self) -> u64 {
        self.total().div_ceil(MAX_URLS_PER_FILE).max(1)
    }

    /// The entries of file `n` (1-based).
    fn file_range(&self, n: u64) -> Range<u64> {
        let start = (n - 1) * MAX_URLS_PER_FILE;
        start..(start + MAX_URLS_PER_FILE).min(self.total())
    }

    /// The products of an entry range, as (offset, limit) in id order; `None` if it has none.
    fn product_window(&self, entries: &Range<u64>) -> Option<(u64, u64)> {
        let first = entries.start.max(self.pages());
        (first < entries.end).then(|| (first - self.pages(), entries.end - first))
    }
}

/// `/sitemap.xml`: every URL when they fit in one file, else the index of the files.
pub async fn sitemap(db: &impl ConnectionTrait, base_url: &str) -> Result<String, ShopError> {
    let layout = Layout::read(db).await?;
    if layout.file_count() == 1 {
        return url_set(db, base_url, &layout, 1).await;
    }
    index(db, base_url, &layout).await
}

/// Sitemap file `n` (1-based) of the index; `NotFound` past the last one. With a small
/// catalogue there is one file, the same list as [`sitemap`].
pub async fn sitemap_file(
    db: &impl ConnectionTrait,
    base_url: &str,
    n: u64,
) -> Result<String, ShopError> {
    let layout = Layout::read(db).await?;
    if n == 0 || n > layout.file_count() {
        return Err(ShopError::NotFound);
    }
    url_set(db, base_url, &layout, n).await
}

async fn url_set(
    db: &impl ConnectionTrait,
    base_url: &str,
    layout: &Layout,
    n: u64,
) -> Result<String, ShopError> {
    let entries = layout.file_range(n);
    let products = match layout.product_window(&entries) {
        Some((offset, limit)) => product_stamps(db, offset, limit).await?,
        None => Vec::new(),
    };
    let capacity = usize::try_from(entries.end - entries.start)
        .unwrap_or(0)
        .saturating_mul(ENTRY_BYTES);
    let mut xml = String::with_capacity(capacity + 200);
    xml.push_str(XML_HEADER);
    let _ = writeln!(xml, "<urlset xmlns=\"{NAMESPACE}\">");
    let base = escape(base_url);
    let pages = std::iter::once("/".to_owned()).chain(
        layout
            .category_slugs
            .iter()
            .map(|slug| format!("/category/{slug}")),
    );
    for (i, path) in (0u64..).zip(pages) {
        if entries.contains(&i) {
            let _ = writeln!(xml, "<url><loc>{base}{}</loc></url>", escape(&path));
        }
    }
    for (id, updated_at) in products {
        let _ = writeln!(
            xml,
            "<url><loc>{base}/product/{id}</loc><lastmod>{}</lastmod></url>",
            w3c_datetime(updated_at)
        );
    }
    xml.push_str("</urlset>\n");
    Ok(xml)
}

async fn index(
    db: &impl ConnectionTrait,
    base_url: &str,
    layout: &Layout,
) -> Result<String, ShopError> {
    let base = escape(base_url);
    let mut xml = String::with_capacity(200 + 120 * layout.file_count() as usize);
    xml.push_str(XML_HEADER);
    let _ = writeln!(xml, "<sitemapindex xmlns=\"{NAMESPACE}\">");
    for n in 1..=layout.file_count() {
        let _ = write!(xml, "<sitemap><loc>{base}{}</loc>", file_path(n));
        let window = layout.product_window(&layout.file_range(n));
        if let Some((offset, limit)) = window {
            if let Some(changed) = last_change(db, offset, limit).await? {
                let _ = write!(xml, "<lastmod>{}</lastmod>", w3c_datetime(changed));
            }
        }
        xml.push_str("</sitemap>\n");
    }
    xml.push_str("</sitemapindex>\n");
    Ok(xml)
}

/// (id, updated_at) of `limit` products from `offset`, by id.
async fn product_stamps(
    db: &impl ConnectionTrait,
    offset: u64,
    limit: u64,
) -> Result<Vec<(i32, DateTime<Utc>)>, ShopError> {
    Ok(product::Entity::find()
        .filter(on_sale())
        .select_only()
        .column(product::Column::Id)
        .column(product::Column::UpdatedAt)
        .order_by_asc(product::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_tuple::<(i32, DateTime<Utc>)>()
        .all(db)
        .await?)
}

/// The latest change among `limit` products from `offset`, by id: a file's `<lastmod>`.
async fn last_change(
    db: &impl ConnectionTrait,
    offset: u64,
    limit: u64,
) -> Result<Option<DateTime<Utc>>, ShopError> {
    #[derive(FromQueryResult)]
    struct Row {
        changed: Option<DateTime<Utc>>,
    }
    let to_i64 = |n: u64| i64::try_from(n).map_err(|_| ShopError::NotFound);
    let sql = "SELECT MAX(chunk.updated_at) AS changed FROM \
               (SELECT updated_at FROM products WHERE products.archived_at IS NULL \
                ORDER BY id LIMIT $1 OFFSET $2) AS chunk";
    let values = vec![to_i64(limit)?.into(), to_i64(offset)?.into()];
    Ok(Row::find_by_statement(statement(db, sql, values))
        .one(db)
        .await?
        .and_then(|row| row.changed))
}

/// W3C Datetime, as the protocol asks: `2026-11-30T17:10:17Z`.
fn w3c_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Escapes the five characters XML reserves (the protocol requires it in URLs too).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(categories: usize, products: u64) -> Layout {
        Layout {
            category_slugs: (0..categories).map(|i| format!("c{i}")).collect(),
            products,
        }
    }

    #[test]
    fn one_file_until_the_limit() {
        let l = layout(6, MAX_URLS_PER_FILE - 7);
        assert_eq!(l.file_count(), 1);
        assert_eq!(
            l.product_window(&l.file_range(1)),
            Some((0, MAX_URLS_PER_FILE - 7))
        );
        assert_eq!(layout(0, 0).file_count(), 1, "the home page alone");
    }

    #[test]
    fn files_are_consecutive_slices() {
        let l = layout(6, 100_000);
        assert_eq!(l.file_count(), 3);
        assert_eq!(l.file_range(1), 0..50_000);
        assert_eq!(l.product_window(&l.file_range(1)), Some((0, 49_993)));
        assert_eq!(l.product_window(&l.file_range(2)), Some((49_993, 50_000)));
        assert_eq!(l.file_range(3), 100_000..100_007);
        assert_eq!(l.product_window(&l.file_range(3)), Some((99_993, 7)));
    }

    #[test]
    fn reserved_characters_are_escaped() {
        assert_eq!(
            escape(r#"https://a.example/?x=1&y='<2>'"#),
            "https://a.example/?x=1&amp;y=&apos;&lt;2&gt;&apos;"
        );
        let at = DateTime::parse_from_rfc3339("2026-11-30T17:10:17.123+00:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(w3c_datetime(at), "2026-11-30T17:10:17Z");
    }
}

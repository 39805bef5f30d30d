//! What search engines read, through the real router, on SQLite and PostgreSQL: robots.txt,
//! the sitemap (one file, and an index of files past 50,000 URLs, seeded by the real
//! seeder), the canonical link and robots meta of every kind of page, and the product pages'
//! structured data.
#![cfg(feature = "ssr")]

mod common;

use axum::http::{header, StatusCode};
use axum::Router;
use common::http::{app_state_with, get, post_json, router_for, Reply};
use common::TestDb;
use regex::Regex;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder, QuerySelect};
use serde_json::{json, Value};
use shop::server::entities::product;
use shop::server::seed;
use shop::server::services::{catalogue, categories};
use shop::server::AppState;
use std::collections::{BTreeSet, HashSet};

const PUBLIC: &str = "https://shop.example";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn state(t: &TestDb) -> AppState {
    app_state_with(t, &[("SHOP_PUBLIC_URL", PUBLIC)])
}

/// The attributes of every `<tag …>` in `html`, decoded.
fn tags(html: &str, tag: &str) -> Vec<Vec<(String, String)>> {
    let tag_re = Regex::new(&format!(r"<{tag}\b([^>]*)>")).unwrap();
    let attr_re = Regex::new(r#"([a-zA-Z_:-]+)="([^"]*)""#).unwrap();
    tag_re
        .captures_iter(html)
        .map(|c| {
            attr_re
                .captures_iter(&c[1])
                .map(|a| (a[1].to_owned(), a[2].replace("&amp;", "&")))
                .collect()
        })
        .collect()
}

fn attr<'a>(tag: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tag.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The href of every `<link rel="canonical">`.
fn canonicals(html: &str) -> Vec<String> {
    tags(html, "link")
        .iter()
        .filter(|t| attr(t, "rel") == Some("canonical"))
        .filter_map(|t| attr(t, "href").map(str::to_owned))
        .collect()
}

/// The content of every `<meta name="{name}">`.
fn metas(html: &str, name: &str) -> Vec<String> {
    tags(html, "meta")
        .iter()
        .filter(|t| attr(t, "name") == Some(name) || attr(t, "property") == Some(name))
        .filter_map(|t| attr(t, "content").map(str::to_owned))
        .collect()
}

/// Every JSON-LD block of the page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    let re = Regex::new(r#"(?s)<script type="application/ld\+json"[^>]*>(.*?)</script>"#).unwrap();
    re.captures_iter(html)
        .map(|c| {
            serde_json::from_str(&c[1])
                .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", &c[1]))
        })
        .collect()
}

fn of_type<'a>(blocks: &'a [Value], kind: &str) -> &'a Value {
    let found: Vec<&Value> = blocks.iter().filter(|b| b["@type"] == kind).collect();
    assert_eq!(found.len(), 1, "one {kind} block: {blocks:?}");
    found[0]
}

/// A page's meta as search engines read it: one canonical link (absolute), one title, one
/// description, and whether it says noindex.
fn page_meta(reply: &Reply, path: &str) -> (String, bool) {
    let html = reply.text();
    let canonical = canonicals(&html);
    assert_eq!(
        canonical.len(),
        1,
        "{path}: one canonical link: {canonical:?}"
    );
    assert_eq!(html.matches("<title>").count(), 1, "{path}: one title");
    assert_eq!(
        metas(&html, "description").len(),
        1,
        "{path}: one description"
    );
    assert_eq!(metas(&html, "og:url"), [canonical[0].clone()], "{path}");
    let robots = metas(&html, "robots");
    assert!(robots.len() <= 1, "{path}: {robots:?}");
    (
        canonical[0].clone(),
        robots.iter().any(|r| r.contains("noindex")),
    )
}

fn xml(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/xml");
    let cache = reply.headers[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cache.starts_with("public, max-age="), "{cache}");
    reply.text()
}

/// The `<loc>` (and `<lastmod>`) of each entry of a sitemap or index, checking the root.
fn entries(text: &str, root: &str, entry: &str) -> Vec<(String, Option<String>)> {
    let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not XML ({e})"));
    let root_el = doc.root_element();
    assert_eq!(root_el.tag_name().name(), root);
    assert_eq!(root_el.tag_name().namespace(), Some(SITEMAP_NS));
    let child = |node: roxmltree::Node, name: &str| {
        node.children()
            .find(|c| c.has_tag_name((SITEMAP_NS, name)))
            .and_then(|c| c.text())
            .map(str::to_owned)
    };
    root_el
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            assert!(n.has_tag_name((SITEMAP_NS, entry)), "{:?}", n.tag_name());
            (
                child(n, "loc").expect("every entry has a loc"),
                child(n, "lastmod"),
            )
        })
        .collect()
}

async fn robots_txt_keeps_crawlers_out_of_private_paths(t: &TestDb) {
    let app = router_for(state(t));
    let r = get(&app, "/robots.txt").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::CONTENT_TYPE], "text/plain; charset=utf-8");
    assert_eq!(
        r.text(),
        "User-agent: *\n\
         Disallow: /api/\n\
         Disallow: /_fn/\n\
         Disallow: /cart\n\
         Disallow: /checkout\n\
         Disallow: /orders/\n\
         \n\
         Sitemap: https://shop.example/sitemap.xml\n"
    );
}

async fn sitemap_lists_home_categories_and_products(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let app = router_for(state(t));
    let text = xml(&get(&app, "/sitemap.xml").await);
    let listed = entries(&text, "urlset", "url");
    let locs: Vec<&str> = listed.iter().map(|(loc, _)| loc.as_str()).collect();
    let categories = categories::list_categories(&t.db).await.unwrap();
    let products = catalogue::all_products(&t.db).await.unwrap();
    assert_eq!(locs.len(), 1 + categories.len() + products.len());
    assert_eq!(
        locs.iter().collect::<HashSet<_>>().len(),
        locs.len(),
        "no repeats"
    );
    assert_eq!(locs[0], "https://shop.example/");
    for c in &categories {
        let loc = format!("{PUBLIC}/category/{}", c.slug);
        assert!(locs.contains(&loc.as_str()), "{loc}");
    }
    for p in &products {
        let loc = format!("{PUBLIC}/product/{}", p.id);
        let (_, lastmod) = listed
            .iter()
            .find(|(l, _)| *l == loc)
            .unwrap_or_else(|| panic!("{loc} missing"));
        let lastmod = lastmod.as_deref().expect("products have a lastmod");
        let parsed = chrono::DateTime::parse_from_rfc3339(lastmod).unwrap();
        assert_eq!(parsed.timestamp(), p.updated_at.timestamp(), "{loc}");
    }
    assert!(!text.contains("<sitemapindex"));

    // The one file is also file 1; nothing else is.
    assert_eq!(xml(&get(&app, "/sitemaps/1.xml").await), text);
    for missing in [
        "/sitemaps/2.xml",
        "/sitemaps/0.xml",
        "/sitemaps/01.xml",
        "/sitemaps/x.xml",
        "/sitemaps/1",
    ] {
        assert_eq!(
            get(&app, missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
}

async fn sitemap_past_50000_urls_is_an_index_of_files(t: &TestDb) {
    seed::seed_if_empty(&t.db, 50_100).await.unwrap();
    let app = router_for(state(t));
    let index = entries(
        &xml(&get(&app, "/sitemap.xml").await),
        "sitemapindex",
        "sitemap",
    );
    assert_eq!(
        index
            .iter()
            .map(|(loc, _)| loc.as_str())
            .collect::<Vec<_>>(),
        [
            "https://shop.example/sitemaps/1.xml",
            "https://shop.example/sitemaps/2.xml"
        ]
    );
    let mut listed = Vec::new();
    for (loc, lastmod) in &index {
        assert!(chrono::DateTime::parse_from_rfc3339(lastmod.as_deref().unwrap()).is_ok());
        let path = loc.strip_prefix(PUBLIC).unwrap();
        let file = entries(&xml(&get(&app, path).await), "urlset", "url");
        assert!(file.len() <= 50_000, "{path}: {}", file.len());
        listed.extend(file.into_iter().map(|(loc, _)| loc));
    }
    assert_eq!(
        get(&app, "/sitemaps/3.xml").await.status,
        StatusCode::NOT_FOUND
    );

    let ids: Vec<i32> = product::Entity::find()
        .select_only()
        .column(product::Column::Id)
        .order_by_asc(product::Column::Id)
        .into_tuple()
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(ids.len(), 50_100);
    let categories = categories::list_categories(&t.db).await.unwrap();
    let mut expected: Vec<String> = vec![format!("{PUBLIC}/")];
    expected.extend(
        categories
            .iter()
            .map(|c| format!("{PUBLIC}/category/{}", c.slug)),
    );
    expected.extend(ids.iter().map(|id| format!("{PUBLIC}/product/{id}")));
    assert_eq!(listed.len(), expected.len(), "every URL once");
    let listed: BTreeSet<String> = listed.into_iter().collect();
    assert_eq!(listed, expected.into_iter().collect::<BTreeSet<_>>());
}

async fn place_order(app: &Router, product: i32) -> String {
    let r = post_json(
        app,
        "/api/cart/",
        json!({"session_id": "seo", "product_id": product, "quantity": 1}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = post_json(
        app,
        "/api/orders/",
        json!({
            "session_id": "seo",
            "email": "ada@example.com",
            "shipping_address": {"name": "Ada Lovelace", "line1": "12 Harbor Road", "line2": "",
                                 "city": "Portland", "postal_code": "97201", "country": "US"},
            "shipping_method": "standard",
            "payment": {"method": "cash_on_delivery"}
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_owned()
}

async fn every_page_has_one_canonical_link_and_private_ones_say_noindex(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let app = router_for(state(t));
    let id = catalogue::all_products(&t.db).await.unwrap()[6].id;
    let token = place_order(&app, id).await;
    let order = format!("/orders/{token}");
    let product = format!("/product/{id}");
    let padded = format!("/product/000{id}");
    // (path, status, canonical, noindex)
    let pages = [
        ("/", 200, "/", false),
        ("/?page=1", 200, "/", false),
        ("/?page=2", 200, "/?page=2", false),
        (product.as_str(), 200, product.as_str(), false),
        // Another spelling of the same product points at the one URL.
        (padded.as_str(), 200, product.as_str(), false),
        ("/cart", 200, "/cart", true),
        ("/checkout", 200, "/checkout", true),
        (order.as_str(), 200, order.as_str(), true),
        ("/orders/nosuchorder", 404, "/orders/nosuchorder", true),
        ("/product/999999", 404, "/product/999999", true),
        ("/no-such-page", 404, "/no-such-page", true),
        ("/?page=99", 404, "/", true),
    ];
    for (path, status, canonical, noindex) in pages {
        let r = get(&app, path).await;
        assert_eq!(r.status.as_u16(), status, "{path}");
        assert_eq!(
            page_meta(&r, path),
            (format!("{PUBLIC}{canonical}"), noindex),
            "{path}"
        );
    }
    let home = get(&app, "/?page=2").await.text();
    let title = Regex::new("<title>(.*?)</title>")
        .unwrap()
        .captures(&home)
        .unwrap()[1]
        .to_owned();
    assert!(
        title.starts_with("Shop, page 2 · Harbor &"),
        "own title per page: {title}"
    );
}

async fn product_pages_describe_the_product_for_rich_results(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let state = state(t);
    let app = router_for(state.clone());
    let p = catalogue::all_products(&t.db).await.unwrap().remove(6);
    let slug = p.category.clone().expect("demo products have a category");
    let category = state.catalogue.category(&t.db, &slug).await.unwrap();
    let path = format!("/product/{}", p.id);
    let url = format!("{PUBLIC}{path}");
    let html = get(&app, &path).await.text();

    let blocks = json_ld(&html);
    assert_eq!(blocks.len(), 2);
    let data = of_type(&blocks, "Product");
    assert_eq!(data["@context"], "https://schema.org");
    assert_eq!(data["name"], p.name.as_str());
    assert_eq!(data["description"], p.description.as_str());
    assert_eq!(data["image"], json!([format!("{PUBLIC}{}", p.image_url)]));
    assert_eq!(data["sku"], p.id.to_string());
    assert_eq!(data["url"], url.as_str());
    let offer = &data["offers"];
    assert_eq!(offer["@type"], "Offer");
    assert_eq!(offer["price"], shop::model::money::to_string(p.price));
    assert!(Regex::new(r"^\d+\.\d\d$")
        .unwrap()
        .is_match(offer["price"].as_str().unwrap()));
    assert_eq!(offer["priceCurrency"], "USD");
    assert_eq!(offer["url"], url.as_str());
    let expected = if p.stock > 0 { "InStock" } else { "OutOfStock" };
    assert_eq!(
        offer["availability"],
        format!("https://schema.org/{expected}")
    );

    let crumbs = of_type(&blocks, "BreadcrumbList");
    assert_eq!(crumbs["@context"], "https://schema.org");
    assert_eq!(
        crumbs["itemListElement"],
        json!([
            {"@type": "ListItem", "position": 1, "name": "Home", "item": format!("{PUBLIC}/")},
            {"@type": "ListItem", "position": 2, "name": category.name,
             "item": format!("{PUBLIC}/category/{slug}")},
            {"@type": "ListItem", "position": 3, "name": p.name, "item": url},
        ])
    );
    // The visible trail links the category too.
    let at = html.find("Breadcrumb").expect("a breadcrumb nav");
    let nav = html[at..at + html[at..].find("</nav>").unwrap()].to_owned();
    assert!(
        nav.contains(&format!("<a href=\"/category/{slug}\">{}<", category.name)),
        "{nav}"
    );
    assert_eq!(metas(&html, "og:type"), ["product"]);
    assert_eq!(
        metas(&html, "og:image"),
        [format!("{PUBLIC}{}", p.image_url)]
    );
    assert_eq!(metas(&html, "twitter:card"), ["summary_large_image"]);

    // The offer follows the live stock.
    for (stock, availability) in [(0, "OutOfStock"), (4, "InStock")] {
        product::ActiveModel {
            id: Set(p.id),
            stock: Set(stock),
            ..Default::default()
        }
        .update(&t.db)
        .await
        .unwrap();
        state.catalogue.invalidate();
        let blocks = json_ld(&get(&app, &path).await.text());
        assert_eq!(
            of_type(&blocks, "Product")["offers"]["availability"],
            format!("https://schema.org/{availability}"),
            "stock {stock}"
        );
    }

    // Without a category the trail is Home → product, and nothing links a category.
    let plain = t.product("Plain Mug", "9.50", 2).await;
    let html = get(&app, &format!("/product/{plain}")).await.text();
    let blocks = json_ld(&html);
    let items = of_type(&blocks, "BreadcrumbList")["itemListElement"].clone();
    assert_eq!(items.as_array().unwrap().len(), 2);
    assert_eq!(items[1]["name"], "Plain Mug");
    assert!(of_type(&blocks, "Product").get("category").is_none());
    // The navbar links every category; the breadcrumb trail must not.
    let trail = html
        .split_once("class=\"breadcrumbs\"")
        .and_then(|(_, rest)| rest.split_once("</nav>"))
        .map(|(trail, _)| trail)
        .expect("the breadcrumb trail");
    assert!(!trail.contains("href=\"/category/"), "{trail}");
}

async fn a_product_name_cannot_break_out_of_the_structured_data(t: &TestDb) {
    let name = "Evil </title></script><script>alert(1)</script><!-- & \u{2028}";
    let id = t.product(name, "1.00", 1).await;
    let app = router_for(state(t));
    let html = get(&app, &format!("/product/{id}")).await.text();
    if let Some(at) = html.find("<script>alert(1)") {
        panic!(
            "markup from the name reaches the page: {}",
            &html[at.saturating_sub(300)..at + 50]
        );
    }
    let blocks = json_ld(&html);
    assert_eq!(blocks.len(), 2, "both blocks end where they should");
    assert_eq!(of_type(&blocks, "Product")["name"], name);
    assert_eq!(
        of_type(&blocks, "Product")["description"],
        format!("{name}, for tests.")
    );
}

on_both_backends!(
    robots_txt_keeps_crawlers_out_of_private_paths,
    sitemap_lists_home_categories_and_products,
    sitemap_past_50000_urls_is_an_index_of_files,
    every_page_has_one_canonical_link_and_private_ones_say_noindex,
    product_pages_describe_the_product_for_rich_results,
    a_product_name_cannot_break_out_of_the_structured_data,
);

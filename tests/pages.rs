//! The storefront's server side through the real router: server-rendered pages (content,
//! status codes, the session cookie, the cart count on first paint) and the server
//! functions' cross-site protection and no-JavaScript form posts.
#![cfg(feature = "ssr")]

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::http::{app, get, page, send, testid_text, Reply, HOST};
use common::TestDb;
use shop::server::seed;
use shop::server::services::catalogue;
use shop::server::session::{new_session_id, COOKIE_NAME};

async fn call_server_fn(
    app: &axum::Router,
    path: &str,
    form: &str,
    session: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::COOKIE, format!("{COOKIE_NAME}={session}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(app, request.body(Body::from(form.to_owned())).unwrap()).await
}

async fn api_cart_count(app: &axum::Router, session: &str) -> i64 {
    let cart = get(app, &format!("/api/cart/?session_id={session}"))
        .await
        .json();
    cart.as_array()
        .unwrap()
        .iter()
        .map(|i| i["quantity"].as_i64().unwrap())
        .sum()
}

async fn pages_render_on_the_server(t: &TestDb) {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let app = app(t);
    let products = catalogue::all_products(&t.db).await.unwrap();

    let home = get(&app, "/").await;
    assert_eq!(home.status, StatusCode::OK);
    let html = home.text();
    assert!(html.contains(&products[0].name) && html.contains(&products[23].name));
    assert!(!html.contains(&products[24].name), "24 per page");
    assert_eq!(testid_text(&html, "cart-count").as_deref(), Some("0"));
    let cookie = home.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let second = get(&app, "/?page=2").await.text();
    assert!(second.contains(&products[24].name) && !second.contains(&products[0].name));
    assert!(
        second.contains("href=\"/?page=1\""),
        "page links work without JS"
    );

    let product = &products[0];
    let detail = get(&app, &format!("/product/{}", product.id)).await;
    assert_eq!(detail.status, StatusCode::OK);
    let html = detail.text();
    assert!(
        html.contains(&format!("<title>{} · ", product.name)),
        "title"
    );
    assert!(html.contains(&shop::model::format_money(product.price)));
    assert!(html.contains("Add to Cart") || product.stock == 0);

    for missing in ["/product/999999", "/product/abc", "/no-such-page"] {
        let r = get(&app, missing).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(r.text().contains("Page not found"), "{missing}");
    }
    let cart = get(&app, "/cart").await;
    assert_eq!(cart.status, StatusCode::OK);
    assert!(cart.text().contains("Your cart is empty"));
    // Assets and the API do not hand out session cookies.
    assert!(get(&app, "/api/products/")
        .await
        .headers
        .get(header::SET_COOKIE)
        .is_none());
}

async fn server_fns_change_only_same_origin_carts(t: &TestDb) {
    let id = t.product("Kettle", "30.00", 5).await;
    let app = app(t);
    let session = new_session_id();
    let form = format!("product_id={id}&quantity=2");
    let own = [("origin", "http://127.0.0.1:3000")];
    let added = call_server_fn(&app, "/_fn/cart/add", &form, &session, &own).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    assert_eq!(api_cart_count(&app, &session).await, 2);
    // The server renders the right cart: count on first paint, and the line on /cart.
    let html = page(&app, "/cart", &session).await.text();
    assert_eq!(testid_text(&html, "cart-count").as_deref(), Some("2"));
    assert!(html.contains("Kettle") && html.contains("$60.00"));
    assert_eq!(
        testid_text(&page(&app, "/", &session).await.text(), "cart-count").as_deref(),
        Some("2")
    );

    // Cross-site: refused, nothing changes.
    for headers in [
        vec![("origin", "https://evil.example")],
        vec![("referer", "https://evil.example/page")],
        vec![],
    ] {
        let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &headers).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
        let r = call_server_fn(
            &app,
            "/_fn/cart/remove",
            &format!("product_id={id}"),
            &session,
            &headers,
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}");
    }
    assert_eq!(api_cart_count(&app, &session).await, 2);
    // With JavaScript, a refusal answers with its own status and says why: the message for
    // people in `error` (what the islands show), the error itself in `detail`.
    let over = call_server_fn(
        &app,
        "/_fn/cart/add",
        &format!("product_id={id}&quantity=4"),
        &session,
        &own,
    )
    .await;
    assert_eq!(over.status, StatusCode::CONFLICT);
    let refusal: serde_json::Value = serde_json::from_str(&over.text()).unwrap();
    assert_eq!(
        refusal,
        serde_json::json!({"error": "Only 3 left", "detail": {"OutOfStock": {"available": 3}}})
    );
    assert_eq!(api_cart_count(&app, &session).await, 2);

    // Without JavaScript a form post comes back to the page, with the error in the URL.
    let no_js = [
        ("origin", "http://127.0.0.1:3000"),
        ("referer", "http://127.0.0.1:3000/cart"),
        ("accept", "text/html"),
    ];
    let r = call_server_fn(
        &app,
        "/_fn/cart/update",
        &format!("product_id={id}&quantity=3"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    // Leptos strips earlier error info from the Referer and may leave an empty query behind.
    let location = r.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(location.trim_end_matches('?'), "http://127.0.0.1:3000/cart");
    assert_eq!(api_cart_count(&app, &session).await, 3);
    let r = call_server_fn(
        &app,
        "/_fn/cart/update",
        &format!("product_id={id}&quantity=9"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    assert!(location.contains("__err="), "{location}");
    let path = location.trim_start_matches("http://127.0.0.1:3000");
    let html = page(&app, path, &session).await.text();
    assert!(
        html.contains("Only 5 left"),
        "the error is shown after the redirect"
    );
    // With JavaScript the cart island reads this same page: its cart, each line by product,
    // and the refusal as an alert in the status area.
    assert_eq!(testid_text(&html, "status").as_deref(), Some("Only 5 left"));
    for part in [
        r#"id="cart-contents""#.to_string(),
        format!(r#"data-product-id="{id}""#),
        r#"<p role="alert" data-testid="status""#.to_string(),
        r#"aria-live="polite""#.to_string(),
    ] {
        assert!(html.contains(&part), "{part} in {html}");
    }
    assert_eq!(api_cart_count(&app, &session).await, 3);
    let r = call_server_fn(
        &app,
        "/_fn/cart/remove",
        &format!("product_id={id}"),
        &session,
        &no_js,
    )
    .await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(api_cart_count(&app, &session).await, 0);
    assert!(page(&app, "/cart", &session)
        .await
        .text()
        .contains("Your cart is empty"));
}

/// Page numbers no catalogue has, and server-function arguments that do not decode, are the
/// caller's error: a 404 or 400 at once, never a 500, a dropped connection or a timeout.
async fn hostile_page_numbers_and_arguments_answer_at_once(t: &TestDb) {
    let id = t.product("Kettle", "30.00", 5).await;
    let app = app(t);
    let answers = [
        ("/?page=18446744073709551615", 404),
        ("/?page=9223372036854775808", 404),
        ("/?page=99999999999999999999999", 404),
        ("/?page=0", 404),
        ("/?page=-1", 404),
        ("/?page=abc", 404),
        ("/?page=2", 404),
        ("/?page=1", 200),
        ("/_fn/products?page=18446744073709551615", 404),
        ("/_fn/products?page=99999999999999999999999", 400),
        ("/_fn/products?page=x", 400),
        ("/_fn/product?id=99999999999", 400),
        ("/_fn/product?id=2147483647", 404),
        ("/product/99999999999999999999", 404),
    ];
    for (uri, expected) in answers {
        let reply = tokio::time::timeout(std::time::Duration::from_secs(5), get(&app, uri))
            .await
            .unwrap_or_else(|_| panic!("{uri} did not answer at once"));
        assert_eq!(reply.status.as_u16(), expected, "{uri}: {}", reply.text());
    }
    let session = new_session_id();
    let own = [("origin", "http://127.0.0.1:3000")];
    for form in [
        "product_id=1&quantity=99999999999999999999".to_string(),
        format!("product_id={id}&quantity=abc"),
        format!("product_id={id}"),
        "product_id=99999999999&quantity=1".to_string(),
    ] {
        let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &own).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.text());
        assert!(
            r.text().contains("could not read that request"),
            "{}",
            r.text()
        );
    }
    // Without JavaScript the form comes back to its page with a friendly message.
    let referer = format!("http://127.0.0.1:3000/product/{id}");
    let no_js = [
        ("origin", "http://127.0.0.1:3000"),
        ("referer", referer.as_str()),
        ("accept", "text/html"),
    ];
    let form = format!("product_id={id}&quantity=99999999999999999999");
    let r = call_server_fn(&app, "/_fn/cart/add", &form, &session, &no_js).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let html = page(
        &app,
        location.trim_start_matches("http://127.0.0.1:3000"),
        &session,
    )
    .await
    .text();
    assert!(
        html.contains("Sorry, we could not read that request"),
        "the message is shown on the page"
    );
    assert_eq!(api_cart_count(&app, &session).await, 0);
}

/// HTML text as read: the entities the renderer writes, decoded.
fn unescape(text: &str) -> String {
    text.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The product cards' names, in page order.
fn card_names(html: &str) -> Vec<String> {
    let marker = "class=\"product-card-name\">";
    html.match_indices(marker)
        .map(|(at, _)| {
            let start = at + marker.len();
            let end = start + html[start..].find("</h2>").expect("card name ends");
            unescape(&html[start..end])
        })
        .collect()
}

/// The `href` of the `<link rel="canonical">`.
fn canonical(html: &str) -> Option<String> {
    let at = html.find("rel=\"canonical\"")?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..tag_start + html[tag_start..].find('>')?];
    let href = tag.split("href=\"").nth(1)?;
    Some(unescape(&href[..href.find('"')?]))
}

fn noindex(html: &str) -> bool {
    html.contains("name=\"robots\" content=\"noindex")
}

/// `(slug, name)` of the demo catalogue's categories.
async fn demo(t: &TestDb) -> Vec<shop::model::Product> {
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    catalogue::all_products(&t.db).await.unwrap()
}

async fn search_and_category_pages_list_their_products(t: &TestDb) {
    let products = demo(t).await;
    let app = app(t);

    let search = get(&app, "/search?q=espresso").await;
    assert_eq!(search.status, StatusCode::OK);
    let html = search.text();
    assert_eq!(card_names(&html), ["Duo Espresso Machine"]);
    assert_eq!(
        testid_text(&html, "result-count").as_deref(),
        Some("1 product")
    );
    assert!(
        html.contains("Results for “espresso”"),
        "the heading names the words"
    );
    assert!(noindex(&html), "search results are not indexed");
    assert!(
        canonical(&html).unwrap().ends_with("/search"),
        "{:?}",
        canonical(&html)
    );
    // The words stay in the navbar's box and in the filter form.
    assert!(html.contains("name=\"q\" value=\"espresso\""));
    assert!(html.contains("<label for=\"site-search\" class=\"visually-hidden\">Search</label>"));
    assert!(html.contains("role=\"combobox\" aria-autocomplete=\"list\" aria-controls=\"search-suggestions\" aria-expanded=\"false\""));

    let kitchen = get(&app, "/category/kitchen").await;
    assert_eq!(kitchen.status, StatusCode::OK);
    let html = kitchen.text();
    let mut expected: Vec<String> = products
        .iter()
        .filter(|p| p.category.as_deref() == Some("kitchen"))
        .map(|p| p.name.clone())
        .collect();
    expected.sort_by_key(|name| name.to_lowercase());
    assert_eq!(expected.len(), 8);
    assert_eq!(
        card_names(&html),
        expected,
        "only kitchen products, by name"
    );
    assert_eq!(
        testid_text(&html, "result-count").as_deref(),
        Some("8 products")
    );
    assert!(html.contains("<title>Kitchen · Harbor"), "title");
    assert!(!noindex(&html), "the plain category page is indexed");
    assert!(canonical(&html).unwrap().ends_with("/category/kitchen"));
    // The Sort select: its label, and the options without a query (name by default).
    assert!(html.contains("<label for=\"sort\">Sort</label>"));
    assert!(
        !html.contains(">Relevance</option>"),
        "relevance only with a query"
    );
    assert!(html.contains("<option value=\"name\" selected>Name</option>"));
    for label in [
        "Price: low to high",
        "Price: high to low",
        "Newest",
        "Min price",
        "Max price",
        "In stock only",
        "Apply",
    ] {
        assert!(html.contains(&format!(">{label}<")), "{label}");
    }
    assert!(search
        .text()
        .contains("<option value=\"relevance\" selected>Relevance</option>"));

    // Sorted or filtered: not indexed, same canonical.
    for uri in [
        "/category/kitchen?sort=price",
        "/category/kitchen?in_stock=true&page=1",
        "/category/kitchen?min_price=10",
    ] {
        let html = get(&app, uri).await.text();
        assert!(noindex(&html), "{uri}");
        assert!(
            canonical(&html).unwrap().ends_with("/category/kitchen"),
            "{uri}"
        );
    }
    // The navbar links every category.
    assert!(html.contains("href=\"/category/home-office\">Home Office</a>"));
    assert!(
        html.contains("aria-current=\"page\">Kitchen</a>")
            || html.contains("href=\"/category/kitchen\" aria-current=\"page\"")
    );
}

async fn filters_and_sort_change_the_results(t: &TestDb) {
    let products = demo(t).await;
    let app = app(t);
    let price_of = |name: &str| {
        products
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .price
    };
    let prices = |html: &str| {
        card_names(html)
            .iter()
            .map(|n| price_of(n))
            .collect::<Vec<_>>()
    };

    let ascending = prices(&get(&app, "/category/kitchen?sort=price").await.text());
    assert_eq!(ascending.len(), 8);
    assert!(ascending.windows(2).all(|w| w[0] <= w[1]), "{ascending:?}");
    assert_eq!(ascending[0].to_string(), "14.90");
    let descending = prices(&get(&app, "/category/kitchen?sort=-price").await.text());
    assert_eq!(
        descending.first().map(ToString::to_string).as_deref(),
        Some("649.00")
    );
    assert!(
        descending.windows(2).all(|w| w[0] >= w[1]),
        "{descending:?}"
    );

    let html = get(
        &app,
        "/category/kitchen?min_price=20&max_price=50&sort=price",
    )
    .await
    .text();
    let within = prices(&html);
    assert_eq!(
        within.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["24.90", "34.90", "39.00", "49.50"]
    );
    // Each active filter is a link to the listing without it.
    assert!(html.contains("Min price: $20.00"), "active filter shown");
    assert!(
        unescape(&html).contains("href=\"/category/kitchen?max_price=50&sort=price\""),
        "min price removable"
    );
    assert!(
        unescape(&html).contains("href=\"/category/kitchen?min_price=20&sort=price\""),
        "max price removable"
    );

    // In stock only leaves out the sold-out products.
    let fitness = card_names(&get(&app, "/category/fitness").await.text());
    let in_stock = card_names(&get(&app, "/category/fitness?in_stock=true").await.text());
    assert_eq!(fitness.len(), 8);
    assert_eq!(in_stock.len(), 7);
    assert!(!in_stock.contains(&"Cast Iron Kettlebell 12 kg".to_owned()));

    // A search narrowed by the category radio: best match first (the skillet is named cast
    // iron, the Dutch oven only says so), and not the kettlebell (fitness).
    let html = get(&app, "/search?q=cast+iron&category=kitchen")
        .await
        .text();
    assert_eq!(
        card_names(&html),
        ["Cast Iron Skillet 26 cm", "Enamel Dutch Oven 4.5 L"]
    );
    let everywhere = card_names(&get(&app, "/search?q=cast+iron").await.text());
    assert!(
        everywhere.contains(&"Cast Iron Kettlebell 12 kg".to_owned()),
        "{everywhere:?}"
    );
    assert!(
        html.contains("Category: Kitchen"),
        "the category filter is shown"
    );

    // Paging links keep the filters and the order.
    let html = unescape(&get(&app, "/search?sort=-price").await.text());
    assert_eq!(card_names(&html).len(), 24);
    assert!(
        html.contains("href=\"/search?sort=-price&page=2\""),
        "paging keeps the sort"
    );
    let second = get(&app, "/search?sort=-price&page=2").await.text();
    let all_by_price: Vec<_> = prices(&html).into_iter().chain(prices(&second)).collect();
    assert_eq!(all_by_price.len(), 48);
    assert!(all_by_price.windows(2).all(|w| w[0] >= w[1]));

    // The Category radios go to the chosen category's page, keeping the rest.
    let moved = get(&app, "/category/kitchen?category=audio&sort=price&page=2").await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    assert_eq!(
        moved.headers[header::LOCATION],
        "/category/audio?sort=price"
    );
    let all = get(&app, "/category/kitchen?category=&min_price=5").await;
    assert_eq!(all.headers[header::LOCATION], "/search?min_price=5");
    let same = get(&app, "/category/kitchen?category=kitchen&sort=price").await;
    assert_eq!(same.status, StatusCode::OK, "the page's own category stays");

    // Bad values: a message on the page, never a 500.
    for uri in [
        "/category/kitchen?min_price=abc",
        "/category/kitchen?sort=price;drop",
        "/search?in_stock=maybe",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            testid_text(&reply.text(), "listing-error").is_some(),
            "{uri}"
        );
    }
    let past = get(&app, "/category/kitchen?page=2").await;
    assert_eq!(past.status, StatusCode::NOT_FOUND);
    assert!(past.text().contains("There are no products on this page"));
}

async fn facet_counts_are_right(t: &TestDb) {
    let products = demo(t).await;
    let app = app(t);
    let html = get(&app, "/search").await.text();
    assert_eq!(
        testid_text(&html, "result-count").as_deref(),
        Some("48 products")
    );
    for slug in [
        "kitchen",
        "audio",
        "outdoor",
        "home-office",
        "books-stationery",
        "fitness",
    ] {
        let expected = products
            .iter()
            .filter(|p| p.category.as_deref() == Some(slug))
            .count();
        assert_eq!(
            testid_text(&html, &format!("count-{slug}")),
            Some(format!("({expected})")),
            "{slug}"
        );
    }
    let in_stock = products.iter().filter(|p| p.stock > 0).count();
    assert_eq!(
        testid_text(&html, "in-stock-count"),
        Some(format!("({in_stock} in stock)"))
    );
    let under_25 = products.iter().filter(|p| p.price < 25.into()).count();
    let band = testid_text(&html, "price-band").unwrap();
    assert_eq!(band, format!("Under $25 ({under_25})"));

    // With a filter, the other facets count within it; a category's own facet counts across
    // categories.
    let html = get(&app, "/category/audio?max_price=100").await.text();
    let cheap_audio = products
        .iter()
        .filter(|p| p.category.as_deref() == Some("audio") && p.price <= 100.into())
        .count();
    assert_eq!(
        testid_text(&html, "result-count"),
        Some(format!("{cheap_audio} products"))
    );
    let cheap_kitchen = products
        .iter()
        .filter(|p| p.category.as_deref() == Some("kitchen") && p.price <= 100.into())
        .count();
    assert_eq!(
        testid_text(&html, "count-kitchen"),
        Some(format!("({cheap_kitchen})"))
    );
}

async fn unknown_categories_and_typos(t: &TestDb) {
    let products = demo(t).await;
    let app = app(t);
    for uri in [
        "/category/nope",
        "/category/nope?sort=price",
        "/category/%27%3B%20DROP",
    ] {
        let reply = get(&app, uri).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(reply.text().contains("Page not found"), "{uri}");
    }
    let reply = get(&app, "/search?q=espreso").await;
    assert_eq!(reply.status, StatusCode::OK);
    let html = reply.text();
    assert!(html.contains("No products match “espreso”."));
    let machine = products
        .iter()
        .find(|p| p.name == "Duo Espresso Machine")
        .unwrap();
    assert!(
        html.contains("data-testid=\"did-you-mean\" class=\"did-you-mean\"><p>Did you mean:</p>")
    );
    assert!(html.contains(&format!(
        "href=\"/product/{}\">Duo Espresso Machine</a>",
        machine.id
    )));

    // The search box's suggestions, through its server function.
    let found = get(&app, "/_fn/search/suggestions?q=espr").await;
    assert_eq!(found.status, StatusCode::OK);
    let names: Vec<String> = found
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        names.contains(&"Duo Espresso Machine".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        get(&app, "/_fn/search/suggestions?q=e").await.json(),
        serde_json::json!([])
    );
    let categories = get(&app, "/_fn/categories").await.json();
    assert_eq!(categories.as_array().unwrap().len(), 6);
}

/// Search text is only words to the shop: query syntax, SQL and length never reach a query
/// language, so every one of these is a page (or a 400 for the too long), never a 500.
async fn hostile_searches_answer_200_or_400(t: &TestDb) {
    demo(t).await;
    let app = app(t);
    let long = "a".repeat(1000);
    let hostile = [
        "\"",
        "'",
        "\"espresso",
        "*",
        "espr*",
        "-",
        "-mug",
        ":",
        "name:mug",
        "(",
        "(mug",
        "OR",
        "mug OR cup",
        "NEAR",
        "NEAR(mug cup)",
        "'; DROP TABLE products; --",
        "%",
        "\\",
        "",
        " ",
        "^",
        "AND NOT",
        long.as_str(),
    ];
    for q in hostile {
        let encoded = shop::model::search::page::encode_query_value(q);
        for uri in [
            format!("/search?q={encoded}"),
            format!("/category/kitchen?q={encoded}"),
            format!("/_fn/search/suggestions?q={encoded}"),
            format!("/_fn/search?query%5Bq%5D={encoded}"),
        ] {
            let reply = get(&app, &uri).await;
            assert!(
                reply.status == StatusCode::OK || reply.status == StatusCode::BAD_REQUEST,
                "{uri}: {} {}",
                reply.status,
                reply.text()
            );
        }
    }
    let reply = get(&app, &format!("/search?q={long}")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(testid_text(&reply.text(), "listing-error")
        .unwrap()
        .contains("too long"));
    // The products are all still there.
    assert_eq!(catalogue::count_products(&t.db).await.unwrap(), 48);
}

on_both_backends!(
    hostile_page_numbers_and_arguments_answer_at_once,
    pages_render_on_the_server,
    server_fns_change_only_same_origin_carts,
    search_and_category_pages_list_their_products,
    filters_and_sort_change_the_results,
    facet_counts_are_right,
    unknown_categories_and_typos,
    hostile_searches_answer_200_or_400
);

/// Rendering pages reuses the pool's connections. The renderer may drop a read's future
/// half-way; a query dropped so makes sqlx close its connection, and every page then paid for
/// new ones (on PostgreSQL about 100 ms, two per page). PostgreSQL shows it: a closed
/// connection's backend process is gone from `pg_stat_activity`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn page_renders_keep_their_database_connections() {
    use sea_orm::{ConnectionTrait, Statement};
    let Some(t) = common::postgres().await else {
        return;
    };
    seed::seed_if_empty(&t.db, 48).await.unwrap();
    let app = app(&t);
    let backends = || async {
        let sql = "SELECT pid FROM pg_stat_activity WHERE datname = current_database()";
        let rows =
            t.db.query_all_raw(Statement::from_string(t.db.get_database_backend(), sql))
                .await
                .unwrap();
        let mut pids: Vec<i32> = rows.iter().map(|r| r.try_get("", "pid").unwrap()).collect();
        pids.sort_unstable();
        pids
    };
    let pages = [
        "/",
        "/cart",
        "/product/1",
        "/category/kitchen?sort=price",
        "/nowhere",
    ];
    for path in pages {
        get(&app, path).await;
    }
    let before = backends().await;
    for _ in 0..5 {
        for path in pages {
            let status = get(&app, path).await.status;
            assert!(
                status == StatusCode::OK || status == StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
    // A closed connection's backend exits a moment after the client goes.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let after = backends().await;
    let closed: Vec<&i32> = before.iter().filter(|pid| !after.contains(pid)).collect();
    assert!(
        closed.is_empty(),
        "connections closed by page renders: {closed:?} of {before:?}"
    );
    t.finish().await;
}

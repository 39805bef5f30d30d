//! What search engines and link previews read about a page: its title and description, the
//! canonical URL, whether to index it, OpenGraph and Twitter card tags, and schema.org
//! structured data (JSON-LD). Every page renders one [`PageMeta`].

use crate::app::SHOP_NAME;
use crate::model::search::Category;
use crate::model::{money, Product};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use serde_json::{json, Value};

/// The shop's public base URL (`SHOP_PUBLIC_URL`), which the server provides to every page
/// render: canonical and OpenGraph URLs are absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(pub String);

/// `path` made absolute with the public URL (left as it is when there is none).
pub fn absolute(path: &str) -> String {
    match use_context::<PublicUrl>() {
        Some(PublicUrl(base)) => absolute_with(&base, path),
        None => absolute_with("", path),
    }
}

/// `path` made absolute with `base` (an origin, with or without a trailing slash).
pub fn absolute_with(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The document title as the server writes it. leptos_meta writes `<title>` text as it is
/// given, so a product named `</title><script>…` would end the element: the server escapes
/// it. (In the browser the text is assigned to `document.title`, which needs no escaping.)
pub fn title_text(title: String) -> String {
    if cfg!(feature = "ssr") {
        title
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    } else {
        title
    }
}

/// Title, description, canonical link, robots and link-preview tags of a page.
/// `canonical` is the page's own path without what only filters or sorts it (such pages
/// pass `noindex`, and point at the unfiltered page).
#[component]
pub fn PageMeta(
    #[prop(into)] title: String,
    #[prop(into)] description: String,
    #[prop(into)] canonical: String,
    #[prop(optional)] noindex: bool,
    /// An image for link previews (a path or an absolute URL).
    #[prop(optional, into)]
    image: Option<String>,
    /// OpenGraph type: `website`, or `product` on product pages.
    #[prop(default = "website")]
    og_type: &'static str,
    /// The image's size in pixels, when known: previews can lay out before loading it.
    #[prop(optional)]
    image_size: Option<(u32, u32)>,
    /// What the image shows, for people who cannot see it.
    #[prop(optional, into)]
    image_alt: Option<String>,
) -> impl IntoView {
    let url = absolute(&canonical);
    let og_title = if title.is_empty() {
        SHOP_NAME.to_owned()
    } else {
        format!("{title} · {SHOP_NAME}")
    };
    // Twitter reads the OpenGraph title, description and image; it only needs the card kind.
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    let image_tags = image.map(|image| {
        view! {
            <Meta property="og:image" content=absolute(&image)/>
            {image_size.map(|(width, height)| view! {
                <Meta property="og:image:width" content=width.to_string()/>
                <Meta property="og:image:height" content=height.to_string()/>
            })}
            {image_alt.map(|alt| view! { <Meta property="og:image:alt" content=alt/> })}
        }
    });
    view! {
        <Title text=title/>
        <Meta name="description" content=description.clone()/>
        <Link rel="canonical" href=url.clone()/>
        {noindex.then(|| view! { <Meta name="robots" content="noindex, follow"/> })}
        <Meta property="og:site_name" content=SHOP_NAME/>
        <Meta property="og:type" content=og_type/>
        <Meta property="og:title" content=og_title/>
        <Meta property="og:description" content=description/>
        <Meta property="og:url" content=url/>
        {image_tags}
        <Meta name="twitter:card" content=card/>
    }
}

/// A schema.org data block. Browsers never run it (its type is not JavaScript, so the CSP
/// does not apply to it); search engines read it.
#[component]
pub fn JsonLd(data: Value) -> impl IntoView {
    view! { <script type="application/ld+json" inner_html=script_json(&data)></script> }
}

/// `data` as JSON that is safe inside `<script>`: `<`, `>` and `&` are written as `\u003c`,
/// `\u003e` and `\u0026`, so no text (a product named `</script>`, `<!--`) can end the
/// element or change how the HTML parser reads it. They only ever occur inside JSON strings,
/// where the escapes mean the same characters.
pub fn script_json(data: &Value) -> String {
    let text = data.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}

/// One step of a page's breadcrumb trail: its name and path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Crumb {
    pub name: String,
    pub path: String,
}

/// The name of the first step of every trail.
pub const HOME_CRUMB: &str = "Home";

/// A product's trail: Home, its category when it has one, the product.
pub fn product_trail(product: &Product, category: Option<&Category>) -> Vec<Crumb> {
    let mut trail = vec![Crumb {
        name: HOME_CRUMB.to_owned(),
        path: "/".to_owned(),
    }];
    if let Some(category) = category {
        trail.push(Crumb {
            name: category.name.clone(),
            path: format!("/category/{}", category.slug),
        });
    }
    trail.push(Crumb {
        name: product.name.clone(),
        path: product_path(product.id),
    });
    trail
}

pub fn product_path(id: i32) -> String {
    format!("/product/{id}")
}

/// The stock-keeping unit the structured data names a product by: its id, as the API does
/// (an `HP-` prefix would read like an order number).
pub fn sku(id: i32) -> String {
    id.to_string()
}

/// A schema.org `BreadcrumbList` of `trail`, with absolute URLs from `base`.
pub fn breadcrumb_list(trail: &[Crumb], base: &str) -> Value {
    let items: Vec<Value> = trail
        .iter()
        .zip(1..)
        .map(|(crumb, position): (&Crumb, u32)| {
            json!({
                "@type": "ListItem",
                "position": position,
                "name": crumb.name,
                "item": absolute_with(base, &crumb.path),
            })
        })
        .collect();
    json!({
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": items,
    })
}

/// A schema.org `Product` with one `Offer` (price, currency, availability from the stock),
/// with absolute URLs from `base`: what Google's product rich results read.
pub fn product_data(product: &Product, category: Option<&Category>, base: &str) -> Value {
    let url = absolute_with(base, &product_path(product.id));
    let availability = if product.stock > 0 {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    };
    let mut data = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "@id": format!("{url}#product"),
        "name": product.name,
        "description": product.description,
        "image": [absolute_with(base, &product.image_url)],
        "sku": sku(product.id),
        "url": url,
        "brand": { "@type": "Brand", "name": SHOP_NAME },
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": money::to_string(product.price),
            "priceCurrency": "USD",
            "availability": availability,
            "itemCondition": "https://schema.org/NewCondition",
        },
    });
    if let Some(category) = category {
        data["category"] = Value::String(category.name.clone());
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn product(name: &str, stock: i32) -> Product {
        Product {
            id: 7,
            name: name.to_owned(),
            description: "A kettle.".to_owned(),
            price: "1249.5".parse().unwrap(),
            image_url: "/images/products/kettle.svg".to_owned(),
            stock,
            category: Some("kitchen".to_owned()),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn kitchen() -> Category {
        Category {
            id: 1,
            slug: "kitchen".to_owned(),
            name: "Kitchen".to_owned(),
            description: String::new(),
        }
    }

    #[test]
    fn product_data_has_an_offer_with_live_availability() {
        let base = "https://shop.example/";
        let data = product_data(&product("Kettle", 3), Some(&kitchen()), base);
        assert_eq!(data["@type"], "Product");
        assert_eq!(data["sku"], "7");
        assert_eq!(
            data["image"][0],
            "https://shop.example/images/products/kettle.svg"
        );
        assert_eq!(data["category"], "Kitchen");
        let offer = &data["offers"];
        assert_eq!(offer["price"], "1249.50");
        assert_eq!(offer["priceCurrency"], "USD");
        assert_eq!(offer["url"], "https://shop.example/product/7");
        assert_eq!(offer["availability"], "https://schema.org/InStock");
        let sold_out = product_data(&product("Kettle", 0), None, base);
        assert_eq!(
            sold_out["offers"]["availability"],
            "https://schema.org/OutOfStock"
        );
        assert!(sold_out.get("category").is_none());
    }

    #[test]
    fn breadcrumbs_run_home_category_product() {
        let trail = product_trail(&product("Kettle", 1), Some(&kitchen()));
        let list = breadcrumb_list(&trail, "https://shop.example");
        let items = list["itemListElement"].as_array().unwrap();
        let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Home", "Kitchen", "Kettle"]);
        assert_eq!(items[1]["item"], "https://shop.example/category/kitchen");
        assert_eq!(items[2]["position"], 3);
        assert_eq!(product_trail(&product("Kettle", 1), None).len(), 2);
    }

    #[test]
    fn script_json_cannot_end_the_script() {
        let data = json!({ "name": "</script><script>alert(1)</script> <!-- & -->" });
        let text = script_json(&data);
        assert!(!text.contains('<') && !text.contains('>') && !text.contains('&'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, data, "the escapes read back as the same text");
    }
}

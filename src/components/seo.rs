//! What search engines and link previews read about a page: its title and description, the
//! canonical URL, whether to index it, and OpenGraph tags. Every page renders one
//! [`PageMeta`].

use crate::app::SHOP_NAME;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};

/// The shop's public base URL (`SHOP_PUBLIC_URL`), which the server provides to every page
/// render: canonical and OpenGraph URLs are absolute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicUrl(pub String);

/// `path` made absolute with the public URL (left as it is when there is none).
pub fn absolute(path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    match use_context::<PublicUrl>() {
        Some(PublicUrl(base)) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

/// Title, description, canonical link, robots and OpenGraph tags of a page.
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
) -> impl IntoView {
    let url = absolute(&canonical);
    let og_title = if title.is_empty() {
        SHOP_NAME.to_owned()
    } else {
        format!("{title} · {SHOP_NAME}")
    };
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
        {image.map(|image| view! { <Meta property="og:image" content=absolute(&image)/> })}
    }
}

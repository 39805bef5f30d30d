//! What the search and category pages share: the filter form (sort, category, price, stock,
//! each with its count), the result count, the active filters, the product grid and its
//! pages, and the empty and error states. All plain HTML: GET forms and links that work
//! without JavaScript; the [`LiveListing`] island around it makes them change in place.

use crate::components::live_listing::{LiveListing, COUNT_ID, FORM_ID, LISTING_ID};
use crate::components::live_stock::LiveStock;
use crate::components::{pagination::Pagination, product_card::ProductCard};
use crate::error::ShopError;
use crate::model::search::page::ListingQuery;
use crate::model::search::{CategoryCount, Facets, Listing, PriceBand, SortOrder, Suggestion};
use crate::model::{format_money, page_count};
use leptos::either::{Either, EitherOf4};
use leptos::prelude::*;
use rust_decimal::Decimal;

/// Where a listing is: its path, and the category the path names (a category page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingPlace {
    /// `/search` or `/category/{slug}`: the form's action and every link's path.
    pub path: String,
    /// The category page's own category (slug, name).
    pub category: Option<(String, String)>,
}

/// Sets the page's HTTP status (on the server; the browser has none to set).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// "12 products".
pub fn count_text(total: u64) -> String {
    match total {
        1 => "1 product".to_owned(),
        n => format!("{n} products"),
    }
}

/// The listing and its controls. `query` holds the page's values (a category page's without
/// `category`, which its path names); `result` is what the listing's server function answered.
#[component]
pub fn ListingView(
    place: ListingPlace,
    #[prop(into)] heading: String,
    query: ListingQuery,
    result: Result<Listing, ShopError>,
) -> impl IntoView {
    match &result {
        Err(ShopError::Invalid(_)) => set_status(400),
        Err(ShopError::NotFound) => set_status(404),
        _ => {}
    }
    let url = query.to_url(&place.path);
    let count = match &result {
        Ok(listing) => count_text(listing.page.total),
        Err(_) => "No results".to_owned(),
    };
    let facets = result.as_ref().ok().map(|l| l.facets.clone());
    view! {
        <LiveListing>
            <div id=LISTING_ID class="listing" data-url=url data-testid="listing">
                <h1 class="page-title">{heading}</h1>
                <div class="listing-layout">
                    <FilterForm place=place.clone() query=query.clone() facets=facets.clone()/>
                    <section class="results" aria-labelledby=COUNT_ID>
                        <p id=COUNT_ID class="result-count" tabindex="-1" data-testid="result-count">{count}</p>
                        <ActiveFilters place=place.clone() query=query.clone() facets/>
                        <Results place query result/>
                    </section>
                </div>
            </div>
        </LiveListing>
        <LiveStock/>
    }
}

/// The GET form: Sort, Category, Min price and Max price (with the price bands as quick
/// links), In stock only, and Apply.
#[component]
fn FilterForm(place: ListingPlace, query: ListingQuery, facets: Option<Facets>) -> impl IntoView {
    let has_query = query.has_query();
    let sort = query.sort_order().unwrap_or_else(|_| query.default_sort());
    let sort_options = SortOrder::page_options(has_query)
        .into_iter()
        .map(|(order, label)| {
            view! { <option value=order.as_str() selected={order == sort}>{label}</option> }
        })
        .collect_view();
    let counted = facets.is_some();
    let facets = facets.unwrap_or_default();
    let chosen = place
        .category
        .as_ref()
        .map_or(query.category.clone(), |(slug, _)| slug.clone());
    let mut categories = facets.categories.clone();
    // The chosen category stays on the list when nothing else in it matches.
    if !chosen.is_empty() && !categories.iter().any(|c| c.slug == chosen) {
        let name = place
            .category
            .as_ref()
            .map_or(chosen.clone(), |(_, name)| name.clone());
        categories.push(CategoryCount {
            slug: chosen.clone(),
            name,
            count: 0,
        });
    }
    let category_options = categories
        .into_iter()
        .map(|c| {
            let id = format!("category-{}", c.slug);
            view! {
                <li class="choice">
                    <input type="radio" id=id.clone() name="category" value=c.slug.clone() checked={c.slug == chosen}/>
                    <label for=id>
                        {c.name}
                        {counted.then(|| view! {
                            " "
                            <span class="facet-count" data-testid=format!("count-{}", c.slug)>{format!("({})", c.count)}</span>
                        })}
                    </label>
                </li>
            }
        })
        .collect_view();
    let bands = facets
        .price_bands
        .iter()
        .map(|band| view! { <PriceBandLink place=place.clone() query=query.clone() band=band.clone()/> })
        .collect_view();
    let in_stock = query.in_stock_only();
    view! {
        <form id=FORM_ID class="filters" method="get" action=place.path.clone() aria-label="Filters">
            {has_query.then(|| view! { <input type="hidden" name="q" value=query.q.clone()/> })}
            <div class="field">
                <label for="sort">"Sort"</label>
                <select id="sort" name="sort">{sort_options}</select>
            </div>
            <fieldset class="filter-group">
                <legend>"Category"</legend>
                <ul class="choices">
                    <li class="choice">
                        <input type="radio" id="category-all" name="category" value="" checked=chosen.is_empty()/>
                        <label for="category-all">"All categories"</label>
                    </li>
                    {category_options}
                </ul>
            </fieldset>
            <fieldset class="filter-group">
                <legend>"Price"</legend>
                <div class="price-fields">
                    <div class="field">
                        <label for="min-price">"Min price"</label>
                        <input id="min-price" type="number" name="min_price" min="0" step="0.01" inputmode="decimal" value=query.min_price.clone()/>
                    </div>
                    <div class="field">
                        <label for="max-price">"Max price"</label>
                        <input id="max-price" type="number" name="max_price" min="0" step="0.01" inputmode="decimal" value=query.max_price.clone()/>
                    </div>
                </div>
                <ul class="price-bands" aria-label="Price ranges">{bands}</ul>
            </fieldset>
            <div class="choice in-stock">
                <input
                    type="checkbox"
                    id="in-stock"
                    name="in_stock"
                    value="true"
                    checked=in_stock
                    aria-describedby=counted.then_some("in-stock-count")
                />
                <label for="in-stock">"In stock only"</label>
                {counted.then(|| view! {
                    <span id="in-stock-count" class="facet-count" data-testid="in-stock-count">{format!("({} in stock)", facets.in_stock)}</span>
                })}
            </div>
            <button type="submit" class="button button-primary apply">"Apply"</button>
        </form>
    }
    // Erased: the listing's whole view as one type is too deep for the compiler.
    .into_any()
}

/// "Under $25", "$25 to $50", "$250 and up".
pub fn band_label(band: &PriceBand) -> String {
    match (band.min.filter(|m| !m.is_zero()), band.max) {
        (None, Some(max)) => format!("Under ${max}"),
        (Some(min), Some(max)) => format!("${min} to ${max}"),
        (Some(min), None) => format!("${min} and up"),
        (None, None) => "Any price".to_owned(),
    }
}

/// The filter values a band's link sets: its minimum, and just below its (exclusive) maximum.
pub fn band_values(band: &PriceBand) -> (String, String) {
    let cent = Decimal::new(1, 2);
    (
        band.min
            .filter(|m| !m.is_zero())
            .map(|m| m.to_string())
            .unwrap_or_default(),
        band.max.map(|m| (m - cent).to_string()).unwrap_or_default(),
    )
}

#[component]
fn PriceBandLink(place: ListingPlace, query: ListingQuery, band: PriceBand) -> impl IntoView {
    let label = band_label(&band);
    let (min, max) = band_values(&band);
    let current = query.min_price == min && query.max_price == max;
    let count = format!("({})", band.count);
    if band.count == 0 {
        return Either::Left(view! {
            <li class="price-band empty" data-testid="price-band">{label} " " <span class="facet-count">{count}</span></li>
        });
    }
    let href = query
        .changed(|q| {
            q.min_price = min;
            q.max_price = max;
        })
        .to_url(&place.path);
    Either::Right(view! {
        <li class="price-band" data-testid="price-band">
            <a href=href data-swap="" aria-current=current.then_some("true")>
                {label} " " <span class="facet-count">{count}</span>
            </a>
        </li>
    })
}

/// The active filters, each a link to the listing without it.
#[component]
fn ActiveFilters(
    place: ListingPlace,
    query: ListingQuery,
    facets: Option<Facets>,
) -> impl IntoView {
    let price = |text: &str| {
        crate::model::search::parse_price(text)
            .ok()
            .flatten()
            .map_or_else(|| text.to_owned(), format_money)
    };
    let mut chips: Vec<(String, ListingQuery)> = Vec::new();
    if query.has_query() {
        chips.push((
            format!("Search: \u{201c}{}\u{201d}", query.q),
            query.changed(|q| {
                q.q.clear();
                q.sort.clear();
            }),
        ));
    }
    if place.category.is_none() && !query.category.is_empty() {
        let name = facets
            .as_ref()
            .and_then(|f| f.categories.iter().find(|c| c.slug == query.category))
            .map_or(query.category.clone(), |c| c.name.clone());
        chips.push((
            format!("Category: {name}"),
            query.changed(|q| q.category.clear()),
        ));
    }
    if !query.min_price.is_empty() {
        chips.push((
            format!("Min price: {}", price(&query.min_price)),
            query.changed(|q| q.min_price.clear()),
        ));
    }
    if !query.max_price.is_empty() {
        chips.push((
            format!("Max price: {}", price(&query.max_price)),
            query.changed(|q| q.max_price.clear()),
        ));
    }
    if query.in_stock_only() {
        chips.push((
            "In stock only".to_owned(),
            query.changed(|q| q.in_stock.clear()),
        ));
    }
    if chips.is_empty() {
        return None;
    }
    let clear_all = (chips.len() > 1).then(|| {
        // Keeps the search words and the order: only the filters go.
        let plain = ListingQuery {
            q: query.q.clone(),
            sort: query.sort.clone(),
            ..Default::default()
        };
        view! { <li><a class="clear-filters" href=plain.to_url(&place.path) data-swap="">"Clear all filters"</a></li> }
    });
    let items = chips
        .into_iter()
        .map(|(label, without)| {
            view! {
                <li>
                    <a class="chip" href=without.to_url(&place.path) data-swap="">
                        <span class="visually-hidden">"Remove filter: "</span>
                        {label}
                        <span class="chip-x" aria-hidden="true">"×"</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    Some(
        view! {
            <ul class="active-filters" aria-label="Active filters" data-testid="active-filters">
                {items}
                {clear_all}
            </ul>
        }
        .into_any(),
    )
}

/// The grid and its pages, or why there is none.
#[component]
fn Results(
    place: ListingPlace,
    query: ListingQuery,
    result: Result<Listing, ShopError>,
) -> impl IntoView {
    match result {
        Ok(listing) if !listing.page.items.is_empty() => {
            let page = listing.page.page;
            let pages = page_count(listing.page.total, listing.page.page_size);
            let base = query.changed(|_| {}).to_url(&place.path);
            EitherOf4::A(view! {
                <ul class="product-grid" data-testid="product-list">
                    {listing.page.items.into_iter().enumerate().map(|(position, product)| view! { <ProductCard product position/> }).collect_view()}
                </ul>
                <Pagination page page_count=pages base/>
            })
        }
        Ok(listing) => {
            EitherOf4::B(view! { <NoMatch place query suggestions=listing.suggestions/> })
        }
        // A page past the last one, or (the search page's) unknown category.
        Err(ShopError::NotFound) => EitherOf4::C(view! {
            <div class="empty-state">
                <p>
                    {if query.page_number() == 1 {
                        "We couldn't find that category."
                    } else {
                        "There are no products on this page."
                    }}
                </p>
                <a class="button" href=query.changed(|_| {}).to_url(&place.path) data-swap="">"Back to the first page"</a>
            </div>
        }),
        Err(err) => {
            let message = match err {
                ShopError::Invalid(message) => message,
                other => format!("Could not load products: {other}"),
            };
            EitherOf4::D(view! {
                <div class="empty-state">
                    <p class="status status-error" role="alert" data-testid="listing-error">{message}</p>
                    <a class="button" href=place.path.clone()>"Start again"</a>
                </div>
            })
        }
    }
    .into_any()
}

/// Nothing matched: say so, offer "did you mean" products after a search with a typo, and a
/// way out of the filters.
#[component]
fn NoMatch(
    place: ListingPlace,
    query: ListingQuery,
    suggestions: Vec<Suggestion>,
) -> impl IntoView {
    let message = if query.has_query() {
        format!("No products match \u{201c}{}\u{201d}.", query.q)
    } else {
        "No products match these filters.".to_owned()
    };
    let did_you_mean = (!suggestions.is_empty()).then(|| {
        let links = suggestions
            .into_iter()
            .map(|s| view! { <li><a href=format!("/product/{}", s.id)>{s.name}</a></li> })
            .collect_view();
        view! {
            <div class="did-you-mean" data-testid="did-you-mean">
                <p>"Did you mean:"</p>
                <ul>{links}</ul>
            </div>
        }
    });
    let filtered = ListingQuery {
        q: query.q.clone(),
        sort: query.sort.clone(),
        ..Default::default()
    };
    let clear = (filtered != query.changed(|_| {})).then(|| {
        view! { <a class="button" href=filtered.to_url(&place.path) data-swap="">"Clear filters"</a> }
    });
    view! {
        <div class="empty-state" data-testid="no-results">
            <p>{message}</p>
            {did_you_mean}
            {clear}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn band(min: Option<i64>, max: Option<i64>) -> PriceBand {
        PriceBand {
            min: min.map(Decimal::from),
            max: max.map(Decimal::from),
            count: 3,
        }
    }

    #[test]
    fn price_bands_read_and_link_as_ranges() {
        assert_eq!(band_label(&band(None, Some(25))), "Under $25");
        assert_eq!(band_label(&band(Some(25), Some(50))), "$25 to $50");
        assert_eq!(band_label(&band(Some(250), None)), "$250 and up");
        assert_eq!(
            band_values(&band(None, Some(25))),
            (String::new(), "24.99".to_owned())
        );
        assert_eq!(
            band_values(&band(Some(25), Some(50))),
            ("25".to_owned(), "49.99".to_owned())
        );
        assert_eq!(
            band_values(&band(Some(250), None)),
            ("250".to_owned(), String::new())
        );
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(count_text(0), "0 products");
        assert_eq!(count_text(1), "1 product");
        assert_eq!(count_text(12), "12 products");
    }
}

use crate::cart_state::form_error;
use crate::components::add_to_cart::AddToCartForm;
use crate::components::form_field::{Field, FormError};
use crate::components::live_stock::LiveStock;
use crate::components::recently_viewed::{RecentProduct, RecentlyViewed};
use crate::components::seo::{
    breadcrumb_list, product_data, product_path, product_trail, JsonLd, PageMeta, PublicUrl,
};
use crate::components::stock_badge::StockBadge;
use crate::error::ShopError;
use crate::model::search::Category;
use crate::model::{format_money, image_srcset, Product, IMAGE_SIZES};
use crate::pages::not_found::NotFound;
use crate::pages::posted;
use crate::server_fns::{get_category, get_product, AddToCart};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// `/product/:id`. An id that is not a number or names no product is a real 404.
#[component]
pub fn ProductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i32>().ok())
    };
    // The product, and its category for the breadcrumbs. A category that cannot be read
    // only leaves the trail shorter: the product is still worth showing.
    let product = move || {
        let id = id();
        async move {
            let product = match id {
                Some(id) => get_product(id).await?,
                None => return Err(ShopError::NotFound),
            };
            let category = match product.category.clone() {
                Some(slug) => get_category(slug).await.ok(),
                None => None,
            };
            Ok((product, category))
        }
    };
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading product…"</p> }>
            {move || Suspend::new(async move {
                match product().await {
                    Ok((product, category)) => EitherOf3::A(view! { <ProductDetail product category/> }),
                    Err(ShopError::NotFound) => EitherOf3::B(view! {
                        <NotFound message="We couldn't find that product. It may have been removed."/>
                    }),
                    Err(err) => EitherOf3::C(view! {
                        <PageMeta
                            title="Product unavailable"
                            description="This product could not be loaded."
                            canonical=id().map(product_path).unwrap_or_default()
                            noindex=true
                        />
                        <p class="status status-error" role="alert">{format!("Could not load the product: {err}")}</p>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductDetail(product: Product, category: Option<Category>) -> impl IntoView {
    let sold_out = product.stock <= 0;
    let price = format_money(product.price);
    let description = format!("{}, {}. {}", product.name, price, product.description);
    let recent = RecentProduct::from(&product);
    let add_error = form_error::<AddToCart>();
    let base = use_context::<PublicUrl>().map(|u| u.0).unwrap_or_default();
    let trail = product_trail(&product, category.as_ref());
    let structured = [
        product_data(&product, category.as_ref(), &base),
        breadcrumb_list(&trail, &base),
    ];
    view! {
        <PageMeta
            title=product.name.clone()
            description=description
            canonical=product_path(product.id)
            image=product.image_url.clone()
            image_size=(400, 300)
            image_alt=product.name.clone()
            og_type="product"
        />
        {structured.into_iter().map(|data| view! { <JsonLd data/> }).collect_view()}
        <Breadcrumbs trail/>
        <article class="product-detail" data-testid="product-detail" data-stock-product=product.id>
            <img
                class="product-image"
                src=product.image_url.clone()
                srcset=image_srcset(&product.image_url)
                sizes=image_srcset(&product.image_url).map(|_| IMAGE_SIZES)
                alt=product.name.clone()
                width="400"
                height="300"
                fetchpriority="high"
            />
            <div class="product-info">
                <h1>{product.name.clone()}</h1>
                <p class="price price-large" data-testid="product-price">{price}</p>
                <p class="stock-line">
                    <StockBadge stock=product.stock/>
                    // Drawn even when sold out (hidden), for the live-stock island to show.
                    <span class="stock-count" data-testid="stock-count" hidden=sold_out>
                        {format!("{} in stock", product.stock.max(0))}
                    </span>
                </p>
                <p class="description">{product.description.clone()}</p>
                <AddToCartForm product_id=product.id stock=product.stock error=add_error/>
                <BackInStockForm product_id=product.id sold_out/>
            </div>
        </article>
        <LiveStock/>
        <RecentlyViewed current=recent/>
    }
}

/// "Email me when it's back", on a sold-out product (drawn hidden otherwise, for the
/// live-stock island to show if it sells out while the page is open). A plain form post.
#[component]
fn BackInStockForm(product_id: i32, sold_out: bool) -> impl IntoView {
    let shown = posted("back-in-stock").unwrap_or_default();
    // A refusal is shown even when the product is in stock (it says so).
    let hidden = !sold_out && shown.error.is_none();
    view! {
        <section class="back-in-stock" data-testid="back-in-stock" hidden=hidden aria-labelledby="back-in-stock-title">
            <h2 id="back-in-stock-title" class="back-in-stock-title">"Sold out for now"</h2>
            <p>"Leave your email and we'll send you one email when it's back."</p>
            <FormError error=shown.error/>
            <form method="post" action=format!("/product/{product_id}/back-in-stock")>
                <Field name="email" label="Email" value=shown.email error=None kind="email" autocomplete="email"/>
                <button type="submit" class="button">"Email me when it's back"</button>
            </form>
        </section>
    }
}

/// The trail as links, the last step (this page) as plain text.
#[component]
fn Breadcrumbs(trail: Vec<crate::components::seo::Crumb>) -> impl IntoView {
    let last = trail.len().saturating_sub(1);
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            {trail
                .into_iter()
                .enumerate()
                .map(|(i, crumb)| {
                    let step = if i == last {
                        Either::Left(view! { <span aria-current="page">{crumb.name}</span> })
                    } else {
                        Either::Right(view! { <a href=crumb.path>{crumb.name}</a> })
                    };
                    view! {
                        {(i > 0).then(|| view! { <span aria-hidden="true">" / "</span> })}
                        {step}
                    }
                })
                .collect_view()}
        </nav>
    }
}

use crate::cart_state::form_error;
use crate::components::add_to_cart::AddToCartForm;
use crate::components::recently_viewed::{RecentProduct, RecentlyViewed};
use crate::components::stock_badge::StockBadge;
use crate::error::ShopError;
use crate::model::{format_money, Product};
use crate::pages::not_found::NotFound;
use crate::server_fns::{get_product, AddToCart};
use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
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
    let product = move || {
        let id = id();
        async move {
            match id {
                Some(id) => get_product(id).await,
                None => Err(ShopError::NotFound),
            }
        }
    };
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading product…"</p> }>
            {move || Suspend::new(async move {
                match product().await {
                    Ok(product) => EitherOf3::A(view! { <ProductDetail product/> }),
                    Err(ShopError::NotFound) => EitherOf3::B(view! {
                        <NotFound message="We couldn't find that product. It may have been removed."/>
                    }),
                    Err(err) => EitherOf3::C(view! {
                        <p class="status status-error" role="alert">{format!("Could not load the product: {err}")}</p>
                    }),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProductDetail(product: Product) -> impl IntoView {
    let sold_out = product.stock <= 0;
    let price = format_money(product.price);
    let description = format!("{}, {}. {}", product.name, price, product.description);
    let recent = RecentProduct::from(&product);
    let add_error = form_error::<AddToCart>();
    view! {
        <Title text=product.name.clone()/>
        <Meta name="description" content=description/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/">"All products"</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{product.name.clone()}</span>
        </nav>
        <article class="product-detail" data-testid="product-detail">
            <img
                class="product-image"
                src=product.image_url.clone()
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
                    {(!sold_out).then(|| view! { <span class="stock-count">{format!("{} in stock", product.stock)}</span> })}
                </p>
                <p class="description">{product.description.clone()}</p>
                <AddToCartForm product_id=product.id stock=product.stock error=add_error/>
            </div>
        </article>
        <RecentlyViewed current=recent/>
    }
}

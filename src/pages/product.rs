use crate::cart_state::CartContext;
use crate::components::recently_viewed::RecentlyViewed;
use crate::components::status_message::StatusMessage;
use crate::components::stock_badge::StockBadge;
use crate::components::submit_button::SubmitButton;
use crate::error::ShopError;
use crate::model::{format_money, Product};
use crate::pages::not_found::NotFound;
use crate::server_fns::get_product;
use leptos::either::EitherOf3;
use leptos::form::ActionForm;
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
    let product = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_product(id).await,
            None => Err(ShopError::NotFound),
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading product…"</p> }>
            {move || Suspend::new(async move {
                match product.await {
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
    let cart = CartContext::get();
    let add = cart.add;
    let product_id = product.id;
    let sold_out = product.stock <= 0;
    let price = format_money(product.price);
    let outcome = Signal::derive(move || {
        cart.add_outcome(product_id).map(|result| {
            result.map(|item| {
                format!(
                    "Added to cart. You now have {} in your cart.",
                    item.quantity
                )
            })
        })
    });
    let description = format!("{}, {}. {}", product.name, price, product.description);
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
            />
            <div class="product-info">
                <h1>{product.name.clone()}</h1>
                <p class="price price-large" data-testid="product-price">{price}</p>
                <p class="stock-line">
                    <StockBadge stock=product.stock/>
                    {(!sold_out).then(|| view! { <span class="stock-count">{format!("{} in stock", product.stock)}</span> })}
                </p>
                <p class="description">{product.description.clone()}</p>
                <ActionForm action=add attr:class="add-to-cart">
                    <input type="hidden" name="product_id" value=product_id/>
                    <div class="field">
                        <label for="quantity">"Quantity"</label>
                        <input
                            id="quantity"
                            name="quantity"
                            type="number"
                            inputmode="numeric"
                            min="1"
                            max=product.stock.max(1)
                            value="1"
                            required
                            disabled=sold_out
                        />
                    </div>
                    <SubmitButton pending=add.pending() class="button button-primary" disabled=sold_out>
                        {if sold_out { "Sold out" } else { "Add to Cart" }}
                    </SubmitButton>
                </ActionForm>
                <StatusMessage outcome/>
            </div>
        </article>
        <RecentlyViewed current=product/>
    }
}

use crate::components::stock_badge::StockBadge;
use crate::model::{format_money, Product};
use leptos::prelude::*;

#[component]
pub fn ProductCard(product: Product) -> impl IntoView {
    let href = format!("/product/{}", product.id);
    view! {
        <li class="product-card" data-testid="product-card">
            <a href=href class="product-card-link">
                <img
                    src=product.image_url.clone()
                    alt=product.name.clone()
                    width="400"
                    height="300"
                    loading="lazy"
                />
                <div class="product-card-body">
                    <h2 class="product-card-name">{product.name.clone()}</h2>
                    <div class="product-card-meta">
                        <span class="price">{format_money(product.price)}</span>
                        <StockBadge stock=product.stock/>
                    </div>
                </div>
            </a>
        </li>
    }
}

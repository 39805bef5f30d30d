use crate::components::stock_badge::StockBadge;
use crate::model::{format_money, image_srcset, Product, IMAGE_SIZES};
use leptos::prelude::*;

/// Cards in the first row on a wide screen: visible without scrolling.
const EAGER_CARDS: usize = 4;

/// Cards in the first rows load their image at once (the first with high priority: it is
/// the page's largest paint); the rest lazily.
#[component]
pub fn ProductCard(product: Product, #[prop(optional)] position: usize) -> impl IntoView {
    let eager = position < EAGER_CARDS;
    let href = format!("/product/{}", product.id);
    view! {
        <li class="product-card" data-testid="product-card" data-stock-product=product.id>
            <a href=href class="product-card-link">
                <img
                    src=product.image_url.clone()
                    srcset=image_srcset(&product.image_url)
                    sizes=image_srcset(&product.image_url).map(|_| IMAGE_SIZES)
                    alt=product.name.clone()
                    width="400"
                    height="300"
                    loading=if eager { "eager" } else { "lazy" }
                    fetchpriority=(position == 0).then_some("high")
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

use crate::model::StockLevel;
use leptos::prelude::*;

/// "In stock", "Only 2 left" or "Sold out".
#[component]
pub fn StockBadge(stock: i32) -> impl IntoView {
    let level = StockLevel::of(stock);
    let class = match level {
        StockLevel::SoldOut => "badge badge-sold-out",
        StockLevel::Low(_) => "badge badge-low",
        StockLevel::InStock => "badge badge-in-stock",
    };
    view! { <span class=class data-testid="stock-badge">{level.label()}</span> }
}

use crate::model::StockLevel;
use leptos::prelude::*;

/// "In stock", "Only 2 left" or "Sold out".
#[component]
pub fn StockBadge(stock: i32) -> impl IntoView {
    let level = StockLevel::of(stock);
    view! { <span class=level.class() data-testid="stock-badge">{level.label()}</span> }
}

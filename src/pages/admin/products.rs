//! `/admin/products` (a searchable, paged table) and `/admin/products/{id}` (the product's
//! stock: adjust by a delta with a reason, and its history, which sums to its stock).

use super::AdminNav;
use crate::components::form_field::{Field, FieldError, FormError};
use crate::components::pagination::Pagination;
use crate::components::seo::PageMeta;
use crate::error::ShopError;
use crate::model::admin::{ProductStock, ProductTable};
use crate::model::form::PostedForm;
use crate::model::format_money;
use crate::model::inventory::MovementReason;
use crate::model::search::Category;
use crate::pages::not_found::NotFound;
use crate::pages::posted;
use crate::server_fns::{get_product_stock, get_product_table, list_categories};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn AdminProducts() -> impl IntoView {
    let (query, page) = use_query_map().with_untracked(|q| {
        (
            q.get("q").unwrap_or_default(),
            q.get("page")
                .and_then(|p| p.parse::<u64>().ok())
                .unwrap_or(1),
        )
    });
    view! {
        <PageMeta title="Products · Admin" description="The catalogue." canonical="/admin/products" noindex=true/>
        <h1 class="page-title">"Products"</h1>
        <AdminNav/>
        <form class="admin-search" method="get" action="/admin/products" role="search">
            <label for="admin-q">"Find products"</label>
            <input id="admin-q" name="q" type="search" value=query.clone()/>
            <button type="submit" class="button">"Find"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    match get_product_table(query, page).await {
                        Ok(table) => EitherOf3::A(view! { <Table table/> }),
                        // A page past the last: the 404 page, with its status.
                        Err(ShopError::NotFound) => EitherOf3::B(view! { <NotFound/> }),
                        Err(err) => EitherOf3::C(view! {
                            <p class="status status-error" role="alert">{err.to_string()}</p>
                        }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Table(table: ProductTable) -> impl IntoView {
    let ProductTable {
        rows,
        total,
        page,
        pages,
        ..
    } = table;
    view! {
        <p data-testid="product-total">{format!("{total} products")}</p>
        <table class="admin-table" data-testid="admin-products">
            <thead>
                <tr><th scope="col">"Id"</th><th scope="col">"Name"</th><th scope="col">"Category"</th><th scope="col">"Price"</th><th scope="col">"Stock"</th></tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|p| view! {
                        <tr>
                            <td>{p.id}</td>
                            <td><a href=format!("/admin/products/{}", p.id)>{p.name}</a></td>
                            <td>{p.category.unwrap_or_default()}</td>
                            <td class="price">{format_money(p.price)}</td>
                            <td>{p.stock}</td>
                        </tr>
                    })
                    .collect_view()}
            </tbody>
        </table>
        <Pagination page page_count=pages/>
    }
}

#[component]
pub fn AdminProductPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i32>().ok()));
    let shown = posted("stock").unwrap_or_default();
    view! {
        <PageMeta title="Product · Admin" description="A product's details and stock." canonical="/admin/products" noindex=true/>
        <AdminNav/>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let error = shown.error.clone();
                Suspend::new(async move {
                    let Some(id) = id else {
                        return Either::Right(view! { <NotFound/> });
                    };
                    let categories = list_categories().await.unwrap_or_default();
                    match get_product_stock(id).await {
                        Ok(stock) => Either::Left(view! { <StockView stock error categories/> }),
                        Err(_) => Either::Right(view! { <NotFound/> }),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn StockView(
    stock: ProductStock,
    error: Option<String>,
    categories: Vec<Category>,
) -> impl IntoView {
    let ProductStock {
        product,
        history,
        fields,
        image_url,
        ..
    } = stock;
    let edit = posted("product").unwrap_or_else(|| PostedForm::with_values(&fields));
    let image_error = posted("image").and_then(|f| f.error);
    let id = product.id;
    let mut running = 0i64;
    let rows = history
        .into_iter()
        .map(|m| {
            running += i64::from(m.delta);
            view! {
                <tr>
                    <td>{m.created_at.format("%-d %b %Y %H:%M").to_string()}</td>
                    <td>{m.reason.label()}</td>
                    <td>{if m.delta > 0 { format!("+{}", m.delta) } else { m.delta.to_string() }}</td>
                    <td>{running}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h1 class="page-title">{product.name.clone()}</h1>
        <p>
            {if product.archived {
                Either::Left(view! { <strong data-testid="archived">"Archived: the shop does not show it"</strong> })
            } else {
                Either::Right(view! { <a href=format!("/product/{}", product.id)>"See it in the shop"</a> })
            }}
            {format!(" · {} · ", format_money(product.price))}
            <strong data-testid="admin-stock">{format!("{} in stock", product.stock)}</strong>
        </p>
        <section aria-labelledby="details-title">
            <h2 id="details-title">"Details"</h2>
            <ProductForm action=format!("/admin/products/{id}") shown=edit categories button="Save product"/>
        </section>
        <section aria-labelledby="photo-title">
            <h2 id="photo-title">"Photo"</h2>
            <img src=image_url alt="" width="200" height="150" class="admin-photo"/>
            <FormError error=image_error/>
            <form class="account-form" method="post" action=format!("/admin/products/{id}/image") enctype="multipart/form-data">
                <div class="field">
                    <label for="image">"Photo (JPEG, PNG or WebP, up to 5 MB)"</label>
                    <input id="image" name="image" type="file" accept="image/jpeg,image/png,image/webp" required/>
                </div>
                <button type="submit" class="button">"Upload photo"</button>
            </form>
        </section>
        <section aria-labelledby="adjust-title">
            <h2 id="adjust-title">"Adjust stock"</h2>
            <FormError error/>
            <form class="account-form" method="post" action=format!("/admin/products/{}/stock", product.id)>
                <Field name="delta" label="Change" value=String::new() error=None numeric=false autocomplete="off"/>
                <p class="field-hint">"Units to add, or to take out with a minus: 12, -3."</p>
                <div class="field">
                    <label for="reason">"Reason"</label>
                    <select id="reason" name="reason">
                        {MovementReason::ADJUSTMENTS
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str()>{r.label()}</option> })
                            .collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Adjust stock"</button>
            </form>
        </section>
        <section aria-labelledby="history-title">
            <h2 id="history-title">"Stock history"</h2>
            <table class="admin-table" data-testid="stock-history">
                <thead><tr><th scope="col">"When"</th><th scope="col">"Why"</th><th scope="col">"Change"</th><th scope="col">"Stock"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
        {(!product.archived).then(|| view! {
            <section aria-labelledby="archive-title">
                <h2 id="archive-title">"Archive"</h2>
                <p>"The shop stops showing the product; past orders keep it."</p>
                <form method="post" action=format!("/admin/products/{id}/archive")>
                    <button type="submit" class="button">"Archive product"</button>
                </form>
            </section>
        })}
    }
}

/// `/admin/products/new`: a new product's details and opening stock.
#[component]
pub fn AdminNewProduct() -> impl IntoView {
    let shown = posted("product").unwrap_or_default();
    view! {
        <PageMeta title="New product · Admin" description="A new product." canonical="/admin/products/new" noindex=true/>
        <h1 class="page-title">"New product"</h1>
        <AdminNav/>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || {
                let shown = shown.clone();
                Suspend::new(async move {
                    let categories = list_categories().await.unwrap_or_default();
                    view! { <ProductForm action="/admin/products".to_owned() shown categories button="Create product" with_stock=true/> }
                })
            }}
        </Suspense>
    }
}

/// A product's details: name, description, price, category (and, when new, its stock).
#[component]
fn ProductForm(
    action: String,
    shown: PostedForm,
    categories: Vec<Category>,
    button: &'static str,
    #[prop(optional)] with_stock: bool,
) -> impl IntoView {
    let chosen = shown.value("category");
    let error = |name: &str| shown.field_error(name);
    view! {
        <FormError error=shown.error.clone().filter(|_| shown.field_errors.is_empty())/>
        <form class="account-form" method="post" action=action novalidate>
            <Field name="name" label="Name" value=shown.value("name") error=error("name") autocomplete="off"/>
            <div class="field" class:field-invalid=error("description").is_some()>
                <label for="description">"Description"</label>
                <textarea id="description" name="description" rows="5">{shown.value("description")}</textarea>
                <FieldError name="description" error=error("description")/>
            </div>
            <Field name="price" label="Price" value=shown.value("price") error=error("price") autocomplete="off"/>
            <div class="field" class:field-invalid=error("category").is_some()>
                <label for="category">"Category"</label>
                <select id="category" name="category">
                    <option value="" selected=chosen.is_empty()>"None"</option>
                    {categories
                        .into_iter()
                        .map(|c| {
                            let selected = c.slug == chosen;
                            view! { <option value=c.slug selected=selected>{c.name}</option> }
                        })
                        .collect_view()}
                </select>
                <FieldError name="category" error=error("category")/>
            </div>
            {with_stock.then(|| view! {
                <Field name="stock" label="Stock" value=shown.value("stock") error=error("stock") autocomplete="off"/>
            })}
            <button type="submit" class="button button-primary">{button}</button>
        </form>
    }
}

//! The admin's form posts (behind the router's admin guard; each checks the role again and
//! that the post comes from the shop's own pages). They redirect (303) to the page that
//! follows, or render the page again with what went wrong, what was typed, and its status.

use crate::error::ShopError;
use crate::model::admin::{OrderAction, ProductFields};
use crate::model::form::{Notice, PostedForm};
use crate::server::auth::{AuthSession, SignedIn};
use crate::server::context::same_origin;
use crate::server::form_post::{done, read, show_again, Posted};
use crate::server::services::{accounts, inventory, order_admin, product_admin};
use crate::server::{media, AppState};
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The signed-in admin (the guard let only admins through; checked again here).
fn staff(parts: &Parts) -> Result<SignedIn, ShopError> {
    parts
        .extensions
        .get::<AuthSession>()
        .and_then(|auth| auth.user.clone())
        .filter(|user| user.role == accounts::ADMIN)
        .ok_or_else(|| ShopError::Forbidden("This needs an admin account".into()))
}

fn product_id(id: &str) -> Result<i32, ShopError> {
    id.parse::<i32>().map_err(|_| ShopError::NotFound)
}

fn product_path(id: i32) -> String {
    format!("/admin/products/{id}")
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct StockForm {
    delta: String,
    reason: String,
}

/// `POST /admin/products/{id}/stock`: adjusts the stock by a delta with a reason.
pub async fn adjust_stock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let Posted { parts, fields } = match read::<StockForm>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let (staff, id) = match (staff(&parts), product_id(&id)) {
        (Ok(staff), Ok(id)) => (staff, id),
        (Err(refused), _) | (_, Err(refused)) => return refused.into_response(),
    };
    let adjusted = async {
        let delta = fields
            .delta
            .trim()
            .trim_start_matches('+')
            .parse::<i64>()
            .map_err(|_| {
                ShopError::invalid("Please enter a whole number of units, like 12 or -3")
            })?;
        inventory::adjust(&state.db, id, delta, fields.reason.trim(), staff.id).await
    }
    .await;
    match adjusted {
        Ok(_) => {
            state.catalogue.invalidate();
            done(&product_path(id), Notice::StockAdjusted)
        }
        Err(ShopError::NotFound) => ShopError::NotFound.into_response(),
        Err(err) => {
            show_again(
                state,
                parts,
                &product_path(id),
                PostedForm::refused("stock", &err),
            )
            .await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ProductForm {
    name: String,
    description: String,
    price: String,
    category: String,
    /// On creation only: the opening stock.
    stock: String,
}

impl ProductForm {
    fn fields(&self) -> ProductFields {
        ProductFields {
            name: self.name.clone(),
            description: self.description.clone(),
            price: self.price.clone(),
            category: self.category.clone(),
        }
    }

    /// What was typed, to show again.
    fn values(&self) -> BTreeMap<String, String> {
        [
            ("name", &self.name),
            ("description", &self.description),
            ("price", &self.price),
            ("category", &self.category),
            ("stock", &self.stock),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// `POST /admin/products`: a new product; then its page.
pub async fn create_product(State(state): State<AppState>, request: Request) -> Response {
    let Posted { parts, fields } = match read::<ProductForm>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let staff = match staff(&parts) {
        Ok(staff) => staff,
        Err(refused) => return refused.into_response(),
    };
    let stock = fields.stock.trim();
    let stock = if stock.is_empty() {
        Ok(0)
    } else {
        stock.parse::<i64>()
    };
    let created = match stock {
        Ok(stock) => {
            product_admin::create(&state.db, &fields.fields(), stock, None, staff.id).await
        }
        Err(_) => Err(ShopError::InvalidFields(
            [("stock".to_owned(), "A whole number of units".to_owned())].into(),
        )),
    };
    match created {
        Ok(product) => {
            state.catalogue.invalidate();
            done(&product_path(product.id), Notice::ProductSaved)
        }
        Err(err) => {
            let shown = PostedForm {
                values: fields.values(),
                ..PostedForm::refused("product", &err)
            };
            show_again(state, parts, "/admin/products/new", shown).await
        }
    }
}

/// `POST /admin/products/{id}`: edits a product's name, description, price and category.
pub async fn update_product(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let Posted { parts, fields } = match read::<ProductForm>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let (staff, id) = match (staff(&parts), product_id(&id)) {
        (Ok(staff), Ok(id)) => (staff, id),
        (Err(refused), _) | (_, Err(refused)) => return refused.into_response(),
    };
    match product_admin::update(&state.db, id, &fields.fields(), staff.id).await {
        Ok(_) => {
            state.catalogue.invalidate();
            done(&product_path(id), Notice::ProductSaved)
        }
        Err(ShopError::NotFound) => ShopError::NotFound.into_response(),
        Err(err) => {
            let shown = PostedForm {
                values: fields.values(),
                ..PostedForm::refused("product", &err)
            };
            show_again(state, parts, &product_path(id), shown).await
        }
    }
}

#[derive(Default, Deserialize)]
pub struct Blank {}

/// `POST /admin/products/{id}/archive`: hides the product from the shop.
pub async fn archive_product(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let Posted { parts, .. } = match read::<Blank>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let (staff, id) = match (staff(&parts), product_id(&id)) {
        (Ok(staff), Ok(id)) => (staff, id),
        (Err(refused), _) | (_, Err(refused)) => return refused.into_response(),
    };
    match product_admin::archive(&state.db, id, staff.id).await {
        Ok(()) => {
            state.catalogue.invalidate();
            done(&product_path(id), Notice::ProductArchived)
        }
        Err(err) => err.into_response(),
    }
}

/// `POST /admin/products/{id}/image` (multipart, field `image`): a new photo for the product.
pub async fn upload_image(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if let Err(err) = same_origin(&parts.headers, &state.config.public_url) {
        return err.into_response();
    }
    let (staff, id) = match (staff(&parts), product_id(&id)) {
        (Ok(staff), Ok(id)) => (staff, id),
        (Err(refused), _) | (_, Err(refused)) => return refused.into_response(),
    };
    let stored = async {
        let request = Request::from_parts(parts.clone(), body);
        let mut multipart = Multipart::from_request(request, &state)
            .await
            .map_err(|_| ShopError::invalid("Please choose a photo to upload"))?;
        let mut bytes = None;
        while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
            if field.name() == Some("image") {
                bytes = Some(field.bytes().await.map_err(upload_error)?.to_vec());
            }
        }
        let bytes = bytes
            .filter(|b| !b.is_empty())
            .ok_or_else(|| ShopError::invalid("Please choose a photo to upload"))?;
        let url = media::store(std::path::Path::new(&state.config.media_dir), bytes).await?;
        product_admin::set_image(&state.db, id, &url, staff.id).await
    }
    .await;
    match stored {
        Ok(()) => {
            state.catalogue.invalidate();
            done(&product_path(id), Notice::ImageSaved)
        }
        Err(ShopError::NotFound) => ShopError::NotFound.into_response(),
        Err(err) => {
            show_again(
                state,
                parts,
                &product_path(id),
                PostedForm::refused("image", &err),
            )
            .await
        }
    }
}

/// A body cut off or over the limit.
fn upload_error(err: axum::extract::multipart::MultipartError) -> ShopError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ShopError::invalid("Please upload a photo of at most 5 MB")
    } else {
        ShopError::invalid("The upload could not be read: please try again")
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct OrderActionForm {
    action: String,
    tracking_number: String,
}

fn order_path(number: &str) -> String {
    format!("/admin/orders/{number}")
}

/// `POST /admin/orders/{number}/status`: mark paid, ship (with a tracking number), mark
/// delivered or cancel, as the order's status allows.
pub async fn order_action(
    State(state): State<AppState>,
    Path(number): Path<String>,
    request: Request,
) -> Response {
    let Posted { parts, fields } = match read::<OrderActionForm>(&state, request).await {
        Ok(posted) => posted,
        Err(refused) => return refused,
    };
    let staff = match staff(&parts) {
        Ok(staff) => staff,
        Err(refused) => return refused.into_response(),
    };
    let Some(action) = OrderAction::parse(fields.action.trim()) else {
        return ShopError::invalid("Unknown action").into_response();
    };
    let deps = state.order_deps();
    match order_admin::act(&deps, &number, action, &fields.tracking_number, staff.id).await {
        Ok(order) => done(&order_path(&order.number), Notice::OrderUpdated),
        Err(ShopError::NotFound) => ShopError::NotFound.into_response(),
        Err(err) => {
            let path = order_path(&number);
            show_again(state, parts, &path, PostedForm::refused("order", &err)).await
        }
    }
}

#[derive(Default, Deserialize)]
#[serde(default)]
pub struct ExportQuery {
    from: String,
    to: String,
}

/// `GET /admin/orders/export.csv?from=YYYY-MM-DD&to=YYYY-MM-DD`: the orders placed in those
/// days, as a CSV download.
pub async fn export_orders(
    State(state): State<AppState>,
    axum::extract::Query(query): axum::extract::Query<ExportQuery>,
    request: Request,
) -> Response {
    if let Err(refused) = staff(&request.into_parts().0) {
        return refused.into_response();
    }
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d");
    let (Ok(from), Ok(to)) = (day(&query.from), day(&query.to)) else {
        return ShopError::invalid("Please give from and to as dates, like 2026-12-01")
            .into_response();
    };
    match order_admin::export_csv(&state.db, from, to).await {
        Ok(csv) => (
            [
                (
                    axum::http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_owned(),
                ),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"orders-{from}-to-{to}.csv\""),
                ),
                (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(err) => err.into_response(),
    }
}

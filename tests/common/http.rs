//! Driving the real axum router in-process, without a socket.

use super::TestDb;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use leptos_axum::AxumRouteListing;
use serde_json::{json, Value};
use shop::server::config::Config;
use shop::server::{router, AppState};
use std::sync::OnceLock;
use tower::ServiceExt;

pub const BASE: &str = "http://127.0.0.1:3000";
/// The Host the pages are requested with (BASE's).
pub const HOST: &str = "127.0.0.1:3000";

/// The app state an instance configured with `vars` would have, over the test's database.
pub fn app_state_with(t: &TestDb, vars: &[(&str, &str)]) -> AppState {
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let config = Config::from_lookup(|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .expect("config");
    let leptos_options = LeptosOptions::builder()
        .output_name("shop")
        .site_root("target/site")
        .build();
    AppState::new(t.db.clone(), leptos_options, config)
}

pub fn app_with(t: &TestDb, vars: &[(&str, &str)]) -> Router {
    router_for(app_state_with(t, vars))
}

/// The whole router over `state`.
pub fn router_for(state: AppState) -> Router {
    // Made once per test binary: see `router::build_with_routes`.
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    let routes = ROUTES.get_or_init(router::route_list).clone();
    router::build_with_routes(state, routes)
}

pub fn app(t: &TestDb) -> Router {
    app_with(t, &[])
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text, without Leptos's empty text-node markers (`<!>`, which the type-
    /// erased builds the tests use put after some text): they are not content.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).replace("<!>", "")
    }

    /// The `{"error": …}` message of a failure.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error field: {}", self.text()))
            .to_owned()
    }
}

pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response = app
        .clone()
        .oneshot(request)
        .await
        .expect("router never fails");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

pub async fn get(app: &Router, uri: &str) -> Reply {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

pub async fn post_json(app: &Router, uri: &str, body: Value) -> Reply {
    post_raw(app, uri, "application/json", body.to_string().into_bytes()).await
}

pub async fn post_raw(app: &Router, uri: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let request = Request::post(uri)
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    send(app, request).await
}

/// The text inside the element with `data-testid="{id}"`, without markup or comments.
pub fn testid_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("data-testid=\"{id}\"");
    let start = html.find(&marker)?;
    let open_end = start + html[start..].find('>')? + 1;
    let close = open_end + html[open_end..].find("</")?;
    let mut text = String::new();
    let mut inside_tag = false;
    for ch in html[open_end..close].chars() {
        match ch {
            '<' => inside_tag = true,
            '>' => inside_tag = false,
            c if !inside_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.trim().to_owned())
}

/// A page as the shopper with this session cookie sees it.
pub async fn page(app: &Router, path: &str, session: &str) -> Reply {
    let request = Request::get(path)
        .header(axum::http::header::HOST, HOST)
        .header(
            axum::http::header::COOKIE,
            format!("{}={session}", shop::server::session::COOKIE_NAME),
        )
        .body(Body::empty())
        .unwrap();
    send(app, request).await
}

/// A `POST /api/orders/` body for `session`'s cart, shipped to Ada in Portland, paid with
/// `payment` (`{"method": …}`).
pub fn order_body(session: &str, payment: Value) -> Value {
    json!({
        "session_id": session,
        "email": "ada@example.com",
        "shipping_address": {
            "name": "Ada Lovelace",
            "line1": "12 Harbor Road",
            "line2": "",
            "city": "Portland",
            "postal_code": "97201",
            "country": "US"
        },
        "shipping_method": "standard",
        "payment": payment
    })
}

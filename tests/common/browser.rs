//! A browser without JavaScript, in-process: keeps the cookies the router sets and sends
//! them back, posts forms as a browser does (URL-encoded, with the shop's Origin), and
//! never follows redirects (tests look at them).

use super::http::{send, Reply, BASE, HOST};
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use std::collections::BTreeMap;

pub struct Browser {
    app: Router,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(app: &Router) -> Self {
        Self {
            app: app.clone(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, reply: &Reply) {
        for value in reply.headers.get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let removed = value.is_empty() || text.to_ascii_lowercase().contains("max-age=0");
            if removed {
                self.cookies.remove(name.trim());
            } else {
                self.cookies
                    .insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        let request = Request::get(path)
            .header(header::HOST, HOST)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let reply = send(&self.app, request).await;
        self.keep_cookies(&reply);
        reply
    }

    /// Posts a form from one of the shop's pages.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        self.post_from(path, fields, Some(BASE)).await
    }

    /// Posts a form claiming `origin` (`None`: no Origin or Referer at all).
    pub async fn post_from(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        origin: Option<&str>,
    ) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let mut request = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::ACCEPT, "text/html")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookie_header());
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let reply = send(&self.app, request.body(Body::from(body)).unwrap()).await;
        self.keep_cookies(&reply);
        reply
    }

    /// Adds to the cart through the add-to-cart form's server function (no JavaScript).
    pub async fn add_to_cart(&mut self, product_id: i32, quantity: i32) -> Reply {
        let id = product_id.to_string();
        let quantity = quantity.to_string();
        self.post(
            "/_fn/cart/add",
            &[("product_id", id.as_str()), ("quantity", quantity.as_str())],
        )
        .await
    }
}

/// Where a redirect leads.
pub fn location(reply: &Reply) -> String {
    reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

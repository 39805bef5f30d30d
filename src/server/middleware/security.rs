//! Security headers. Pages get a Content-Security-Policy that lets the WASM run
//! (`wasm-unsafe-eval`), allows the page's own inline scripts only by a per-request nonce, and
//! allows nothing from other origins; every response gets nosniff and a referrer policy.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use rand::RngCore;

/// The nonce of this request's inline scripts; Leptos stamps it on the scripts it writes.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn content_security_policy(nonce: &str, dev_reload: Option<&str>) -> String {
    // In development the live-reload socket is on another port.
    let connect = match dev_reload {
        Some(origin) => format!("'self' {origin}"),
        None => "'self'".to_owned(),
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src {connect}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Whether the shop is served over https: then every answer carries HSTS.
#[derive(Clone, Copy)]
pub struct Https(pub bool);

pub async fn security_headers(
    axum::extract::State(Https(https)): axum::extract::State<Https>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = new_nonce();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        let dev_reload = std::env::var("LEPTOS_RELOAD_WS_ORIGIN").ok();
        if let Ok(csp) =
            HeaderValue::from_str(&content_security_policy(&nonce, dev_reload.as_deref()))
        {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if https {
        // Two years, the preload list's minimum: sign-in cookies must never travel in clear.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    res
}

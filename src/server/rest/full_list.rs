//! The unpaged product list (`GET /api/products/` without paging), the API's largest answer:
//! several megabytes of JSON at 10,000 products. It is rendered once per cached catalogue (the
//! same `Arc` while the catalogue cache holds it) and compressed then, brotli and gzip, so a
//! request only picks the bytes its `Accept-Encoding` takes; the compression layer leaves an
//! answer that already has a `Content-Encoding` alone. Rendering runs off the async workers,
//! and concurrent requests wait for the one render.

use super::api_product;
use crate::error::ShopError;
use crate::model::Product;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::sync::Arc;

/// Brotli quality 5 and gzip level 6: most of the size win for a few tens of milliseconds at
/// 10,000 products, paid once per catalogue change rather than per request.
const BROTLI_QUALITY: u32 = 5;
const BROTLI_WINDOW: u32 = 22;
const GZIP_LEVEL: u32 = 6;

#[derive(Default)]
pub struct FullListBody(tokio::sync::Mutex<Option<Rendered>>);

struct Rendered {
    source: Arc<Vec<Product>>,
    json: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

/// What the client accepts, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best of brotli, gzip and none that `Accept-Encoding` allows (`q=0` refuses one).
    pub fn choose(headers: &HeaderMap) -> Self {
        let entries: Vec<(String, f32)> = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|item| {
                let mut parts = item.split(';');
                let coding = parts.next()?.trim().to_ascii_lowercase();
                let q = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                Some((coding, q))
            })
            .collect();
        // A coding's own entry wins over `*`.
        let accepts = |name: &str| {
            let find = |coding: &str| entries.iter().find(|(c, _)| c == coding);
            find(name)
                .or_else(|| find("*"))
                .is_some_and(|(_, q)| *q > 0.0)
        };
        if accepts("br") {
            Self::Brotli
        } else if accepts("gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }
}

impl FullListBody {
    /// The list as JSON in the best encoding the request accepts.
    pub async fn response(
        &self,
        list: Arc<Vec<Product>>,
        base_url: &str,
        encoding: Encoding,
    ) -> Result<Response, ShopError> {
        let mut slot = self.0.lock().await;
        let stale = slot
            .as_ref()
            .is_none_or(|rendered| !Arc::ptr_eq(&rendered.source, &list));
        if stale {
            *slot = Some(render(list, base_url.to_owned()).await?);
        }
        let Some(rendered) = slot.as_ref() else {
            return Err(ShopError::Internal);
        };
        let (body, content_encoding) = match encoding {
            Encoding::Brotli => (rendered.brotli.clone(), Some("br")),
            Encoding::Gzip => (rendered.gzip.clone(), Some("gzip")),
            Encoding::Identity => (rendered.json.clone(), None),
        };
        drop(slot);
        let mut response = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if let Some(coding) = content_encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        Ok(response)
    }
}

async fn render(list: Arc<Vec<Product>>, base_url: String) -> Result<Rendered, ShopError> {
    let source = list.clone();
    let rendered = tokio::task::spawn_blocking(move || -> std::io::Result<Rendered> {
        let products: Vec<Product> = list
            .iter()
            .map(|p| api_product(p.clone(), &base_url))
            .collect();
        let json = serde_json::to_vec(&products)?;
        let mut brotli = Vec::with_capacity(json.len() / 8);
        {
            let mut writer = brotli::CompressorWriter::new(
                &mut brotli,
                64 * 1024,
                BROTLI_QUALITY,
                BROTLI_WINDOW,
            );
            writer.write_all(&json)?;
        }
        let mut gzip = flate2::write::GzEncoder::new(
            Vec::with_capacity(json.len() / 6),
            flate2::Compression::new(GZIP_LEVEL),
        );
        gzip.write_all(&json)?;
        Ok(Rendered {
            source,
            json: Bytes::from(json),
            brotli: Bytes::from(brotli),
            gzip: Bytes::from(gzip.finish()?),
        })
    })
    .await;
    let rendered = rendered.map_err(std::io::Error::other).and_then(|r| r);
    rendered.map_err(|e| {
        tracing::error!(error = %e, "rendering the product list");
        ShopError::Internal
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Encoding {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        Encoding::choose(&headers)
    }

    #[test]
    fn the_best_accepted_encoding_is_chosen() {
        assert_eq!(accept("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(accept("gzip"), Encoding::Gzip);
        assert_eq!(accept("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(accept("*"), Encoding::Brotli);
        assert_eq!(accept("identity"), Encoding::Identity);
        assert_eq!(accept("BR ; q=1.0"), Encoding::Brotli);
        assert_eq!(accept("br;q=0, *"), Encoding::Gzip);
        assert_eq!(Encoding::choose(&HeaderMap::new()), Encoding::Identity);
    }
}

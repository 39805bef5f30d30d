//! Product images staff upload: proved to be JPEG, PNG or WebP by decoding them (never by
//! name or MIME type), cropped to the storefront's 4:3 frame at the sizes it shows (400×300,
//! and 800×300's double, 800×600, for sharp screens), re-encoded as WebP, and stored under
//! `SHOP_MEDIA_DIR` with a content-hashed name, so they are served with a year's caching.

use crate::error::ShopError;
use image::{imageops::FilterType, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Where stored images are served from.
pub const MEDIA_PATH: &str = "/media";
/// The sizes made of each image: the card and page frame, and its double.
const SIZES: [(u32, u32); 2] = [(400, 300), (800, 600)];
/// The size a product's `image_url` names.
const MAIN_WIDTH: u32 = 800;
/// Larger images are refused before decoding (a small file can claim a huge size).
const MAX_SIDE: u32 = 10_000;

fn refused() -> ShopError {
    ShopError::invalid(
        "Please upload a JPEG, PNG or WebP photo of at most 5 MB (other files, SVG included, cannot be used)",
    )
}

/// The image's sizes, WebP-encoded: (width, bytes). CPU work: call it on the blocking pool.
pub fn render(bytes: &[u8]) -> Result<Vec<(u32, Vec<u8>)>, ShopError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(refused());
    }
    let format = image::guess_format(bytes).map_err(|_| refused())?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(refused());
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|_| {
        ShopError::invalid("This file could not be read as an image: is it complete?")
    })?;
    SIZES
        .iter()
        .map(|&(width, height)| {
            let framed = decoded
                .resize_to_fill(width, height, FilterType::Lanczos3)
                .to_rgba8();
            let mut out = Vec::new();
            image::codecs::webp::WebPEncoder::new_lossless(&mut out)
                .encode(
                    framed.as_raw(),
                    width,
                    height,
                    image::ExtendedColorType::Rgba8,
                )
                .map_err(|err| {
                    tracing::error!(error = %err, "encoding a product image");
                    ShopError::Internal
                })?;
            Ok((width, out))
        })
        .collect()
}

/// Renders and stores an upload under `dir`; returns the URL of its main size. The name is
/// the content's hash: the same photo twice is one set of files.
pub async fn store(dir: &Path, bytes: Vec<u8>) -> Result<String, ShopError> {
    let hash: String = Sha256::digest(&bytes)
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect();
    let sizes = tokio::task::spawn_blocking(move || render(&bytes))
        .await
        .map_err(|_| ShopError::Internal)??;
    let io = |err: std::io::Error| {
        tracing::error!(error = %err, "writing a product image");
        ShopError::Internal
    };
    tokio::fs::create_dir_all(dir).await.map_err(io)?;
    for (width, webp) in sizes {
        let path = dir.join(file_name(&hash, width));
        // Written aside and renamed: a reader never sees half a file.
        let partial: PathBuf = path.with_extension(format!(
            "webp.{}.partial",
            crate::server::services::random_hex()
        ));
        tokio::fs::write(&partial, webp).await.map_err(io)?;
        tokio::fs::rename(&partial, &path).await.map_err(io)?;
    }
    Ok(format!("{MEDIA_PATH}/{}", file_name(&hash, MAIN_WIDTH)))
}

fn file_name(hash: &str, width: u32) -> String {
    format!("{hash}-{width}.webp")
}

//! The script that brings the islands to life, in place of Leptos's `HydrationScripts`.
//! Leptos's version also emits high-priority preload hints for the JS and WASM; on a slow
//! phone those compete with the page's largest image and text for bandwidth, which is
//! what Lighthouse measured as render delay. The islands only add behaviour to a page that
//! is already complete, so they load when the browser is idle, and nothing earlier.

use leptos::config::LeptosOptions;
use leptos::prelude::*;

const LOADER: &str = include_str!("island_loader.js");

#[component]
pub fn IslandScripts(options: LeptosOptions) -> impl IntoView {
    let (js, wasm) = asset_names(&options);
    let call = format!(
        "{LOADER}({:?}, {js:?}, {wasm:?});",
        options.site_pkg_dir.as_ref()
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{call}</script> }
}

/// The JS and WASM file names without extension: `shop.<hash>` when the release was built
/// with hashed names (cargo-leptos leaves the hashes beside the binary), else as Leptos
/// names them.
fn asset_names(options: &LeptosOptions) -> (String, String) {
    let name = options.output_name.to_string();
    if !options.hash_files {
        let wasm = if option_env!("LEPTOS_OUTPUT_NAME").is_some() {
            name.clone()
        } else {
            format!("{name}_bg")
        };
        return (name, wasm);
    }
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(options.hash_file.as_ref())))
        .and_then(|file| std::fs::read_to_string(file).ok())
        .unwrap_or_default();
    let hash_of = |kind: &str| {
        hashes.lines().find_map(|line| {
            let (file, hash) = line.split_once(':')?;
            (file.trim() == kind).then(|| hash.trim().to_owned())
        })
    };
    let with_hash = |kind: &str| match hash_of(kind) {
        Some(hash) => format!("{name}.{hash}"),
        None => name.clone(),
    };
    (with_hash("js"), with_hash("wasm"))
}

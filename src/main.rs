#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    shop::server::cli::main().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The client starts in `lib.rs::hydrate`; this binary only exists with `ssr`.
}

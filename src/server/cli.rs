//! The `shop` command: `shop [serve] [--seed-demo]` runs the server, `shop seed [COUNT]`
//! fills an empty catalogue. Failures end the process with one line and a non-zero code.

use crate::server::config::{Config, LogFormat};
use crate::server::{db, jobs, mail, router, seed, AppState};
use std::future::IntoFuture;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: shop [serve] [--seed-demo] | shop seed [COUNT]";

pub async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("shop: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<(), String> {
    let config = Config::from_env()?;
    init_tracing(&config)?;
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["serve"] => serve(config, false).await,
        ["--seed-demo"] | ["serve", "--seed-demo"] => serve(config, true).await,
        ["seed"] => seed_command(&config, seed::demo_size()).await,
        ["seed", count] => {
            let count = count
                .parse::<usize>()
                .map_err(|_| format!("COUNT must be a whole number, got {count:?}; {USAGE}"))?;
            seed_command(&config, count).await
        }
        ["-h" | "--help" | "help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown arguments {args:?}; {USAGE}")),
    }
}

fn init_tracing(config: &Config) -> Result<(), String> {
    let filter = EnvFilter::try_new(&config.log_filter).map_err(|e| {
        format!(
            "RUST_LOG {:?} is not a valid filter: {e}",
            config.log_filter
        )
    })?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let installed = match config.log_format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.map_err(|e| format!("cannot set up logging: {e}"))
}

async fn seed_command(config: &Config, count: usize) -> Result<(), String> {
    let db = db::connect(&config.database_url, config.sqlite_full_sync).await?;
    let inserted = seed::seed_if_empty(&db, count)
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    match inserted {
        0 => println!("catalogue already has products; nothing seeded"),
        n => println!("seeded {n} products"),
    }
    db.close()
        .await
        .map_err(|e| format!("closing the database: {e}"))
}

async fn serve(config: Config, seed_demo: bool) -> Result<(), String> {
    let mut leptos_options = leptos::config::get_configuration(None)
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        // A release built by cargo-leptos leaves its asset hashes beside the binary.
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(&*leptos_options.hash_file)))
            .is_some_and(|file| file.exists());
    }
    let db = db::connect(&config.database_url, config.sqlite_full_sync).await?;
    if seed_demo {
        let inserted = seed::seed_if_empty(&db, seed::demo_size())
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
        if inserted > 0 {
            tracing::info!(products = inserted, "seeded the demo catalogue");
        }
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    let addr = config.addr;
    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
    let mailer = Arc::new(mail::Mailer::from_config(&config)?);
    let job_settings = jobs::JobSettings {
        pending_order_timeout: std::time::Duration::from_secs(config.pending_order_timeout_secs),
        sweep_interval: std::time::Duration::from_secs(config.sweep_interval_secs),
    };
    let state = AppState::new(db.clone(), leptos_options, config);
    let jobs = jobs::start(db.clone(), mailer, state.catalogue.clone(), job_settings);
    let app = router::build(state);
    tracing::info!("listening on http://{addr}");
    // On SIGTERM/SIGINT axum stops accepting and waits for in-flight requests; the deadline
    // bounds that wait so a stuck request cannot keep the process alive.
    let signalled = Arc::new(tokio::sync::Notify::new());
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown({
        let signalled = signalled.clone();
        async move {
            router::shutdown_signal().await;
            signalled.notify_one();
        }
    });
    let deadline = async move {
        signalled.notified().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server.into_future() => result.map_err(|e| format!("server error: {e}"))?,
        () = deadline => tracing::warn!(?grace, "requests still running after the grace period; stopping anyway"),
    }
    tracing::info!("shutting down: stopping background jobs, closing the database pool");
    jobs.stop(std::time::Duration::from_secs(10)).await;
    db.close()
        .await
        .map_err(|e| format!("closing the database: {e}"))
}

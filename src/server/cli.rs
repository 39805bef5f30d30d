//! The `shop` command: `shop [serve] [--seed-demo]` runs the server, `shop seed [COUNT]`
//! fills an empty catalogue. Failures end the process with one line and a non-zero code.

use crate::server::config::{Config, LogFormat};
use crate::server::{cluster, db, jobs, listener, mail, prometheus, router, seed, AppState};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

const USAGE: &str =
    "usage: shop [serve] [--seed-demo] | shop seed [COUNT] | shop admin create EMAIL";

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
        ["admin", "create", email] => admin_create(&config, email).await,
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
        // Colours only for a person at a terminal; files and log collectors get plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
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
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let drain = Duration::from_secs(config.shutdown_drain_secs);
    let limits = listener::Limits::from(&config);
    let mailer = Arc::new(mail::Mailer::from_config(&config)?);
    let job_settings = jobs::JobSettings {
        pending_order_timeout: Duration::from_secs(config.pending_order_timeout_secs),
        sweep_interval: Duration::from_secs(config.sweep_interval_secs),
        cart_idle: Duration::from_secs(u64::from(config.cart_idle_days) * 86_400),
        session_max_age: Duration::from_secs(u64::from(config.session_max_days) * 86_400),
        shop_url: config.public_url.clone(),
    };
    let redis = match &config.redis_url {
        Some(url) => Some(cluster::connect_redis(url).await?),
        None => None,
    };
    let mut state = AppState::new(db.clone(), leptos_options, config);
    let sharing = state.share_through(redis);
    if let Some(metrics_addr) = state.config.metrics_addr {
        let handle = prometheus::install()?;
        prometheus::serve(metrics_addr, handle, state.clone()).await?;
    }
    let jobs = jobs::start(
        db.clone(),
        mailer,
        state.catalogue.clone(),
        &state.stock,
        job_settings,
    );
    let (draining, stock) = (state.draining.clone(), state.stock.clone());
    let app = router::build(state);
    tracing::info!("listening on http://{addr}");
    // On SIGTERM/SIGINT: /ready turns 503 at once and, after the drain time (for load
    // balancers to notice), the listener closes, the stock streams end (their clients
    // reconnect elsewhere) and in-flight requests get the grace period.
    let stop_accepting = async move {
        router::shutdown_signal().await;
        draining.store(true, Ordering::Relaxed);
        tokio::time::sleep(drain).await;
        stock.close();
    };
    if !listener::serve(listener, app, limits, stop_accepting, grace).await {
        tracing::warn!(
            ?grace,
            "requests still running after the grace period; stopping anyway"
        );
    }
    tracing::info!("shutting down: stopping background jobs, closing the database pool");
    sharing.iter().for_each(tokio::task::JoinHandle::abort);
    jobs.stop(Duration::from_secs(10)).await;
    db.close()
        .await
        .map_err(|e| format!("closing the database: {e}"))
}

/// `shop admin create EMAIL`: creates an admin account, or promotes an existing one. A new
/// account's password comes from `SHOP_ADMIN_PASSWORD`, else is asked on the terminal
/// (without echo).
async fn admin_create(config: &Config, email: &str) -> Result<(), String> {
    use crate::server::services::accounts::{self, AdminGrant};
    let db = db::connect(&config.database_url, config.sqlite_full_sync)
        .await
        .map_err(|e| e.to_string())?;
    let password = || match std::env::var("SHOP_ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => Ok(password),
        _ => rpassword::prompt_password(format!("Password for {email}: ")).map_err(|e| {
            crate::error::ShopError::invalid(format!(
                "no SHOP_ADMIN_PASSWORD and no terminal to ask on ({e})"
            ))
        }),
    };
    let grant = accounts::make_admin(&db, email, password)
        .await
        .map_err(|e| e.to_string())?;
    match grant {
        AdminGrant::Created => println!("created the admin account {email}"),
        AdminGrant::Promoted => println!("{email} is now an admin"),
        AdminGrant::AlreadyAdmin => println!("{email} is already an admin"),
    }
    Ok(())
}

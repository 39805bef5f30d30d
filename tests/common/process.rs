//! The real `shop` binary as a child process, and a tiny HTTP/1.1 client over loopback.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Server {
    pub child: Child,
    pub addr: String,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn command(database_url: &str, addr: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shop"));
    cmd.env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", addr)
        .env("LEPTOS_OUTPUT_NAME", "shop")
        .env(
            "LEPTOS_SITE_ROOT",
            concat!(env!("CARGO_MANIFEST_DIR"), "/target/site"),
        )
        .env("RUST_LOG", "warn")
        .env("SHOP_WRITE_RATE_LIMIT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

impl Server {
    pub async fn start(database_url: &str, extra_env: &[(&str, &str)]) -> Server {
        let addr = format!("127.0.0.1:{}", free_port());
        let mut cmd = command(database_url, &addr);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let child = cmd.arg("serve").spawn().expect("spawn shop");
        let server = Server { child, addr };
        let started = Instant::now();
        while request(&server.addr, "GET", "/health", None)
            .await
            .map(|r| r.0)
            .ok()
            != Some(200)
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "server did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    /// Waits for the process to end by itself, and checks it ended well.
    pub async fn exits_cleanly(mut self) {
        let exit = tokio::task::spawn_blocking(move || self.child.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(exit.success(), "{exit:?}");
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request on a fresh connection: (status, body).
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    json: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let body = json.unwrap_or("");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    read_response(stream).await
}

/// The status of a GET on a fresh connection.
pub async fn get_status(addr: &str, path: &str) -> u16 {
    request(addr, "GET", path, None)
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .0
}

pub async fn read_response(mut stream: TcpStream) -> std::io::Result<(u16, String)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {text:?}")))?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

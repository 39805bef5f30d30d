//! Accepting connections: our own loop around hyper, because `axum::serve` has no header-read
//! timeout, no idle timeout and no cap on connections, so one slow client could hold
//! connections (and memory) forever.
//!
//! - Headers must arrive within `header_read_timeout`, which also bounds how long a kept-alive
//!   connection may wait between requests (hyper's HTTP/1 timer runs from the moment it waits
//!   for a request). Before hyper sees a connection, the protocol is detected from its first
//!   bytes, so until a first byte arrives the same limit is kept here.
//! - A connection that moves no bytes either way for `idle_timeout` is closed: a client that
//!   stops reading its response, or trickles a body. Streams that keep writing stay open.
//! - At most `max_connections` are open; further clients wait in the kernel's backlog.

use crate::server::config::Config;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl From<&Config> for Limits {
    fn from(config: &Config) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            max_connections: config.max_connections,
        }
    }
}

/// Serves `app` on `listener` until `stop_accepting` resolves, then lets the open connections
/// finish their requests for at most `grace`. Returns `false` if some were cut off.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop_accepting: impl Future<Output = ()>,
    grace: Duration,
) -> bool {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.idle_timeout / 2)
        .keep_alive_timeout(limits.header_read_timeout);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop_accepting);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break, // The semaphore is never closed.
            },
            () = &mut stop_accepting => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(error = %err, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut stop_accepting => break,
        };
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(IdleTimeout::new(
            stream,
            limits.header_read_timeout,
            limits.idle_timeout,
        ));
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let connection = builder
            .serve_connection_with_upgrades(io, service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => true,
        () = tokio::time::sleep(grace) => false,
    }
}

/// A stream that fails with `TimedOut` once no byte has been read or written for `idle`, or
/// when its first byte takes longer than `first_byte`.
struct IdleTimeout {
    inner: TcpStream,
    first_byte: Duration,
    idle: Duration,
    started: bool,
    last_activity: Instant,
    timer: Pin<Box<Sleep>>,
}

impl IdleTimeout {
    fn new(inner: TcpStream, first_byte: Duration, idle: Duration) -> Self {
        let now = Instant::now();
        Self {
            inner,
            first_byte,
            idle,
            started: false,
            last_activity: now,
            timer: Box::pin(tokio::time::sleep_until(now + first_byte)),
        }
    }

    /// Called when the stream would wait: an error once the allowed time has passed, else
    /// arms the timer so the waiting task wakes up to find out.
    fn check_idle(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        let allowed = if self.started {
            self.idle
        } else {
            self.first_byte
        };
        let deadline = self.last_activity + allowed;
        if self.timer.deadline() != deadline {
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            )),
            Poll::Pending => Ok(()),
        }
    }

    fn track<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(Ok(value)) => {
                self.last_activity = Instant::now();
                Poll::Ready(Ok(value))
            }
            Poll::Pending => match self.check_idle(cx) {
                Ok(()) => Poll::Pending,
                Err(err) => Poll::Ready(Err(err)),
            },
            other => other,
        }
    }
}

impl AsyncRead for IdleTimeout {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        this.started |= buf.filled().len() > before;
        this.track(cx, poll)
    }
}

impl AsyncWrite for IdleTimeout {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.track(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.track(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.track(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn pair() -> (TcpStream, TcpStream) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        (client, server)
    }

    #[tokio::test]
    async fn silence_ends_the_stream_and_traffic_keeps_it() {
        let (mut client, server) = pair().await;
        let mut server = IdleTimeout::new(
            server,
            Duration::from_millis(100),
            Duration::from_millis(300),
        );
        let mut byte = [0u8; 1];
        // Traffic every 150 ms (past the first-byte limit, within the idle one) keeps it open.
        client.write_all(b"a").await.unwrap();
        for _ in 0..3 {
            server.read_exact(&mut byte).await.unwrap();
            tokio::time::sleep(Duration::from_millis(150)).await;
            client.write_all(b"b").await.unwrap();
        }
        server.read_exact(&mut byte).await.unwrap();
        let started = std::time::Instant::now();
        let err = server.read_exact(&mut byte).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(250));
    }

    #[tokio::test]
    async fn a_silent_new_connection_gets_the_first_byte_limit() {
        let (_client, server) = pair().await;
        let mut server =
            IdleTimeout::new(server, Duration::from_millis(100), Duration::from_secs(60));
        let started = std::time::Instant::now();
        let err = server.read_u8().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

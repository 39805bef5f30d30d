//! Who the client is: the connection's peer, or, when the peer is one of our own proxies
//! (`SHOP_TRUSTED_PROXIES`), the address that proxy says it forwarded for. Only trusted hops
//! are believed: a client can write any `X-Forwarded-For` it likes, so the list is read from
//! the right and the first address that is not a trusted proxy is the client.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The client's address, in the request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// What per-client limits are kept under: an IPv4 address, or an IPv6 /64 (one
    /// subscriber's network: its hosts can take any address in it).
    pub fn limit_key(self) -> IpAddr {
        match canonical(self.0) {
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
            v4 => v4,
        }
    }
}

/// IPv4 written as IPv6 (`::ffff:1.2.3.4`, as dual-stack sockets report it) is IPv4.
fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// The client behind `peer`, given the request's `X-Forwarded-For` headers.
pub fn resolve(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |addr: IpAddr| trusted.iter().any(|net| net.contains(&canonical(addr)));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    // Every header line and every comma-separated entry, nearest hop last.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.iter().rev() {
        // Something unreadable was written by an untrusted party: stop at the last good hop.
        let Ok(addr) = hop.trim().parse::<IpAddr>() else {
            break;
        };
        client = canonical(addr);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// Stamps [`ClientAddr`] on every request that came in over a socket.
pub async fn identify_client(
    State(trusted): State<Arc<[IpNet]>>,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if let Some(peer) = peer {
        let client = resolve(peer, req.headers(), &trusted);
        req.extensions_mut().insert(ClientAddr(client));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_claims() {
        let headers = forwarded(&["1.2.3.4"]);
        assert_eq!(
            resolve(ip("203.0.113.9"), &headers, &proxies()),
            ip("203.0.113.9")
        );
        assert_eq!(resolve(ip("10.0.0.5"), &headers, &[]), ip("10.0.0.5"));
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        // The client lied with a first entry; two of our proxies appended the rest.
        let headers = forwarded(&["6.6.6.6, 198.51.100.7", "10.1.1.1"]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &headers, &proxies()),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("::1"), &forwarded(&["2001:db8::5"]), &proxies()),
            ip("2001:db8::5")
        );
    }

    #[test]
    fn garbage_or_no_header_leaves_the_last_trusted_hop() {
        assert_eq!(
            resolve(ip("10.0.0.2"), &forwarded(&[]), &proxies()),
            ip("10.0.0.2")
        );
        let headers = forwarded(&["1.2.3.4, not-an-ip, 10.9.9.9"]);
        assert_eq!(
            resolve(ip("10.0.0.2"), &headers, &proxies()),
            ip("10.9.9.9")
        );
    }

    #[test]
    fn mapped_ipv4_is_ipv4_and_ipv6_is_keyed_per_64() {
        assert_eq!(
            ClientAddr(ip("::ffff:192.0.2.1")).limit_key(),
            ip("192.0.2.1")
        );
        assert_eq!(
            ClientAddr(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).limit_key(),
            ip("2001:db8:1:2::")
        );
        assert_ne!(
            ClientAddr(ip("2001:db8:1:2::1")).limit_key(),
            ClientAddr(ip("2001:db8:1:3::1")).limit_key()
        );
    }
}

//! Host name resolution, cached: ureq resolves before every request, even one that then
//! reuses a pooled connection, and with a timeout it does so on a new thread.

use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a resolved host name is reused.
const DNS_TTL: Duration = Duration::from_secs(30);

/// ureq's resolver behind a small cache; IP literals skip both.
#[derive(Debug, Default)]
pub(crate) struct CachingResolver {
    inner: DefaultResolver,
    cache: std::sync::Mutex<Vec<(String, Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let host = uri
            .host()
            .unwrap_or("")
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("https") => 443,
            _ => 80,
        });
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            let mut out = self.empty();
            out.push(std::net::SocketAddr::new(ip, port));
            return Ok(out);
        }
        let key = format!("{host}:{port}");
        let now = Instant::now();
        if let Ok(cache) = self.cache.lock()
            && let Some((_, _, addrs)) = cache
                .iter()
                .find(|(k, at, _)| *k == key && now.duration_since(*at) < DNS_TTL)
        {
            return Ok(addrs.clone());
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|(k, at, _)| *k != key && now.duration_since(*at) < DNS_TTL);
            cache.push((key, now, addrs.clone()));
        }
        Ok(addrs)
    }
}

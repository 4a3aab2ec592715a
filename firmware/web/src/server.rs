use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::serve::ListenerExt as _;
use tokio::net::TcpListener;

/// Serves `router` on `listener` until `shutdown` completes, then lets open requests finish.
/// Each connection's address reaches the gate's rate limiter.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Small writes (a live event, a preview part) go out at once instead of waiting for the
    // last one's ACK (Nagle's algorithm against delayed ACKs: 40 ms stalls).
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY: {error}");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Where a machine's page listens and how it is found on the network.
#[derive(Clone, Debug)]
pub struct Site {
    /// The address to listen on (`0.0.0.0`, `127.0.0.1`…).
    pub bind: String,
    /// The TCP port (0: any free port, for tests).
    pub port: u16,
    /// The host name announced over mDNS, without `.local`.
    pub hostname: String,
    /// The name browsers list the service under.
    pub instance: String,
    /// The config table the settings come from, for messages (`page`).
    pub table: &'static str,
}

impl Site {
    /// How the page is announced when it listens on `port` (the configured one, or the one the
    /// system chose for port 0).
    pub fn announcement(&self, port: u16) -> crate::discovery::Announcement {
        crate::discovery::Announcement {
            instance: self.instance.clone(),
            hostname: self.hostname.clone(),
            port,
        }
    }
}

/// A page served on a thread of its own, for machines whose loop is not async: stops (letting
/// open requests finish for at most two seconds) and withdraws its announcement when dropped.
#[derive(Debug)]
pub struct Background {
    address: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Binds `site` now (a port in use is an error naming the setting) and serves `router` there
/// on a thread with a small runtime of its own; the page is announced as `_http._tcp` unless it
/// listens on loopback only, where nobody could find it.
pub fn serve_in_background(site: &Site, router: Router) -> std::io::Result<Background> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, what);
    let ip: std::net::IpAddr = site.bind.parse().map_err(|_| {
        invalid(format!(
            "[{}] bind = {:?} is not an IP address (0.0.0.0 for every network, 127.0.0.1 for this \
             machine only)",
            site.table, site.bind
        ))
    })?;
    let address = SocketAddr::new(ip, site.port);
    let listener = std::net::TcpListener::bind(address).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "the page cannot listen on {address} ({e}); set [{}] port to a free port (or \
                 enabled = false)",
                site.table
            ),
        )
    })?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let announcement = (!ip.is_loopback()).then(|| site.announcement(address.port()));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("page".into())
        .spawn(move || {
            runtime.block_on(async move {
                let announcer = announcement.map(|announcement| {
                    crate::discovery::announce(&announcement, &crate::discovery::Avahi::default())
                });
                let listener = match TcpListener::from_std(listener) {
                    Ok(listener) => listener,
                    Err(error) => {
                        tracing::error!("the page cannot listen: {error}");
                        return;
                    }
                };
                let (cut, cut_off) = tokio::sync::oneshot::channel::<()>();
                let shutdown = async move {
                    let _ = stopped.await;
                    let _ = cut.send(());
                };
                let served = serve(listener, router, shutdown);
                // Open live streams never end by themselves: two seconds after the stop they
                // are cut.
                let cut_off = async move {
                    let _ = cut_off.await;
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                };
                tokio::select! {
                    served = served => {
                        if let Err(error) = served {
                            tracing::error!("the page stopped: {error}");
                        }
                    }
                    () = cut_off => tracing::debug!("page: open requests cut at shutdown"),
                }
                drop(announcer);
            });
        })?;
    Ok(Background {
        address,
        stop: Some(stop),
        thread: Some(thread),
    })
}

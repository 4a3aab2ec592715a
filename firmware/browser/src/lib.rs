//! Headless Chromium for the machines' browser tests (a dev-dependency only): chromedriver
//! started in a process group of its own and killed whole however the test ends (killing
//! chromedriver alone would leave the Chromium it started running), a fantoccini client on it,
//! and a polling helper for "until the page shows …".
//!
//! Needs Debian's `chromium` and `chromium-driver` (tests/run.sh installs them).

use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

/// A process group, killed whole when dropped.
#[derive(Debug)]
pub struct KilledOnDrop(Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser for one test: the WebDriver client and the chromedriver behind it.
#[derive(Debug)]
pub struct Browser {
    /// The WebDriver session.
    pub client: Client,
    _driver: KilledOnDrop,
}

/// A free TCP port on 127.0.0.1 (free when asked; good enough for a test's own servers).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts chromedriver (its log in `dir/chromedriver.log`) and a headless Chromium with its
/// profile in `dir` and a window of `width` × `height` CSS pixels.
///
/// # Panics
/// When chromedriver cannot be started or does not answer within 30 s, saying what to install.
pub async fn headless(dir: &Path, width: u32, height: u32) -> Browser {
    let port = free_port();
    let log = std::fs::File::create(dir.join("chromedriver.log")).expect("log file");
    let child = Command::new("chromedriver")
        .process_group(0)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start `chromedriver` ({e}): this test needs Chromium and its WebDriver; \
                 install them with `apt-get install chromium chromium-driver` (tests/run.sh does)"
            )
        });
    let driver = KilledOnDrop(child);
    let profile = dir.join("chromium-profile");
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let client = until("chromedriver answers", Duration::from_secs(30), || {
        let capabilities = capabilities.clone();
        let url = url.clone();
        async move {
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities)
                .connect(&url)
                .await
                .ok()
        }
    })
    .await;
    Browser {
        client,
        _driver: driver,
    }
}

/// Polls `probe` every 100 ms until it gives a value.
///
/// # Panics
/// After `timeout`, naming `what` was awaited.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < timeout, "{what}: not within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

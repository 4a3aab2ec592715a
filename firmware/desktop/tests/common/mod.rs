//! The simulator as a test starts it: the real binary, its address read from what it prints,
//! killed however the test ends; and plain HTTP/1.1 requests to it.

#![allow(dead_code)] // Each test binary uses its own part of this.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The simulator, killed when dropped.
pub struct Simulator {
    pub child: Child,
    pub address: SocketAddr,
    pub state: tempfile::TempDir,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sets up the simulator's command: no browser, `port`, its state in `state`.
pub fn configure<'a>(
    command: &'a mut Command,
    state: &std::path::Path,
    port: u16,
) -> &'a mut Command {
    command
        .args(["--no-browser", "--port", &port.to_string()])
        .env("ATELIER_STATE_DIR", state)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
}

/// The simulator's binary, started as the suite runs programs (through qemu-user when the
/// suite runs for the Pi: see `atelier_cli::spawn_built`).
pub const BINARY: &str = env!("CARGO_BIN_EXE_atelier-sim");

pub fn start() -> Simulator {
    start_with(&[])
}

/// The simulator with extra arguments.
pub fn start_with(arguments: &[&str]) -> Simulator {
    let state = tempfile::tempdir().expect("state folder");
    let mut child = atelier_cli::spawn_built(BINARY, |command| {
        configure(command, state.path(), 0)
            .args(arguments)
            .stdout(Stdio::piped())
            .stderr(
                std::fs::File::create(state.path().join("atelier-sim.log"))
                    .map_or_else(|_| Stdio::null(), Stdio::from),
            )
            .env("RUST_LOG", "info")
    })
    .expect("atelier-sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    let read = BufReader::new(stdout).read_line(&mut line);
    let address = read
        .ok()
        .and_then(|_| line.trim().strip_prefix("Atelier simulator: http://"))
        .and_then(|rest| rest.trim_end_matches('/').parse().ok());
    let Some(address) = address else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("atelier-sim did not print its address: {line:?}");
    };
    Simulator {
        child,
        address,
        state,
    }
}

/// One HTTP/1.1 request; the status and body.
pub fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    body: Option<&str>,
) -> (u16, String) {
    http_as(address, method, path, host, body, None)
}

/// [`http`] as a paired device holding `token`.
pub fn http_as(
    address: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = body.unwrap_or("");
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("reads");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

pub fn get(sim: &Simulator, path: &str) -> (u16, String) {
    http(sim.address, "GET", path, &sim.address.to_string(), None)
}

pub fn put(sim: &Simulator, path: &str, body: &str) -> (u16, String) {
    http(
        sim.address,
        "PUT",
        path,
        &sim.address.to_string(),
        Some(body),
    )
}

/// The lamp's state as its companion reports it: (sensed surface, what it shows).
pub fn lamp_surface(sim: &Simulator) -> (String, String) {
    let (status, body) = get(sim, "/lantern/api/state");
    assert_eq!(status, 200, "{body}");
    let state: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let field = |name: &str| state["lamp"][name].as_str().unwrap_or_default().to_owned();
    (field("sensed"), field("showing"))
}

pub fn until_showing(sim: &Simulator, surface: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = lamp_surface(sim);
        if now == (surface.to_owned(), surface.to_owned()) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the lamp never showed {surface}: it senses and shows {now:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn post(sim: &Simulator, path: &str, body: &str) -> (u16, String) {
    http(
        sim.address,
        "POST",
        path,
        &sim.address.to_string(),
        Some(body),
    )
}

/// The comic robot's panel, polled until `done` says so.
pub fn until_comic(
    sim: &Simulator,
    what: &str,
    timeout: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + timeout;
    loop {
        let (status, body) = get(sim, "/api/comic/panel");
        assert_eq!(status, 200, "{body}");
        let panel: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if done(&panel) {
            return panel;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {timeout:?}: {panel}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plotter config with a small paper (60 × 40 mm, hung where the shipped one's top centre
/// is), so a whole plot takes seconds even under qemu; written into `dir`.
pub fn small_plotter_config(dir: &std::path::Path) -> std::path::PathBuf {
    let shipped =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/polargraph.toml");
    let text = std::fs::read_to_string(&shipped).expect("the shipped plotter config");
    let mut small = String::new();
    for line in text.lines() {
        let line = match line.split_once('=').map(|(key, _)| key.trim()) {
            Some("paper_left_mm") => "paper_left_mm = 420.0",
            Some("paper_width_mm") => "paper_width_mm = 60.0",
            Some("paper_height_mm") => "paper_height_mm = 40.0",
            _ => line,
        };
        small.push_str(line);
        small.push('\n');
    }
    let path = dir.join("polargraph.toml");
    std::fs::write(&path, small).expect("config written");
    path
}

/// The plotter's panel, polled until `done` says so.
pub fn until_plotter(
    sim: &Simulator,
    what: &str,
    timeout: Duration,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + timeout;
    loop {
        let (status, body) = get(sim, "/api/plotter/panel");
        assert_eq!(status, 200, "{body}");
        let panel: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if done(&panel) {
            return panel;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {timeout:?}: {panel}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A PNG the simulator serves at `path`, decoded.
pub fn png(sim: &Simulator, path: &str) -> image::GrayImage {
    let mut stream = TcpStream::connect(sim.address).expect("connects");
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                sim.address
            )
            .as_bytes(),
        )
        .expect("asks");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("reads");
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{path} is served");
    let start = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end")
        + 4;
    image::load_from_memory(&answer[start..])
        .expect("a PNG")
        .to_luma8()
}

//! The companion under load, measured (a bounded run that stops by itself; numbers go to
//! docs/BENCHMARKS.md):
//! - API latency: 50 clients on loopback, each on its own keep-alive connection, 100
//!   `GET /api/state` each: at a page's pace (one every 100 ms each), and back to back
//!   (saturation); p50 / p99 / max.
//! - Preview: motion-JPEG frames a page receives per second from a 1280×720 lamp, while the
//!   projector's own frame rate is counted alongside.
//! - Memory: resident size of the real `lantern run --board sim` with a page watching.
//!
//! `cargo bench -p lantern --bench companion`

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atelier_config::Places;
use lantern::config::LanternConfig;
use lantern::simulated::CEILING;

const CLIENTS: usize = 50;
const REQUESTS: usize = 100;

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let defaults = common::defaults(
        dir.path(),
        1280,
        720,
        &[
            ("bind = \"0.0.0.0\"", "bind = \"127.0.0.1\""),
            ("port = 8080", &format!("port = {port}")),
        ],
    );
    let places = Places::find("lantern", Some(&defaults)).with_state(dir.path().join("state"));
    let config: LanternConfig = places.load().expect("valid");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let lamp = common::LampThread::start(&config, CEILING);
    let codes = Arc::new(Mutex::new(Vec::new()));
    // The per-address rate limit would answer most of this load with 429s (all clients share
    // 127.0.0.1): raised here, to measure the API itself.
    let pairing = atelier_web::Pairing::in_memory(atelier_web::PairingPolicy::default());
    let gate = atelier_web::Gate::new(
        atelier_web::GateConfig {
            requests_per_second: 1e9,
            burst: 1e9,
            ..atelier_web::GateConfig::for_machine("lantern")
        },
        pairing,
        common::Recording {
            lamp: lantern::companion::ProjectedCode(lamp.handle.clone()),
            codes: Arc::clone(&codes),
        },
    );
    let companion = lantern::companion::Companion::new(places.clone(), lamp.handle.clone());
    let (router, _) = lantern::companion::router(companion, gate);
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("loopback");
    let address = listener.local_addr().expect("address");
    runtime.spawn(atelier_web::serve(listener, router, std::future::pending()));

    let token = pair(address, &codes);
    std::thread::sleep(Duration::from_secs(1));

    // API latency: phones at a page's pace (each client a request every 100 ms), then as fast
    // as the lamp answers (saturation: latency there is the queue of 50 waiting clients).
    for (label, pace) in [
        ("10 requests/s per client", Some(Duration::from_millis(100))),
        ("saturated, back to back", None),
    ] {
        let started = Instant::now();
        let mut latencies = load(address, &token, pace);
        let wall = started.elapsed();
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
        println!(
            "API, {label}: {} GET /api/state from {CLIENTS} loopback clients in {:.2} s ({:.0}/s): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            latencies.len(),
            wall.as_secs_f64(),
            latencies.len() as f64 / wall.as_secs_f64(),
            at(0.5).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            latencies[latencies.len() - 1].as_secs_f64() * 1e3,
        );
    }

    // Preview frame rate against the projector's.
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET /api/preview.mjpeg HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
    )
    .expect("request");
    let projected_before = lamp.projector.frames_received();
    let window = Duration::from_secs(5);
    let start = Instant::now();
    let mut parts = 0usize;
    let mut buffer = vec![0u8; 1 << 16];
    let mut tail = Vec::new();
    while start.elapsed() < window {
        let n = stream.read(&mut buffer).expect("preview");
        assert!(n > 0, "the preview stream ended");
        tail.extend_from_slice(&buffer[..n]);
        parts += count(&tail, b"--frame\r\n");
        let keep = tail.len().saturating_sub(8);
        tail.drain(..keep);
    }
    let seconds = start.elapsed().as_secs_f64();
    let projected = lamp.projector.frames_received() - projected_before;
    println!(
        "preview: {:.1} frames/s to the page while the projector got {:.1} frames/s (configured {})",
        parts as f64 / seconds,
        projected as f64 / seconds,
        config.display.fps
    );
    drop(stream);
    drop(lamp);

    // Memory of the real process.
    let state = dir.path().join("process-state");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lantern"))
        .args(["run", "--board", "sim", "--config"])
        .arg(&defaults)
        .arg("--state")
        .arg(&state)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("lantern");
    let page = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut watcher = loop {
        if let Ok(stream) = TcpStream::connect(page) {
            break stream;
        }
        assert!(Instant::now() < deadline, "the page never answered");
        std::thread::sleep(Duration::from_millis(100));
    };
    // An unpaired watcher gets a 401; pair through the log is not needed for the memory figure,
    // so the read-only view is what a page costs here: state requests and the page's files.
    for path in ["/", "/app.js", "/app.css", "/api/session"] {
        write!(watcher, "GET {path} HTTP/1.1\r\nHost: {page}\r\n\r\n").expect("request");
    }
    std::thread::sleep(Duration::from_secs(10));
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).expect("status");
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
            .unwrap_or_default()
    };
    println!(
        "lantern run --board sim (1280×720, 30 fps, page served): VmRSS {} kB, VmHWM {} kB",
        field("VmRSS:"),
        field("VmHWM:")
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// Each of [`CLIENTS`] clients sends [`REQUESTS`] `GET /api/state` on its own keep-alive
/// connection, one every `pace` (or back to back); every request's latency.
fn load(address: std::net::SocketAddr, token: &str, pace: Option<Duration>) -> Vec<Duration> {
    let clients: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let token = token.to_owned();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(address).expect("connect");
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .expect("timeout");
                stream.set_nodelay(true).expect("nodelay");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut latencies = Vec::with_capacity(REQUESTS);
                let request = format!(
                    "GET /api/state HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\r\n"
                );
                // Spread the paced clients over the period instead of all at once.
                let start = Instant::now() + pace.map_or(Duration::ZERO, |p| p * i as u32 / CLIENTS as u32);
                for n in 0..REQUESTS {
                    if let Some(pace) = pace {
                        let due = start + pace * n as u32;
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    // One write: a request split over several would wait on Nagle's algorithm
                    // and the server's delayed ACK (40 ms), measuring TCP instead of the lamp.
                    let sent = Instant::now();
                    stream.write_all(request.as_bytes()).expect("request");
                    let status = read_response(&mut reader);
                    assert_eq!(status, 200);
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    clients
        .into_iter()
        .flat_map(|c| c.join().expect("client"))
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Reads one HTTP/1.1 response with a Content-Length; its status.
fn read_response(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("length");
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("body");
    status
}

fn pair(address: std::net::SocketAddr, codes: &Arc<Mutex<Vec<String>>>) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    write!(
        stream,
        "POST /api/pair/code HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n"
    )
    .expect("request");
    assert_eq!(read_response(&mut reader), 202);
    let code = codes
        .lock()
        .expect("codes")
        .last()
        .cloned()
        .expect("a code");
    let body = serde_json::json!({ "code": code, "name": "bench" }).to_string();
    write!(
        stream,
        "POST /api/pair HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("request");
    // The token is in the body: read it by hand.
    let mut line = String::new();
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).expect("line");
        if line.trim_end().is_empty() {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().expect("length");
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).expect("body");
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    json["token"].as_str().expect("token").to_owned()
}

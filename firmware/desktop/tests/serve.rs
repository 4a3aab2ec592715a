//! `atelier-sim` as a maker runs it: the real binary, its page on 127.0.0.1, the lamp turned
//! from the hardware panel and seen to change surface through the lamp's own companion API;
//! bad input refused with a clear message; a port in use named; SIGTERM ends it cleanly.
//! Every process this test starts is killed however the test ends.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The simulator, killed when dropped.
struct Simulator {
    child: Child,
    address: SocketAddr,
    _state: tempfile::TempDir,
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(state: &std::path::Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atelier-sim"));
    command
        .args(["--no-browser", "--port", &port.to_string()])
        .env("ATELIER_STATE_DIR", state)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

fn start() -> Simulator {
    let state = tempfile::tempdir().expect("state folder");
    let mut child = command(state.path(), 0)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
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
        _state: state,
    }
}

/// One HTTP/1.1 request; the status and body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
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

fn get(sim: &Simulator, path: &str) -> (u16, String) {
    http(sim.address, "GET", path, &sim.address.to_string(), None)
}

fn put(sim: &Simulator, path: &str, body: &str) -> (u16, String) {
    http(
        sim.address,
        "PUT",
        path,
        &sim.address.to_string(),
        Some(body),
    )
}

/// The lamp's state as its companion reports it: (sensed surface, what it shows).
fn lamp_surface(sim: &Simulator) -> (String, String) {
    let (status, body) = get(sim, "/lantern/api/state");
    assert_eq!(status, 200, "{body}");
    let state: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let field = |name: &str| state["lamp"][name].as_str().unwrap_or_default().to_owned();
    (field("sensed"), field("showing"))
}

fn until_showing(sim: &Simulator, surface: &str) {
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

#[test]
fn the_panel_turns_the_real_lamp_and_its_own_page_sees_it() {
    let sim = start();
    let (status, page) = get(&sim, "/");
    assert_eq!(status, 200);
    assert!(page.contains("<iframe src=\"lantern/\""), "{page}");
    // The lamp's own page, at a path its relative links stay under.
    let (status, companion) = get(&sim, "/lantern/");
    assert_eq!(status, 200);
    assert!(companion.contains("<script src=\"app.js\""), "{companion}");

    until_showing(&sim, "ceiling");
    let (status, panel) = put(&sim, "/api/lantern/panel", r#"{"toward":"wall"}"#);
    assert_eq!(status, 200, "{panel}");
    assert!(panel.contains("\"toward\":\"wall\""), "{panel}");
    until_showing(&sim, "wall");
    // Tipped over by a gravity vector instead of a name.
    let (status, panel) = put(&sim, "/api/lantern/panel", r#"{"gravity":[0,0,2]}"#);
    assert_eq!(status, 200, "{panel}");
    until_showing(&sim, "table");

    // Noise and wobble are taken and reported back.
    let (status, panel) = put(
        &sim,
        "/api/lantern/panel",
        r#"{"noise_g":0.02,"wobble":false,"knock":true}"#,
    );
    assert_eq!(status, 200, "{panel}");
    let panel: serde_json::Value = serde_json::from_str(&panel).expect("JSON");
    assert_eq!(panel["noise_g"], 0.02);
    assert_eq!(panel["wobble"], false);
}

#[test]
fn bad_panel_input_is_refused_with_what_is_accepted_and_nothing_changes() {
    let sim = start();
    for (body, status, says) in [
        (
            r#"{"toward":"up"}"#,
            422,
            "expected one of `ceiling`, `wall`, `table`",
        ),
        (r#"{"noise_g":2}"#, 422, "0 to 0.5 g rms"),
        (r#"{"gravity":[0,0,0]}"#, 422, "has no direction"),
        (r#"{"toward":"wall","gravity":[0,1,0]}"#, 422, "not both"),
        (r#"{"tilt":3}"#, 422, "unknown field `tilt`"),
        ("not json", 400, "expected"),
    ] {
        let (got, answer) = put(&sim, "/api/lantern/panel", body);
        assert_eq!(got, status, "{body}: {answer}");
        assert!(answer.contains(says), "{body}: {answer}");
    }
    let (_, panel) = get(&sim, "/api/lantern/panel");
    assert!(panel.contains("\"toward\":\"ceiling\""), "{panel}");
    // Another site's name for this address (DNS rebinding) is refused.
    let (status, answer) = http(
        sim.address,
        "PUT",
        "/api/lantern/panel",
        &format!("attacker.example:{}", sim.address.port()),
        Some(r#"{"toward":"wall"}"#),
    );
    assert_eq!(status, 421, "{answer}");
}

#[test]
fn a_port_in_use_is_named_and_sigterm_stops_the_simulator() {
    let mut sim = start();
    let state = tempfile::tempdir().expect("state folder");
    let second = command(state.path(), sim.address.port())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains(&format!("cannot listen on {}", sim.address)) && said.contains("--port"),
        "{said}"
    );

    let pid = sim.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = sim.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "atelier-sim ignored SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

//! The real `lantern run --board sim` process dies in the middle of saving a change made from
//! the companion page (aborted at a named point of the config writer, as `kill -9` or a power
//! cut would stop it there); started again, it runs with the old config or the new one, never a
//! broken one, and the phone is still paired.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The lamp process, killed and reaped however the test ends.
struct Lamp {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Lamp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn start(defaults: &Path, state: &Path, failpoint: Option<&str>) -> Lamp {
    let mut child = atelier_cli::spawn_built(env!("CARGO_BIN_EXE_lantern"), |command| {
        command
            .args(["run", "--board", "sim", "--config"])
            .arg(defaults)
            .arg("--state")
            .arg(state)
            .env("RUST_LOG", "info")
            .env_remove(atelier_config::FAILPOINT_VARIABLE)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(failpoint) = failpoint {
            command.env(atelier_config::FAILPOINT_VARIABLE, failpoint);
        }
        command
    })
    .expect("lantern starts");
    let stderr = child.stderr.take().expect("piped");
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Lamp { child, lines }
}

impl Lamp {
    /// The first log line containing `needle`, within a minute (qemu is slow).
    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("the lamp never logged {needle:?}"),
            }
        }
    }

    fn exits_within(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "the lamp did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn new(port: u16) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        Client {
            agent,
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Result<(u16, serde_json::Value), String> {
        let url = format!("{}{path}", self.base);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(&url)
            .header("Content-Type", "application/json");
        let request = match token {
            Some(token) => request.header("Authorization", format!("Bearer {token}")),
            None => request,
        };
        let request = request
            .body(body.unwrap_or("").to_owned())
            .map_err(|e| e.to_string())?;
        let mut response = self.agent.run(request).map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())?;
        Ok((
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        ))
    }

    /// Waits for the page to answer.
    fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.send("GET", "/api/session", None, None).is_err() {
            assert!(Instant::now() < deadline, "the page never answered");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn pair(lamp: &Lamp, client: &Client) -> String {
    let (status, _) = client
        .send("POST", "/api/pair/code", None, None)
        .expect("code");
    assert_eq!(status, 202);
    let line = lamp.wait_for_line("pairing code");
    let code = line
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.trim_matches('"').get(..6))
        .expect("the code in the log")
        .to_owned();
    let body = serde_json::json!({ "code": code, "name": "phone" }).to_string();
    let (status, json) = client
        .send("POST", "/api/pair", None, Some(&body))
        .expect("pair");
    assert_eq!(status, 200, "{json}");
    json["token"].as_str().expect("token").to_owned()
}

fn ceiling_app(client: &Client, token: &str) -> String {
    let (status, json) = client
        .send("GET", "/api/state", Some(token), None)
        .expect("state");
    assert_eq!(status, 200, "{json}");
    json["surfaces"]
        .as_array()
        .expect("surfaces")
        .iter()
        .find(|s| s["name"] == "ceiling")
        .and_then(|s| s["app"].as_str())
        .expect("ceiling app")
        .to_owned()
}

const CLOCK: &str = r#"{"app": "clock", "settings": {"style": "digital"}}"#;

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, u16) {
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let defaults = common::defaults(
        dir.path(),
        160,
        90,
        &[
            ("bind = \"0.0.0.0\"", "bind = \"127.0.0.1\""),
            ("port = 8080", &format!("port = {port}")),
        ],
    );
    let state = dir.path().join("state");
    (dir, defaults, state, port)
}

#[test]
fn killed_before_the_new_config_is_in_place_the_old_one_runs() {
    let (_dir, defaults, state, port) = setup();
    let client = Client::new(port);
    let token = {
        let mut lamp = start(&defaults, &state, Some("atomic:edits.toml:synced"));
        client.ready();
        let token = pair(&lamp, &client);
        // The change dies with the process: no answer comes.
        let answer = client.send(
            "PUT",
            "/api/surfaces/ceiling/app",
            Some(&token),
            Some(CLOCK),
        );
        assert!(answer.is_err(), "{answer:?}");
        assert!(!lamp.exits_within(Duration::from_secs(30)).success());
        token
    };
    let lamp = start(&defaults, &state, None);
    client.ready();
    assert_eq!(
        ceiling_app(&client, &token),
        "space-porthole",
        "the old config, intact"
    );
    // And the change can be made again.
    let (status, json) = client
        .send(
            "PUT",
            "/api/surfaces/ceiling/app",
            Some(&token),
            Some(CLOCK),
        )
        .expect("answered");
    assert_eq!(status, 200, "{json}");
    assert_eq!(ceiling_app(&client, &token), "clock");
    // The killed writer's half-written temporary went with the next write.
    let leftovers: Vec<_> = std::fs::read_dir(&state)
        .expect("state folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    drop(lamp);
}

#[test]
fn killed_just_after_the_new_config_is_in_place_the_new_one_runs() {
    let (_dir, defaults, state, port) = setup();
    let client = Client::new(port);
    let token = {
        let mut lamp = start(&defaults, &state, Some("atomic:edits.toml:renamed"));
        client.ready();
        let token = pair(&lamp, &client);
        let answer = client.send(
            "PUT",
            "/api/surfaces/ceiling/app",
            Some(&token),
            Some(CLOCK),
        );
        assert!(answer.is_err(), "{answer:?}");
        assert!(!lamp.exits_within(Duration::from_secs(30)).success());
        token
    };
    let _lamp = start(&defaults, &state, None);
    client.ready();
    assert_eq!(
        ceiling_app(&client, &token),
        "clock",
        "the new config, whole"
    );
}

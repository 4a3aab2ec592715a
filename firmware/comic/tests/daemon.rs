//! The real `comic run --board sim` process, killed with SIGKILL at random moments while it
//! prints, then started again: every press it accepted ends as a complete comic on the
//! simulated paper (kept in the state folder, as paper outlives a crash), read back by the
//! simulator's own ESC/POS interpreter.

mod common;

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

use comic::profile::PrinterProfile;
use comic::simulated::decode_paper_log;
use common::Fixture;

/// A child process that is killed however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write_config(fixture: &Fixture) -> PathBuf {
    let root = fixture.root();
    let path = root.join("comic.toml");
    std::fs::write(
        &path,
        format!(
            "[board]\nbackend = \"sim\"\n\n[pins]\nbutton = 5\nready_led = 4\nbusy_led = 27\nerror_led = 17\n\n\
             [printer]\nport = \"tcp:127.0.0.1:9100\"\nprofile = \"epson-tm-t20\"\n\n\
             [comic]\nevent = \"Crash day\"\nlibrary = \"{}\"\narchive_dir = \"archive\"\n\
             page_width_mm = 100.0\narchive_dpi = 120\n\n\
             [robot]\nqueue_limit = 3\nretry_first_s = 0.2\nretry_max_s = 1.0\n\n\
             [page]\nbind = \"127.0.0.1\"\nport = 0\n",
            root.display()
        ),
    )
    .expect("config");
    path
}

/// Starts `comic --config CONFIG --state STATE run --board sim ARGS…`, its log in `log`.
fn start(config: &Path, state: &Path, log: &Path, args: &[&str]) -> Running {
    let log = std::fs::File::create(log).expect("log file");
    let child = atelier_cli::spawn_built(env!("CARGO_BIN_EXE_comic"), |command| {
        command
            .arg("--config")
            .arg(config)
            .arg("--state")
            .arg(state)
            .args(["run", "--board", "sim"])
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(log.try_clone().expect("log file"))
    })
    .expect("comic starts");
    Running(child)
}

/// The numbers after `marker` (`press accepted number=`) in a log.
fn numbers_after(log: &str, marker: &str) -> Vec<u64> {
    log.lines()
        .filter_map(|line| {
            let rest = &line[line.find(marker)? + marker.len()..];
            rest.split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

/// A small repeatable generator for the kill times (xorshift).
struct Moments(u64);

impl Moments {
    fn next_ms(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

#[test]
fn killed_while_printing_then_restarted_every_accepted_press_is_on_paper() {
    let fixture = Fixture::new(8, 0);
    let config = write_config(&fixture);
    let state = fixture.root().join("state");
    let mut accepted = BTreeSet::new();
    let mut cut_off = 0;
    let mut moments = Moments(0x5eed_cafe);
    for round in 0..10 {
        let log_path = fixture.root().join(format!("run-{round}.log"));
        let mut running = start(
            &config,
            &state,
            &log_path,
            &["--press-every", "0.5", "--speed", "4"],
        );
        // Kill at a random moment once it prints: how long that takes depends on the machine
        // (and on qemu, when this runs cross-compiled).
        let started = std::time::Instant::now();
        while !std::fs::read_to_string(&log_path)
            .expect("log")
            .contains("printing number=")
        {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "round {round} never started printing"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        std::thread::sleep(Duration::from_millis(moments.next_ms(0, 1_500)));
        running.0.kill().expect("SIGKILL");
        running.0.wait().expect("reaped");
        let log = std::fs::read_to_string(&log_path).expect("log");
        accepted.extend(numbers_after(&log, "press accepted number="));
        let printing = numbers_after(&log, "printing number=");
        let printed = numbers_after(&log, "printed number=");
        if printing.last().is_some_and(|n| !printed.contains(n)) {
            cut_off += 1;
        }
    }
    assert!(
        cut_off >= 3,
        "only {cut_off} of 10 kills came while a comic was printing"
    );

    // Started again with nobody pressing: it finishes what was spooled, then stops.
    let log_path = fixture.root().join("final.log");
    let mut last = start(
        &config,
        &state,
        &log_path,
        &["--for", "60", "--speed", "20"],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while last.0.try_wait().expect("status").is_none() {
        assert!(
            std::time::Instant::now() < deadline,
            "the last run did not finish"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = PrinterProfile::builtin_named("epson-tm-t20").expect("profile");
    let paper = std::fs::read(state.join("sim/paper.escpos")).expect("paper log");
    let printer = decode_paper_log(&profile, &paper);
    let on_paper: BTreeSet<u64> = printer
        .text()
        .iter()
        .filter_map(|line| {
            let rest = line.text.trim().strip_prefix("No. ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect();
    assert!(
        accepted.len() >= 5,
        "only {} presses accepted",
        accepted.len()
    );
    let missing: Vec<&u64> = accepted.difference(&on_paper).collect();
    assert!(missing.is_empty(), "accepted but not on paper: {missing:?}");
    assert!(printer.errors().is_empty(), "{:?}", printer.errors());
    let spooled = std::fs::read_dir(state.join("spool"))
        .expect("spool")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("job-"))
        .count();
    assert_eq!(spooled, 0, "jobs left in the spool");
    // The paper is whole because the cut-off comics were closed before the next one.
    assert!(
        std::fs::read_dir(fixture.root())
            .expect("folder")
            .filter_map(Result::ok)
            .any(|e| {
                std::fs::read_to_string(e.path())
                    .is_ok_and(|text| text.contains("printer brought back to a known state"))
            }),
        "no run resynchronised the printer after a cut-off comic"
    );
}

/// One HTTP/1.1 request to the robot's page, with a bearer token if given: status and body.
fn http(
    address: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let authorization = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{authorization}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("sends");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("reads");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let status = String::from_utf8_lossy(&answer[..split])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer[split + 4..].to_vec())
}

fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap_or(serde_json::Value::Null)
}

/// Waits for `what` to hold, up to two minutes (qemu is slow).
fn until<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_phone_pairs_with_the_code_printed_on_the_paper_then_presses_and_reprints() {
    let fixture = Fixture::new(8, 0);
    let config = write_config(&fixture);
    let state = fixture.root().join("state");
    let log_path = fixture.root().join("page.log");
    let _running = start(&config, &state, &log_path, &["--speed", "8"]);
    let address: SocketAddr = until("the page's address in the log", || {
        let log = std::fs::read_to_string(&log_path).ok()?;
        let rest = &log[log.find("the robot's page: http://")? + 25..];
        rest.split_whitespace().next()?.parse().ok()
    });
    let profile = PrinterProfile::builtin_named("epson-tm-t20").expect("profile");
    let paper = || {
        let bytes = std::fs::read(state.join("sim/paper.escpos")).unwrap_or_default();
        decode_paper_log(&profile, &bytes)
    };

    // Unpaired: the page and pairing answer; the robot's state and button do not.
    let (status, page) = http(address, "GET", "/", None, "");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&page).contains("Comic robot"));
    assert_eq!(http(address, "GET", "/api/state", None, "").0, 401);
    assert_eq!(http(address, "POST", "/api/press", None, "").0, 401);
    assert_eq!(
        http(address, "POST", "/api/archive/1/reprint", None, "").0,
        401
    );

    // The code comes out of the printer, read back by the simulator's own interpreter.
    assert_eq!(http(address, "POST", "/api/pair/code", None, "").0, 202);
    let code = until("a pairing code on the paper", || {
        paper().text().iter().find_map(|line| {
            let text = line.text.trim();
            (text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.to_owned())
        })
    });
    let (status, body) = http(
        address,
        "POST",
        "/api/pair",
        None,
        &format!(r#"{{"code":"{code}","name":"test phone"}}"#),
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let token = json(&body)["token"].as_str().expect("a token").to_owned();
    let token = Some(token.as_str());

    // A press from the phone is a comic on paper, then in the archive.
    assert_eq!(http(address, "POST", "/api/press", token, "").0, 202);
    until("comic 1 printed", || {
        let state = json(&http(address, "GET", "/api/state", token, "").1);
        (state["printed"].as_u64() == Some(1)).then_some(())
    });
    // Newest first; the comic made ahead for the next press is archived already.
    let archive = json(&http(address, "GET", "/api/archive", token, "").1);
    let numbers: Vec<u64> = archive
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|comic| comic["number"].as_u64())
        .collect();
    assert_eq!(numbers, [2, 1], "{archive}");
    let (status, png) = http(address, "GET", "/api/archive/1/comic.png", token, "");
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");

    // Reprinted: comic 1 is on the paper twice. A comic never made is a 404 naming it.
    assert_eq!(
        http(address, "POST", "/api/archive/1/reprint", token, "").0,
        202
    );
    let (status, body) = http(address, "POST", "/api/archive/99/reprint", token, "");
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("99"));
    until("comic 1 on the paper twice", || {
        let numbers: Vec<String> = paper()
            .text()
            .iter()
            .filter(|line| line.text.trim().starts_with("No. 1 "))
            .map(|line| line.text.clone())
            .collect();
        (numbers.len() == 2).then_some(())
    });
    assert!(paper().errors().is_empty(), "{:?}", paper().errors());

    // Another printer, chosen on the page: saved in the edits, the robot starts again with it
    // and its next comic is made for it. Only built-in profiles are taken from a page.
    let printer = json(&http(address, "GET", "/api/printer", token, "").1);
    assert_eq!(printer["profile"], "epson-tm-t20", "{printer}");
    assert!(printer["profiles"].to_string().contains("generic-58mm-usb"));
    for refused in [
        r#"{"profile":"tm-1000"}"#,
        r#"{"profile":"/etc/passwd.toml"}"#,
    ] {
        let (status, body) = http(address, "PUT", "/api/printer", token, refused);
        assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).contains("generic-58mm-usb"));
    }
    let chosen = r#"{"profile":"generic-58mm-usb"}"#;
    assert_eq!(http(address, "PUT", "/api/printer", token, chosen).0, 202);
    until("the robot started again with the new printer", || {
        let log = std::fs::read_to_string(&log_path).ok()?;
        log.contains("profile=generic-58mm-usb").then_some(())
    });
    let edits = std::fs::read_to_string(state.join("edits.toml")).expect("the edits");
    assert!(edits.contains("generic-58mm-usb"), "{edits}");
    let printer = json(&http(address, "GET", "/api/printer", token, "").1);
    assert_eq!(printer["profile"], "generic-58mm-usb", "{printer}");
    // The page stayed up through the restart, and the robot prints for the new printer.
    let before = json(&http(address, "GET", "/api/state", token, "").1)["printed"]
        .as_u64()
        .expect("printed");
    assert_eq!(http(address, "POST", "/api/press", token, "").0, 202);
    until("a comic on the new printer", || {
        let state = json(&http(address, "GET", "/api/state", token, "").1);
        (state["printed"].as_u64() > Some(before)).then_some(())
    });
    // The comic made ahead after the switch is made for the new printer.
    until("a comic made for the new printer", || {
        let archive = json(&http(address, "GET", "/api/archive", token, "").1);
        let newest = archive[0]["number"].as_u64()?;
        let sidecar =
            std::fs::read_to_string(state.join(format!("archive/comic-{newest:06}.json"))).ok()?;
        sidecar.contains("generic-58mm-usb").then_some(())
    });
}

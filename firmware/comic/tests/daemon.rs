//! The real `comic run --board sim` process, killed with SIGKILL at random moments while it
//! prints, then started again: every press it accepted ends as a complete comic on the
//! simulated paper (kept in the state folder, as paper outlives a crash), read back by the
//! simulator's own ESC/POS interpreter.

mod common;

use std::collections::BTreeSet;
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
             [robot]\nqueue_limit = 3\nretry_first_s = 0.2\nretry_max_s = 1.0\n",
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

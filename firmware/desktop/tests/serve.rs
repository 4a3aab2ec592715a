//! `atelier-sim` as a maker runs it: the real binary, its page on 127.0.0.1, the lamp turned
//! from the hardware panel and seen to change surface through the lamp's own companion API;
//! bad input refused with a clear message; a port in use named; SIGTERM ends it cleanly.
//! Every process this test starts is killed however the test ends.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{get, http, put, start, until_showing};

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
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
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
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
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_port_in_use_is_named_and_sigterm_stops_the_simulator() {
    let mut sim = start();
    let state = tempfile::tempdir().expect("state folder");
    let second = atelier_cli::output_of_built(common::BINARY, |command| {
        common::configure(command, state.path(), sim.address.port())
    })
    .expect("runs");
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains(&format!("cannot listen on {}", sim.address)) && said.contains("--port"),
        "{said}"
    );

    // A page watching the live preview keeps a stream open; SIGTERM still ends the simulator.
    let mut watching = std::net::TcpStream::connect(sim.address).expect("connects");
    std::io::Write::write_all(
        &mut watching,
        format!(
            "GET /lantern/api/preview.mjpeg HTTP/1.1\r\nHost: {}\r\n\r\n",
            sim.address
        )
        .as_bytes(),
    )
    .expect("asks for the preview");
    let mut first = [0u8; 64];
    std::io::Read::read_exact(&mut watching, &mut first).expect("the stream begins");
    assert!(
        first.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&first)
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

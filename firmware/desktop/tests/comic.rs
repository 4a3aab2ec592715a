//! The comic robot in `atelier-sim`: the real robot on a simulated board, driven from the
//! hardware panel's API as the page drives it. A press becomes a comic on the simulated
//! thermal paper (decoded from the ESC/POS bytes the robot sent), the same comic the robot
//! archived; with the paper out the robot stops, lights its error LED and keeps the job, and
//! prints it once a new roll is in.

mod common;

use std::time::Duration;

use common::{Simulator, get, http_as, post, put, start_with, until_comic};

/// The paper, decoded: (width, height, share of black pixels).
fn paper(sim: &Simulator) -> (u32, u32, f64) {
    // The body is binary: fetched raw.
    let mut stream = std::net::TcpStream::connect(sim.address).expect("connects");
    std::io::Write::write_all(
        &mut stream,
        format!(
            "GET /api/comic/paper.png HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            sim.address
        )
        .as_bytes(),
    )
    .expect("asks");
    let mut answer = Vec::new();
    std::io::Read::read_to_end(&mut stream, &mut answer).expect("reads");
    assert!(answer.starts_with(b"HTTP/1.1 200"), "the paper is served");
    let start = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end")
        + 4;
    let image = image::load_from_memory(&answer[start..])
        .expect("a PNG")
        .to_luma8();
    let black = image.pixels().filter(|p| p.0[0] < 128).count() as f64;
    (
        image.width(),
        image.height(),
        black / f64::from(image.width() * image.height()),
    )
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_press_on_the_panel_prints_the_archived_comic_on_the_simulated_paper() {
    let sim = start_with(&["--comic-speed", "20"]);
    let ready = until_comic(&sim, "the robot is ready", Duration::from_secs(300), |p| {
        p["leds"]["ready"] == true
            && p["events"]
                .as_array()
                .is_some_and(|e| e.iter().any(|e| e == "comic 1 made"))
    });
    assert_eq!(ready["printed"], 0);
    let (blank_width, _, blank_black) = paper(&sim);
    assert_eq!(blank_black, 0.0, "nothing printed yet");

    let (status, answer) = post(&sim, "/api/comic/press", "");
    assert_eq!(status, 202, "{answer}");
    until_comic(
        &sim,
        "the press is accepted",
        Duration::from_secs(10),
        |p| p["accepted"] == 1,
    );
    let printed = until_comic(&sim, "comic 1 is on paper", Duration::from_secs(120), |p| {
        p["printed"] == 1
    });
    assert_eq!(printed["leds"]["error"], false, "{printed}");

    // The comic's picture is on the paper: the printer model drew what the bytes said.
    let (width, height, black) = paper(&sim);
    assert_eq!(width, blank_width);
    assert!(
        height > 500,
        "a comic is hundreds of rows long, not {height}"
    );
    assert!(
        (0.05..0.6).contains(&black),
        "share of black on the paper: {black}"
    );
    // And it is the comic the robot archived.
    assert!(
        sim.state
            .path()
            .join("desktop/comic/archive/comic-000001.png")
            .exists(),
        "the comic is archived in the simulator's own state"
    );

    // The robot's own page, mounted as `comic run` serves it, follows the same robot: open to
    // watch on 127.0.0.1, its button and reprints still behind pairing.
    let (status, page) = get(&sim, "/comic/");
    assert_eq!(status, 200);
    assert!(page.contains("Comic robot"), "{page}");
    let (status, state) = get(&sim, "/comic/api/state");
    assert_eq!(status, 200, "{state}");
    let state: serde_json::Value = serde_json::from_str(&state).expect("JSON");
    assert_eq!(state["printed"], 1, "{state}");
    let (status, archive) = get(&sim, "/comic/api/archive");
    assert_eq!(status, 200);
    assert!(archive.contains("\"number\":1"), "{archive}");
    assert_eq!(post(&sim, "/comic/api/press", "").0, 401);
    assert_eq!(post(&sim, "/comic/api/archive/1/reprint", "").0, 401);
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn paper_out_stops_the_robot_with_its_error_led_and_a_new_roll_prints_the_kept_job() {
    let sim = start_with(&["--comic-speed", "20"]);
    until_comic(&sim, "the robot is ready", Duration::from_secs(300), |p| {
        p["leds"]["ready"] == true
    });
    let (status, panel) = put(&sim, "/api/comic/printer", r#"{"paper_out":true}"#);
    assert_eq!(status, 200, "{panel}");
    let (status, _) = post(&sim, "/api/comic/press", "");
    assert_eq!(status, 202);
    let stopped = until_comic(
        &sim,
        "the robot sees the paper is out",
        Duration::from_secs(300),
        |p| {
            p["events"].as_array().is_some_and(|e| {
                e.iter()
                    .any(|e| e.as_str().is_some_and(|e| e.contains("PaperOut")))
            })
        },
    );
    assert_eq!(stopped["printed"], 0, "{stopped}");
    // The error LED blinks while the paper is out: seen lit within a few looks.
    until_comic(&sim, "the error LED lights", Duration::from_secs(10), |p| {
        p["leds"]["error"] == true
    });

    let (status, _) = put(&sim, "/api/comic/printer", r#"{"paper_out":false}"#);
    assert_eq!(status, 200);
    let printed = until_comic(&sim, "the kept job prints", Duration::from_secs(120), |p| {
        p["printed"] == 1
    });
    assert_eq!(printed["accepted"], 1, "one press, one comic: {printed}");

    let (status, answer) = put(&sim, "/api/comic/printer", r#"{"paper":"out"}"#);
    assert_eq!(status, 422, "{answer}");
    assert!(answer.contains("unknown field `paper`"), "{answer}");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_recording_of_a_press_holds_the_bouncing_button_and_the_leds_as_vcd() {
    let sim = start_with(&["--comic-speed", "20"]);
    until_comic(&sim, "the robot is ready", Duration::from_secs(300), |p| {
        p["leds"]["ready"] == true
    });
    let (status, answer) = common::http(
        sim.address,
        "GET",
        "/api/recordings/comic/vcd",
        &sim.address.to_string(),
        None,
    );
    assert_eq!(status, 409, "nothing recorded yet: {answer}");
    let (status, answer) = put(&sim, "/api/recordings/comic", r#"{"recording":true}"#);
    assert_eq!(status, 200, "{answer}");
    let (status, _) = post(&sim, "/api/comic/press", "");
    assert_eq!(status, 202);
    until_comic(&sim, "comic 1 is on paper", Duration::from_secs(120), |p| {
        p["printed"] == 1
    });
    let (status, answer) = put(&sim, "/api/recordings/comic", r#"{"recording":false}"#);
    assert_eq!(status, 200, "{answer}");
    let (status, vcd) = common::http(
        sim.address,
        "GET",
        "/api/recordings/comic/vcd",
        &sim.address.to_string(),
        None,
    );
    assert_eq!(status, 200);
    // Each wire's identifier, by the name the board gave it.
    let id_of = |suffix: &str| -> String {
        vcd.lines()
            .find_map(|line| {
                let parts: Vec<&str> = line.split_whitespace().collect();
                (parts.first() == Some(&"$var")
                    && parts.get(4).is_some_and(|n| n.ends_with(suffix)))
                .then(|| parts[3].to_owned())
            })
            .unwrap_or_else(|| panic!("no wire named *{suffix} in\n{vcd}"))
    };
    let changes = |id: &str| {
        vcd.lines()
            .skip_while(|line| !line.starts_with("$enddefinitions"))
            .filter(|line| line.len() > 1 && &line[1..] == id && !line.starts_with('#'))
            .count()
    };
    // The button: its value at the start, then the press with the switch's bounce (more than
    // one edge down and one up).
    let button = changes(&id_of("_button"));
    assert!(button >= 5, "button edges: {button}\n{vcd}");
    // The busy LED lit while the comic printed and went out after.
    let busy = changes(&id_of("_busy_LED"));
    assert!(busy >= 3, "busy LED changes: {busy}\n{vcd}");
    assert!(vcd.contains("\n#0\n"), "the recording starts at time zero");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_printer_switched_on_the_robot_s_own_page_is_the_printer_on_the_simulated_port() {
    let sim = start_with(&["--comic-speed", "20"]);
    let ready = until_comic(&sim, "the robot is ready", Duration::from_secs(300), |p| {
        p["leds"]["ready"] == true
    });
    assert_eq!(
        ready["paper_width_dots"], 384,
        "the shipped 58 mm printer: {ready}"
    );
    let host = sim.address.to_string();
    let call = |method: &str, path: &str, body: Option<&str>, token: Option<&str>| {
        http_as(sim.address, method, path, &host, body, token)
    };

    // Paired with the code the robot printed on its paper, as a phone would be.
    assert_eq!(call("POST", "/comic/api/pair/code", None, None).0, 202);
    let code_in = |panel: &serde_json::Value| {
        panel["printed_text"]
            .as_array()?
            .iter()
            .filter_map(|line| line.as_str())
            .map(str::trim)
            .find(|line| line.len() == 6 && line.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    };
    let panel = until_comic(&sim, "a code on the paper", Duration::from_secs(60), |p| {
        code_in(p).is_some()
    });
    let code = code_in(&panel).expect("a six-digit code on the paper");
    let (status, paired) = call(
        "POST",
        "/comic/api/pair",
        Some(&format!(r#"{{"code":"{code}","name":"desk"}}"#)),
        None,
    );
    assert_eq!(status, 200, "{paired}");
    let paired: serde_json::Value = serde_json::from_str(&paired).expect("JSON");
    let token = paired["token"].as_str().expect("a token");

    // An 80 mm printer: the robot starts again with it, and the simulated port has it.
    let (status, answer) = call(
        "PUT",
        "/comic/api/printer",
        Some(r#"{"profile":"graphics-only-80mm"}"#),
        Some(token),
    );
    assert_eq!(status, 202, "{answer}");
    until_comic(
        &sim,
        "the 80 mm printer on the port",
        Duration::from_secs(60),
        |p| p["paper_width_dots"] == 576,
    );
    let (status, answer) = post(&sim, "/api/comic/press", "");
    assert_eq!(status, 202, "{answer}");
    let printed = until_comic(
        &sim,
        "a comic on the 80 mm paper",
        Duration::from_secs(120),
        |p| p["printed"] == 1,
    );
    assert_eq!(printed["leds"]["error"], false, "{printed}");
    let (width, height, black) = paper(&sim);
    assert_eq!(width, 576, "the paper is the new printer's");
    assert!(
        height > 500 && (0.05..0.6).contains(&black),
        "{height} rows, {black} black"
    );
}

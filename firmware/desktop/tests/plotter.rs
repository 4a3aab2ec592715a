//! The plotter in `atelier-sim`: the real planner and executor on a simulated board, driven
//! through the panel's API as the page drives it. A sample plotted at ×1000 is drawn whole on
//! the simulated paper (ink only where the paper is) and the gondola comes home; a plot paused
//! half way stops with the pen up and resumes to the end; bad requests are refused with what is
//! accepted. The paper is small (60 × 40 mm) so a whole plot takes seconds.

mod common;

use std::time::Duration;

use common::{Simulator, get, png, post, put, small_plotter_config, start_with, until_plotter};

fn plotter(speed: &str) -> (Simulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("config folder");
    let config = small_plotter_config(dir.path());
    let sim = start_with(&[
        "--plotter-config",
        config.to_str().expect("UTF-8 path"),
        "--plotter-speed",
        speed,
    ]);
    (sim, dir)
}

/// Share of inked pixels on the canvas.
fn ink(sim: &Simulator) -> f64 {
    let canvas = png(sim, "/api/plotter/canvas.png");
    let inked = canvas.pixels().filter(|p| p.0[0] < 128).count() as f64;
    inked / f64::from(canvas.width() * canvas.height())
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_sample_plotted_at_1000x_is_drawn_whole_and_the_gondola_comes_home() {
    let (sim, _config) = plotter("1000");
    let idle = until_plotter(&sim, "the plotter is up", Duration::from_secs(30), |p| {
        p["activity"] == "idle"
    });
    assert!(
        idle["samples"]
            .as_array()
            .is_some_and(|s| s.iter().any(|s| s == "ramp.png")),
        "{idle}"
    );
    assert_eq!(ink(&sim), 0.0, "blank paper first");
    let (status, answer) = post(
        &sim,
        "/api/plotter/plot",
        r#"{"sample":"ramp.png","style":"squarewave","seed":7}"#,
    );
    assert_eq!(status, 202, "{answer}");
    let done = until_plotter(&sim, "the plot is done", Duration::from_secs(300), |p| {
        p["activity"] == "done" || p["activity"] == "failed" || p["activity"] == "paused"
    });
    assert_eq!(done["activity"], "done", "{done}");
    assert!(done["strokes"].as_u64().is_some_and(|n| n > 0), "{done}");
    assert_eq!(
        done["stroke"], done["strokes"],
        "every stroke drawn: {done}"
    );
    assert_eq!(
        done["steps"],
        serde_json::json!([0, 0]),
        "parked at home: {done}"
    );
    assert_eq!(done["pen_down"], false);
    // The canvas is the paper's size (60 × 40 mm at 1.5 px/mm), and the ramp runs from white
    // on the left to black on the right: the pen's pattern is densest at the dark end.
    let canvas = png(&sim, "/api/plotter/canvas.png");
    assert_eq!((canvas.width(), canvas.height()), (90, 60));
    let third = |from: u32| {
        let (mut inked, mut all) = (0, 0);
        for x in from..from + 30 {
            for y in 0..60 {
                all += 1;
                inked += usize::from(canvas.get_pixel(x, y).0[0] < 128);
            }
        }
        inked as f64 / f64::from(all)
    };
    let (light, dark) = (third(0), third(60));
    assert!(dark > 0.02, "ink at the dark end: {dark}");
    assert!(
        dark > 2.0 * light,
        "dark end {dark} against light end {light}"
    );

    // The plotter's own page, mounted as `polargraph run` serves it, follows the same daemon:
    // open to watch on 127.0.0.1, every change behind pairing.
    let (status, page) = get(&sim, "/polargraph/");
    assert_eq!(status, 200);
    assert!(page.contains("Polargraph"), "{page}");
    let (status, state) = get(&sim, "/polargraph/api/state");
    assert_eq!(status, 200, "{state}");
    let state: serde_json::Value = serde_json::from_str(&state).expect("JSON");
    assert_eq!(state["status"]["ended"], "finished", "{state}");
    // The page's pen (from the step counters) is where the simulated gondola hangs.
    for axis in 0..2 {
        let page = state["pen_mm"][axis].as_f64().expect("the page's pen");
        let world = done["pen_mm"][axis].as_f64().expect("the world's pen");
        assert!((page - world).abs() < 0.1, "{state} against {done}");
    }
    assert_eq!(state["simulated"], true);
    assert_eq!(
        png(&sim, "/polargraph/api/canvas.png"),
        canvas,
        "the same paper"
    );
    let plot = r#"{"sample":"ramp.png","style":"squarewave","seed":7}"#;
    assert_eq!(post(&sim, "/polargraph/api/plot", plot).0, 401);
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_paused_plot_stops_with_the_pen_up_and_resumes_to_the_end() {
    let (sim, _config) = plotter("20");
    until_plotter(&sim, "the plotter is up", Duration::from_secs(30), |p| {
        p["activity"] == "idle"
    });
    let (status, answer) = post(
        &sim,
        "/api/plotter/plot",
        r#"{"sample":"ramp.png","style":"squarewave","seed":7}"#,
    );
    assert_eq!(status, 202, "{answer}");
    until_plotter(&sim, "drawing has begun", Duration::from_secs(120), |p| {
        p["activity"] == "plotting" && p["stroke"].as_u64().is_some_and(|s| s >= 1)
    });
    // Another plot while this one draws is refused.
    let (status, answer) = post(
        &sim,
        "/api/plotter/plot",
        r#"{"sample":"ramp.png","style":"spiral"}"#,
    );
    assert_eq!(status, 409, "{answer}");
    let (status, _) = post(&sim, "/api/plotter/pause", "");
    assert_eq!(status, 202);
    let paused = until_plotter(&sim, "the plot pauses", Duration::from_secs(60), |p| {
        p["activity"] == "paused"
    });
    assert_eq!(
        paused["pen_down"], false,
        "paused with the pen up: {paused}"
    );
    assert!(
        paused["stroke"].as_u64() < paused["strokes"].as_u64(),
        "paused before the end: {paused}"
    );
    let inked_at_pause = ink(&sim);

    let (status, answer) = put(&sim, "/api/plotter/speed", r#"{"speed":1000}"#);
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = post(&sim, "/api/plotter/resume", "");
    assert_eq!(status, 202, "{answer}");
    let done = until_plotter(
        &sim,
        "the resumed plot is done",
        Duration::from_secs(300),
        |p| p["activity"] == "done" || p["activity"] == "failed",
    );
    assert_eq!(done["activity"], "done", "{done}");
    assert_eq!(done["stroke"], done["strokes"]);
    assert!(ink(&sim) > inked_at_pause, "the rest was drawn");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn bad_plot_requests_are_refused_with_what_is_accepted() {
    let (sim, _config) = plotter("1");
    for (method, path, body, status, says) in [
        (
            "POST",
            "/api/plotter/plot",
            r#"{"sample":"cat.png","style":"spiral"}"#,
            422,
            "choose one of chelsea.png",
        ),
        (
            "POST",
            "/api/plotter/plot",
            r#"{"sample":"ramp.png","style":"pointillism"}"#,
            422,
            "use one of scribble",
        ),
        (
            "POST",
            "/api/plotter/plot",
            r#"{"sample":"ramp.png"}"#,
            422,
            "missing field `style`",
        ),
        (
            "PUT",
            "/api/plotter/speed",
            r#"{"speed":5000}"#,
            422,
            "0.1 to 1000",
        ),
        ("POST", "/api/plotter/resume", "", 409, "nothing is paused"),
    ] {
        let (got, answer) = common::http(
            sim.address,
            method,
            path,
            &sim.address.to_string(),
            Some(body),
        );
        assert_eq!(got, status, "{path} {body}: {answer}");
        assert!(answer.contains(says), "{path} {body}: {answer}");
    }
    let (_, panel) = get(&sim, "/api/plotter/panel");
    assert!(panel.contains("\"activity\":\"idle\""), "{panel}");
}

/// A small grey ramp as PNG bytes.
fn ramp_png() -> Vec<u8> {
    let image = image::GrayImage::from_fn(24, 16, |x, _| image::Luma([255 - (x * 10) as u8]));
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("PNG");
    png
}

/// A POST of raw bytes; the status and body.
fn upload(sim: &Simulator, name: &str, bytes: &[u8]) -> (u16, String) {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(sim.address).expect("connects");
    let head = format!(
        "POST /api/plotter/uploads?name={name} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        sim.address,
        bytes.len()
    );
    stream.write_all(head.as_bytes()).expect("sends");
    // The server may answer (413) before reading it all.
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn an_uploaded_picture_is_checked_kept_and_plotted_and_bad_ones_say_why() {
    let (sim, _config) = plotter("1000");
    until_plotter(&sim, "the plotter is up", Duration::from_secs(30), |p| {
        p["activity"] == "idle"
    });
    let (status, answer) = upload(&sim, "my-ramp.png", &ramp_png());
    assert_eq!(status, 201, "{answer}");
    assert!(
        answer.contains(r#""sample":"uploads/my-ramp.png""#),
        "{answer}"
    );
    let (status, answer) = post(
        &sim,
        "/api/plotter/plot",
        r#"{"sample":"uploads/my-ramp.png","style":"squarewave","seed":2}"#,
    );
    assert_eq!(status, 202, "{answer}");
    let done = until_plotter(
        &sim,
        "the upload is plotted",
        Duration::from_secs(300),
        |p| p["activity"] == "done" || p["activity"] == "failed",
    );
    assert_eq!(done["activity"], "done", "{done}");
    assert!(ink(&sim) > 0.0);

    for (name, bytes, status, says) in [
        (
            "notes.png",
            b"hello, plotter".to_vec(),
            422,
            "notes.png is not a PNG, JPEG or SVG file",
        ),
        (
            "..%2Fescape.png",
            ramp_png(),
            422,
            "is not one the plotter keeps",
        ),
        (
            "picture.gif",
            ramp_png(),
            422,
            "ending in .png, .jpg, .jpeg or .svg",
        ),
        (
            "huge.png",
            vec![0u8; 9 * 1024 * 1024],
            413,
            "larger than the 8 MiB",
        ),
    ] {
        let (got, answer) = upload(&sim, name, &bytes);
        assert_eq!(got, status, "{name}: {answer}");
        assert!(answer.contains(says), "{name}: {answer}");
    }
    let (_, panel) = get(&sim, "/api/plotter/panel");
    assert!(
        !panel.contains("notes.png") && !panel.contains("huge"),
        "{panel}"
    );
    // Nothing but the kept upload in the uploads folder: no half-checked files left.
    let uploads = sim.state.path().join("desktop/polargraph/uploads");
    let kept: Vec<_> = std::fs::read_dir(&uploads)
        .expect("uploads folder")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(kept, ["my-ramp.png"], "{kept:?}");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_preview_gives_the_plans_numbers_and_files_and_the_plot_draws_that_plan() {
    let (sim, _config) = plotter("1000");
    until_plotter(&sim, "the plotter is up", Duration::from_secs(30), |p| {
        p["activity"] == "idle"
    });
    let (status, answer) = get(&sim, "/api/plotter/preview/plan.svg");
    assert_eq!(status, 409, "no preview yet: {answer}");
    let request = r#"{"sample":"ramp.png","style":"squarewave","seed":5}"#;
    let (status, answer) = post(&sim, "/api/plotter/preview", request);
    assert_eq!(status, 200, "{answer}");
    let summary: serde_json::Value = serde_json::from_str(&answer).expect("JSON");
    let strokes = summary["strokes"].as_u64().expect("strokes");
    assert!(strokes > 0, "{summary}");
    assert!(
        summary["plot_time_s"].as_f64().is_some_and(|t| t > 1.0),
        "{summary}"
    );
    assert!(
        summary["plot_time_s"].as_f64() >= summary["lower_bound_s"].as_f64(),
        "never faster than the physical bound: {summary}"
    );
    let (status, svg) = get(&sim, "/api/plotter/preview/plan.svg");
    assert_eq!(status, 200);
    assert!(
        svg.contains("<svg") && svg.contains("width=\"60mm\""),
        "{svg}"
    );
    let (status, gcode) = get(&sim, "/api/plotter/preview/plan.gcode");
    assert_eq!(status, 200);
    assert!(gcode.lines().any(|l| l.starts_with("G1")), "{gcode}");
    let preview = png(&sim, "/api/plotter/preview/plan.png");
    assert_eq!(
        (preview.width(), preview.height()),
        (240, 160),
        "60 × 40 mm at 4 px/mm"
    );
    let (status, answer) = get(&sim, "/api/plotter/preview/plan.pdf");
    assert_eq!(status, 404, "{answer}");

    // Plotting the same request draws the plan previewed: the same strokes.
    let (status, answer) = post(&sim, "/api/plotter/plot", request);
    assert_eq!(status, 202, "{answer}");
    let done = until_plotter(&sim, "the plot is done", Duration::from_secs(300), |p| {
        p["activity"] == "done" || p["activity"] == "failed"
    });
    assert_eq!(done["activity"], "done", "{done}");
    assert_eq!(done["strokes"].as_u64(), Some(strokes), "{done}");
}

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
}

#[test]
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

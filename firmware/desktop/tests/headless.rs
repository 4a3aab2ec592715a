//! `atelier-sim --headless`: scripted runs of the real binary, checked through what they write
//! (the machines' own outputs against what the steps asked for) rather than through the page.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::small_plotter_config;

/// Runs a scenario; (success, stderr, summary).
fn run(scenario: &Path, out: &Path) -> (bool, String, serde_json::Value) {
    let state = tempfile::tempdir().expect("state folder");
    let output = atelier_cli::output_of_built(common::BINARY, |command| {
        command
            .args(["--headless", "--scenario"])
            .arg(scenario)
            .arg("--out")
            .arg(out)
            .env("ATELIER_STATE_DIR", state.path())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
    })
    .expect("atelier-sim runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let summary = std::fs::read_to_string(out.join("summary.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(serde_json::Value::Null);
    (output.status.success(), stderr, summary)
}

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/scenarios")
        .join(name)
}

fn share_dark(png: &Path) -> f64 {
    let image = image::open(png).expect("a PNG").to_luma8();
    let dark = image.pixels().filter(|p| p.0[0] < 128).count() as f64;
    dark / f64::from(image.width() * image.height())
}

#[test]
fn every_shipped_scenario_is_valid() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/scenarios");
    let mut count = 0;
    for entry in std::fs::read_dir(&folder).expect("assets/scenarios") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "toml") {
            atelier_desktop::headless::Scenario::load(&path)
                .unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
            count += 1;
        }
    }
    assert!(count >= 3, "{count} scenarios shipped");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn the_lamp_tour_shows_each_surface_and_writes_its_frames() {
    let out = tempfile::tempdir().expect("out");
    let (ok, stderr, summary) = run(&shipped("lamp-tour.toml"), out.path());
    assert!(ok, "{stderr}\n{summary}");
    assert_eq!(summary["finished"], true);
    assert_eq!(summary["lantern_showing"], "ceiling", "{summary}");
    let steps = summary["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 4);
    assert!(steps.iter().all(|s| s["result"] == "ok"), "{summary}");
    // A frame per turn: the ceiling's porthole is a dark sky, the table's analog clock and the
    // wall's calendar are drawn on dark too but are not the same picture.
    let frames: Vec<_> = [
        "lantern-01-wall.png",
        "lantern-02-table.png",
        "lantern-04-ceiling.png",
    ]
    .iter()
    .map(|name| out.path().join(name))
    .collect();
    for frame in &frames {
        assert!(frame.exists(), "{} missing", frame.display());
    }
    let pixels = |path: &Path| image::open(path).expect("PNG").to_luma8().into_raw();
    assert_ne!(
        pixels(&frames[0]),
        pixels(&frames[1]),
        "wall and table differ"
    );
    assert_ne!(
        pixels(&frames[1]),
        pixels(&frames[2]),
        "table and ceiling differ"
    );
    assert!(out.path().join("lantern.vcd").exists());
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn the_comic_scenario_keeps_the_press_made_while_the_paper_was_out() {
    let out = tempfile::tempdir().expect("out");
    let (ok, stderr, summary) = run(&shipped("comic-paper-out.toml"), out.path());
    assert!(ok, "{stderr}\n{summary}");
    assert_eq!(summary["comic"]["accepted"], 2, "{summary}");
    assert_eq!(
        summary["comic"]["printed"], 2,
        "both presses on paper: {summary}"
    );
    let events = summary["comic"]["events"].to_string();
    // The robot stopped for the paper and kept the job (a roll that ran out between comics is
    // named by the roll sensor, not left as "offline").
    assert!(
        events.contains("printer stopped (PaperOut)"),
        "the robot saw the paper out: {events}"
    );
    assert!(
        events.contains("comic 2 kept"),
        "the job was kept: {events}"
    );
    // Two comics on the decoded paper: a good share of it is ink.
    let dark = share_dark(&out.path().join("comic-paper.png"));
    assert!((0.05..0.7).contains(&dark), "ink on the paper: {dark}");
    let vcd = std::fs::read_to_string(out.path().join("comic.vcd")).expect("VCD");
    assert!(vcd.contains("_error_LED"), "the error LED is recorded");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_plot_scenario_draws_the_picture_and_pause_and_resume_complete_it() {
    let dir = tempfile::tempdir().expect("dir");
    let config = small_plotter_config(dir.path());
    let scenario = dir.path().join("plot.toml");
    std::fs::write(
        &scenario,
        format!(
            "timeout_s = 120\nplotter_speed = 20\nplotter_config = {:?}\n\
             [[step]]\nat_s = 0\nplot = {{ sample = \"ramp.png\", style = \"squarewave\", seed = 4 }}\n\
             [[step]]\nat_s = 3\nplotter = \"pause\"\n\
             [[step]]\nat_s = 4\nplotter = \"resume\"\n",
            config.file_name().expect("name")
        ),
    )
    .expect("scenario");
    let out = dir.path().join("out");
    let (ok, stderr, summary) = run(&scenario, &out);
    assert!(ok, "{stderr}\n{summary}");
    assert_eq!(summary["plotter"]["activity"], "done", "{summary}");
    assert_eq!(summary["plotter"]["stroke"], summary["plotter"]["strokes"]);
    let dark = share_dark(&out.join("plotter-canvas.png"));
    assert!(dark > 0.01, "ink on the canvas: {dark}");
    let vcd = std::fs::metadata(out.join("plotter.vcd"))
        .expect("VCD")
        .len();
    assert!(vcd > 1000, "the STEP edges are recorded: {vcd} bytes");
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn a_broken_scenario_is_refused_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().expect("dir");
    for (text, says) in [
        (
            "[[step]]\nat_s = 1\ncomic = \"smash\"\n",
            "unknown variant `smash`",
        ),
        ("[[step]]\nat_s = 1\n", "must do exactly one thing"),
        (
            "[[step]]\nat_s = -1\ncomic = \"press\"\n",
            "at_s must be zero or more",
        ),
        ("timeout = 3\n", "unknown field `timeout`"),
        ("[[step\n", "expected"),
    ] {
        let scenario = dir.path().join("broken.toml");
        std::fs::write(&scenario, text).expect("scenario");
        let (ok, stderr, _) = run(&scenario, &dir.path().join("out"));
        assert!(!ok, "{text}");
        assert!(
            stderr.contains("broken.toml") && stderr.contains(says),
            "{text}: {stderr}"
        );
    }
    let (ok, stderr, _) = run(&dir.path().join("missing.toml"), &dir.path().join("out"));
    assert!(!ok);
    assert!(
        stderr.contains("cannot read the scenario") && stderr.contains("missing.toml"),
        "{stderr}"
    );
}

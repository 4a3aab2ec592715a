//! `atelier-sim --headless`: scripted runs of the real binary, checked through what they write
//! (the machines' own outputs against what the steps asked for) rather than through the page.

mod common;

use std::path::Path;
use std::process::Stdio;

use common::small_plotter_config;

/// Runs a scenario; (success, stderr, summary).
fn run(scenario: &Path, out: &Path) -> (bool, String, serde_json::Value) {
    let state = tempfile::tempdir().expect("state folder");
    run_in(scenario, out, state.path())
}

/// [`run`] with the simulator's state folder at `state` (kept for the test to look at).
fn run_in(scenario: &Path, out: &Path, state: &Path) -> (bool, String, serde_json::Value) {
    let output = atelier_cli::output_of_built(common::BINARY, |command| {
        command
            .args(["--headless", "--scenario"])
            .arg(scenario)
            .arg("--out")
            .arg(out)
            .env("ATELIER_STATE_DIR", state)
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

fn distance_to_segment(p: polargraph::Point, a: polargraph::Point, b: polargraph::Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let length2 = dx * dx + dy * dy;
    let t = if length2 == 0.0 {
        0.0
    } else {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / length2).clamp(0.0, 1.0)
    };
    p.distance(polargraph::Point::new(a.x + t * dx, a.y + t * dy))
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
    // Each frame is its surface's app: of the three apps of the shipped config, each drawn
    // afresh now by itself (outside the lamp's loop, classifier, fades and kept pictures) and
    // turned as its surface says, the surface's own is by far the nearest.
    for (frame, surface) in frames.iter().zip(["wall", "table", "ceiling"]) {
        let saved = image::open(frame).expect("PNG").to_rgb8();
        let distances = app_distances(&saved);
        println!("{surface}: mean difference to each surface's app {distances:?}");
        let own = distances[surface];
        for (other, distance) in &distances {
            if *other != surface {
                assert!(
                    own * 2.0 < *distance,
                    "the {surface} frame is not clearly the {surface}'s app: {distances:?}"
                );
            }
        }
    }
    assert!(out.path().join("lantern.vcd").exists());
}

/// Mean absolute difference (0-255, over RGB) between `saved` and each surface's app of the
/// shipped lamp config, drawn now at the picture's size, pointing at its own surface.
fn app_distances(saved: &image::RgbImage) -> std::collections::BTreeMap<&'static str, f64> {
    let defaults = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/lantern.toml");
    let text = std::fs::read_to_string(&defaults).expect("lamp defaults");
    let config: lantern::config::LanternConfig =
        atelier_config::parse_checked(&text, &defaults).expect("lamp defaults parse");
    let (width, height) = (config.display.width, config.display.height);
    let mut distances = std::collections::BTreeMap::new();
    for (surface, gravity) in [
        ("ceiling", [0.0, 0.0, -1.0]),
        ("wall", [0.0, -1.0, 0.0]),
        ("table", [0.0, 0.0, 1.0]),
    ] {
        let app = config
            .apps
            .iter()
            .find(|a| a.surface == surface)
            .expect("an app per surface");
        let mut drawn = app.settings().build_in(config.location.timezone);
        let mut context = lantern::apps::RenderContext::at(chrono::Utc::now());
        context.zone = config.location.timezone;
        context.gravity = Some(gravity);
        context.observer = lantern::sky::Observer {
            latitude_deg: config.location.latitude,
            longitude_deg: config.location.longitude,
        };
        let orientation = app.orientation();
        let (w, h) = orientation.canvas_size(width, height);
        let mut canvas = lantern::render::Frame::new(w, h);
        drawn.render(&context, &mut canvas);
        let mut turned = lantern::render::Frame::new(width, height);
        orientation.apply(&canvas, &mut turned);
        let expected = turned.scaled_to_width(saved.width()).to_image();
        assert_eq!(expected.dimensions(), saved.dimensions(), "preview size");
        let total: u64 = expected
            .as_raw()
            .iter()
            .zip(saved.as_raw())
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        distances.insert(surface, total as f64 / expected.as_raw().len() as f64);
    }
    distances
}

#[test]
#[cfg_attr(
    target_arch = "aarch64",
    ignore = "atelier-sim is the desktop program: under qemu-user its three machines take minutes to come up and its timed tests flake; the Pi builds are tested by each machine's own suite"
)]
fn the_comic_scenario_keeps_the_press_made_while_the_paper_was_out() {
    let out = tempfile::tempdir().expect("out");
    let state = tempfile::tempdir().expect("state");
    let (ok, stderr, summary) = run_in(&shipped("comic-paper-out.toml"), out.path(), state.path());
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
    // The decoded paper against the comics: each archived comic's picture, binarised for the
    // printer's head by the raster code alone, is on the paper dot for dot.
    let paper = image::open(out.path().join("comic-paper.png"))
        .expect("the paper")
        .to_luma8();
    let places = atelier_config::Places::find(
        "comic",
        Some(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../hardware/comic.toml")),
    );
    let config = comic::config::ComicConfig::load(&places).expect("the shipped config");
    let archive = comic::archive::Archive::open(&state.path().join("desktop/comic/archive"))
        .expect("the archive");
    for number in [1, 2] {
        let sidecar = archive.sidecar(number).expect("archived");
        let page = image::open(archive.path_of(&sidecar.png))
            .expect("the comic's PNG")
            .to_luma8();
        let gray = comic::raster::GrayImage::new(page.width(), page.height(), page.into_raw())
            .expect("gray")
            .top_rows(sidecar.artwork_rows);
        let bitmap = comic::raster::prepare(&gray, paper.width(), config.printer.binarisation)
            .expect("binarised");
        let row_matches = |paper_row: u32, row: u32| {
            (0..bitmap.width())
                .all(|x| (paper.get_pixel(x, paper_row).0[0] < 128) == bitmap.is_black(x, row))
        };
        let found = (0..paper.height().saturating_sub(bitmap.height()))
            .find(|&top| (0..bitmap.height()).all(|row| row_matches(top + row, row)));
        assert!(
            found.is_some(),
            "comic {number}'s picture ({}×{} dots) is not on the paper",
            bitmap.width(),
            bitmap.height()
        );
    }
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
    let state = dir.path().join("state");
    let (ok, stderr, summary) = run_in(&scenario, &out, &state);
    assert!(ok, "{stderr}\n{summary}");
    assert_eq!(summary["plotter"]["activity"], "done", "{summary}");
    assert_eq!(summary["plotter"]["stroke"], summary["plotter"]["strokes"]);
    // The canvas against the plan, rebuilt from the job folder the plot ran from: ink only on
    // the planned lines (none where the pen travelled up), and every planned line inked.
    let job = polargraph::job::Job::open(&state.join("desktop/polargraph/jobs/job-0001"))
        .expect("the job folder");
    let plan = job.plan().expect("the plan, rebuilt");
    let canvas = image::open(out.join("plotter-canvas.png"))
        .expect("the canvas")
        .to_luma8();
    let paper = plan.machine.paper;
    let px_per_mm = f64::from(canvas.width()) / paper.width;
    let pixel = px_per_mm.recip();
    let segments: Vec<(polargraph::Point, polargraph::Point)> = plan
        .strokes
        .iter()
        .flat_map(|stroke| stroke.points.windows(2).map(|w| (w[0], w[1])))
        .collect();
    let reach = job.config.pen.width_mm / 2.0 + pixel;
    let mut inked = 0;
    for (x, y, value) in canvas.enumerate_pixels() {
        if value.0[0] >= 128 {
            continue;
        }
        inked += 1;
        let at = polargraph::Point::new(
            paper.left + (f64::from(x) + 0.5) * pixel,
            paper.top + (f64::from(y) + 0.5) * pixel,
        );
        let nearest = segments
            .iter()
            .map(|&(a, b)| distance_to_segment(at, a, b))
            .fold(f64::INFINITY, f64::min);
        assert!(
            nearest <= reach,
            "ink at ({:.2}, {:.2}) mm is {nearest:.2} mm from the plan",
            at.x,
            at.y
        );
    }
    assert!(inked > 50, "{inked} inked pixels");
    let dark_near = |at: polargraph::Point| {
        let cx = ((at.x - paper.left) * px_per_mm) as i64;
        let cy = ((at.y - paper.top) * px_per_mm) as i64;
        (cx - 1..=cx + 1).any(|x| {
            (cy - 1..=cy + 1).any(|y| {
                u32::try_from(x)
                    .ok()
                    .zip(u32::try_from(y).ok())
                    .is_some_and(|(x, y)| {
                        x < canvas.width()
                            && y < canvas.height()
                            && canvas.get_pixel(x, y).0[0] < 128
                    })
            })
        })
    };
    for &(a, b) in &segments {
        let length = a.distance(b);
        let samples = (length / 0.5).ceil().max(1.0) as usize;
        for i in 0..=samples {
            let t = i as f64 / samples as f64;
            let at = polargraph::Point::new(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t);
            assert!(
                dark_near(at),
                "no ink at ({:.2}, {:.2}) mm on a planned line",
                at.x,
                at.y
            );
        }
    }
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

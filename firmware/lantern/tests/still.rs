//! A still lamp rests: the app on show is drawn again only when its picture can have changed,
//! and what goes out is what drawing every frame would have sent.
//!
//! The oracle is the lamp itself with the app wrapped so that it never claims its picture still
//! holds (the behaviour before pictures were kept): both lamps get the same samples, the same
//! times and the same data, and every frame must match.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use atelier_hal::Instant;
use atelier_sim::{Adxl345Model, OrientationScript, Projector, Registers, SimBoard, Vector};
use chrono::{DateTime, Utc};
use lantern::apps::now_playing::mpd::{PlayState, PlayerStatus};
use lantern::apps::now_playing::{NowPlaying, NowPlayingSettings, Playing};
use lantern::apps::{App, AppSettings, Refresher, RenderContext};
use lantern::config::LanternConfig;
use lantern::lamp::{Lamp, Runner, STILL_RESEND, WallTime};
use lantern::render::{Frame, Orientation, SimSink};
use lantern::sensor::Acceleration;

const FPS: u64 = 25;

fn config(width: u32, height: u32, app: &str) -> LanternConfig {
    let text = format!(
        r#"
[board]
backend = "sim"
[sensor]
rate_hz = 50
[display]
output = "sim"
width = {width}
height = {height}
fps = {FPS}
crossfade_ms = 200
[[apps]]
surface = "ceiling"
{app}
"#
    );
    atelier_config::parse_checked(&text, std::path::Path::new("test.toml")).expect("valid")
}

/// Counts its app's drawings.
struct Counted {
    app: Box<dyn App>,
    drawings: Arc<AtomicUsize>,
}

impl App for Counted {
    fn name(&self) -> &'static str {
        self.app.name()
    }
    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        self.drawings.fetch_add(1, Ordering::Relaxed);
        self.app.render(context, frame);
    }
    fn still_valid(&self, context: &RenderContext<'_>) -> bool {
        self.app.still_valid(context)
    }
    fn refresher(&self) -> Option<Box<dyn Refresher>> {
        self.app.refresher()
    }
}

/// Draws every frame, whatever its app says.
struct EveryFrame(Box<dyn App>);

impl App for EveryFrame {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn render(&mut self, context: &RenderContext<'_>, frame: &mut Frame) {
        self.0.render(context, frame);
    }
}

/// Half a second before a minute turns, and not on a whole second, so every boundary is crossed
/// between frames.
fn origin() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-14T21:59:29.37Z")
        .expect("valid")
        .with_timezone(&Utc)
}

fn at(frame: u64) -> Instant {
    Instant::from_nanos(frame * 1_000_000_000 / FPS)
}

fn wall(instant: Instant) -> DateTime<Utc> {
    origin() + chrono::Duration::from_std(instant.since_start()).expect("short")
}

/// Pointing at the ceiling (the sensor reads +1 g along Z: gravity points down the beam's
/// axis), with a slow drift of a few hundredths of a degree: a lamp at rest.
fn resting(frame: u64) -> Acceleration {
    let drift = 0.000_4 * (frame as f32 * 0.05).sin();
    Acceleration {
        x: drift,
        y: 0.0,
        z: 1.0,
    }
}

/// Runs a lamp showing `app` and one showing `reference` (the same app, drawn every frame) for
/// `frames` frames; every frame must be the same. `each_frame` may change the apps' data
/// (given the frame number). Returns how often `app` was drawn.
fn compare(
    config: &LanternConfig,
    app: Box<dyn App>,
    reference: Box<dyn App>,
    frames: u64,
    each_frame: &dyn Fn(u64),
) -> usize {
    let drawings = Arc::new(AtomicUsize::new(0));
    let counted = Counted {
        app,
        drawings: Arc::clone(&drawings),
    };
    let ceiling = |app: Box<dyn App>| vec![("ceiling".to_owned(), app, Orientation::default())];
    let mut kept = Lamp::with_apps(config, ceiling(Box::new(counted))).expect("valid");
    let mut drawn =
        Lamp::with_apps(config, ceiling(Box::new(EveryFrame(reference)))).expect("valid");
    for frame in 0..frames {
        each_frame(frame);
        // Two samples a frame (50 Hz sensor, 25 fps).
        for half in 0..2 {
            let sampled = Instant::from_nanos(frame * 1_000_000_000 / FPS + half * 20_000_000);
            kept.sample(sampled, resting(frame));
            drawn.sample(sampled, resting(frame));
        }
        let now = at(frame);
        let expected = drawn.render(now, wall(now)).clone();
        let got = kept.render(now, wall(now));
        assert!(
            got.rgba() == expected.rgba(),
            "frame {frame} ({}) differs from drawing every frame",
            wall(now)
        );
    }
    drawings.load(Ordering::Relaxed)
}

fn app(name: &str, settings: &str) -> Box<dyn App> {
    AppSettings::parse(name, settings).expect("valid").build()
}

#[test]
fn kept_pictures_are_the_pictures_drawing_every_frame_gives() {
    // 70 s: a minute turns, the info card fades to the app.
    let frames = 70 * FPS;
    let cases: [(&str, &str, std::ops::RangeInclusive<usize>); 6] = [
        // Every second, and the frames of the fade in.
        ("clock", "style = \"digital\"", 70..=90),
        ("clock", "style = \"digital\"\nhide_seconds = true", 2..=20),
        ("clock", "style = \"analog\"\nhide_seconds = true", 70..=90),
        ("message", "text = \"Hello, lamp\"", 1..=15),
        ("lamp", "kelvin = 2700", 1..=15),
        ("blank", "", 1..=15),
    ];
    for (name, settings, expected) in cases {
        let config = config(160, 90, &format!("[apps.{name}]\n{settings}"));
        let drawings = compare(
            &config,
            app(name, settings),
            app(name, settings),
            frames,
            &|_| {},
        );
        println!("{name} ({settings:?}): drawn {drawings} times in {frames} frames");
        assert!(
            expected.contains(&drawings),
            "{name} {settings:?} drawn {drawings} times in {frames} frames, expected {expected:?}"
        );
    }
    // A sweeping second hand moves every frame.
    let config = config(160, 90, "[apps.clock]");
    let drawings = compare(&config, app("clock", ""), app("clock", ""), 100, &|_| {});
    // The info card shows until the classifier's dwell (400 ms, ten frames) has passed.
    assert_eq!(
        drawings, 90,
        "a sweeping second hand is drawn every frame from the 11th"
    );
}

#[test]
fn now_playing_is_drawn_when_an_answer_comes_and_each_second_while_playing() {
    let config = config(160, 90, "[apps.now-playing]");
    let kept = NowPlaying::new(NowPlayingSettings::default());
    let reference = NowPlaying::new(NowPlayingSettings::default());
    let feeds = [kept.feed(), reference.feed()];
    let answer = |frame: u64, state: PlayState| Playing {
        status: Ok(PlayerStatus {
            state,
            title: Some("Teardrop".into()),
            artist: Some("Massive Attack".into()),
            album: Some("Mezzanine".into()),
            elapsed: Some(12.6),
            duration: Some(330.0),
        }),
        fetched_at: wall(at(frame)),
    };
    // Nothing for 10 s; playing from 10 s (answers every 5 s); paused from 40 s.
    let drawings = compare(
        &config,
        Box::new(kept),
        Box::new(reference),
        60 * FPS,
        &|frame| {
            if frame >= 10 * FPS && frame % (5 * FPS) == 0 {
                let state = if frame < 40 * FPS {
                    PlayState::Play
                } else {
                    PlayState::Pause
                };
                for feed in &feeds {
                    feed.set(answer(frame, state));
                }
            }
        },
    );
    println!("now-playing: drawn {drawings} times in 60 s");
    // The fade in, once with nothing, 30 seconds of play, an answer each 5 s while paused.
    assert!((30..=60).contains(&drawings), "{drawings}");
}

#[test]
fn the_info_card_is_drawn_again_when_a_pairing_code_shows() {
    let config = config(160, 90, "[apps.info]");
    let mut lamp = Lamp::new(&config).expect("valid");
    for frame in 0..(5 * FPS) {
        lamp.sample(at(frame), resting(frame));
        lamp.render(at(frame), wall(at(frame)));
    }
    let before = lamp.render(at(5 * FPS), wall(at(5 * FPS))).clone();
    assert!(!lamp.drew(), "the card holds while nothing changes");
    lamp.status.address = Some("192.168.1.20".into());
    let after = lamp.render(at(5 * FPS + 1), wall(at(5 * FPS + 1))).clone();
    assert!(lamp.drew(), "a new address is drawn");
    assert!(before.rgba() != after.rgba());
    lamp.render(at(5 * FPS + 2), wall(at(5 * FPS + 2)));
    assert!(!lamp.drew());
    lamp.show_pairing_code("123456", at(10 * FPS));
    lamp.render(at(5 * FPS + 3), wall(at(5 * FPS + 3)));
    assert!(lamp.drew(), "the pairing code is drawn");
}

const CEILING: Vector = [0.0, 0.0, -1.0];

/// The star map on a resting lamp with a noisy sensor, through the real loop and driver: drawn
/// about every ten seconds, sent to the projector about once a second; a small turn is drawn at
/// once.
#[test]
fn a_resting_star_map_is_drawn_rarely_and_a_turn_at_once() {
    let sim = SimBoard::new();
    let model = Adxl345Model::new(OrientationScript::fixed(CEILING), 7);
    sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
    let config = config(320, 180, "[apps.space-porthole]");
    let drawings = Arc::new(AtomicUsize::new(0));
    let porthole = Counted {
        app: app("space-porthole", ""),
        drawings: Arc::clone(&drawings),
    };
    let lamp = Lamp::with_apps(
        &config,
        vec![(
            "ceiling".to_owned(),
            Box::new(porthole) as Box<dyn App>,
            Orientation::default(),
        )],
    )
    .expect("valid");
    let projector = Projector::new(10_000);
    let mut runner = Runner::new(
        lamp,
        &config,
        sim.i2c(1),
        SimSink::new(projector.clone()),
        sim.clock(),
        WallTime::From(origin()),
    );
    let s = |seconds: u64| Instant::from_nanos(seconds * 1_000_000_000);
    runner.run_until(s(5));
    let (drawn_before, sent_before) = (
        drawings.load(Ordering::Relaxed),
        projector.frames_received(),
    );
    runner.run_until(s(65));
    let drawn = drawings.load(Ordering::Relaxed) - drawn_before;
    let sent = projector.frames_received() - sent_before;
    println!("resting star map, one minute: drawn {drawn} times, {sent} frames sent");
    assert!((5..=12).contains(&drawn), "drawn {drawn} times in a minute");
    let resends = (Duration::from_secs(60).as_millis() / STILL_RESEND.as_millis()) as u64;
    assert!(
        (resends - 2..=resends + drawn as u64 + 2).contains(&sent),
        "{sent} frames sent in a minute"
    );
    // Gaps between frames never exceed the resend period (plus one frame).
    let history = projector.history();
    let limit = STILL_RESEND + Duration::from_millis(1000 / FPS);
    for pair in history.windows(2).filter(|p| p[0].at >= s(5)) {
        assert!(
            pair[1].at - pair[0].at <= limit,
            "{:?} then {:?}",
            pair[0].at,
            pair[1].at
        );
    }

    // Tip the lamp by 6° (ten pixels of this porthole): within the ceiling's cone, so the same
    // app, but the sky moves.
    let tipped = [6f64.to_radians().sin(), 0.0, -(6f64.to_radians().cos())];
    model.update_script(|script| script.move_to(s(65), Duration::from_millis(500), tipped));
    runner.run_until(s(67));
    let during = drawings.load(Ordering::Relaxed) - drawn_before - drawn;
    println!("a 6° tip: drawn {during} times in 2 s");
    assert!(
        during >= 5,
        "the turning sky is drawn as it turns: {during}"
    );
    let last = projector.latest().expect("frames");
    assert!(last.at > s(66), "frames went out during the turn");
}

//! Golden images: every app drawn at 1280×720 at a fixed time, compared with the PNGs in
//! tests/golden. `LANTERN_BLESS=1 cargo test -p lantern --test golden` writes them afresh (look
//! at them before committing).
//!
//! The comparison allows a sliver of difference (a channel off by more than 8 on at most 0.05 % of
//! the pixels) because anti-aliased edges may round differently on another CPU (the suite also
//! runs on aarch64).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use lantern::apps::now_playing::Playing;
use lantern::apps::now_playing::mpd::{PlayState, PlayerStatus};
use lantern::apps::{App, AppSettings, RenderContext, Zone};
use lantern::render::Frame;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// 10:41:27 British Summer Time on Tuesday 14 May 2024.
fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-14T09:41:27.250Z")
        .expect("valid")
        .with_timezone(&Utc)
}

fn context() -> RenderContext<'static> {
    RenderContext {
        zone: "Europe/London".parse::<Zone>().expect("zone"),
        lamp_name: "Lantern in the studio",
        address: Some("192.168.1.42"),
        pairing_code: Some("417 093"),
        surface: Some("wall"),
        sensor: Some("ADXL345 at 0x53"),
        ..RenderContext::at(now())
    }
}

fn render(app: &mut dyn App, context: &RenderContext<'_>) -> Frame {
    let mut frame = Frame::new(WIDTH, HEIGHT);
    app.render(context, &mut frame);
    frame
}

/// An app on a lamp in the context's zone.
fn app(name: &str, settings: &str) -> Box<dyn App> {
    AppSettings::parse(name, settings)
        .expect("valid settings")
        .build_in(context().zone)
}

/// Compares `frame` with tests/golden/`name`.png (or writes it under LANTERN_BLESS=1).
fn check(name: &str, frame: &Frame) {
    let path = golden_dir().join(format!("{name}.png"));
    if std::env::var_os("LANTERN_BLESS").is_some() {
        lantern::render::save_png(frame, &path).expect("write golden");
        return;
    }
    let expected = image::open(&path)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with LANTERN_BLESS=1 to create it",
                path.display()
            )
        })
        .to_rgb8();
    let actual = frame.to_image();
    assert_eq!(
        expected.dimensions(),
        actual.dimensions(),
        "{name}: size differs"
    );
    let mut off = 0usize;
    for (a, b) in actual.pixels().zip(expected.pixels()) {
        let worst = (0..3).map(|i| a.0[i].abs_diff(b.0[i])).max().unwrap_or(0);
        if worst > 8 {
            off += 1;
        }
    }
    let allowed = (WIDTH * HEIGHT) as usize / 2000;
    if off > allowed {
        let dump = std::env::temp_dir().join(format!("lantern-{name}-actual.png"));
        let _ = actual.save(&dump);
        panic!(
            "{name}: {off} pixels differ from {} (at most {allowed} may); this run's picture is \
             {}; if the change is intended, LANTERN_BLESS=1 regenerates the goldens",
            path.display(),
            dump.display()
        );
    }
}

#[test]
fn clock_analog() {
    check("clock-analog", &render(&mut *app("clock", ""), &context()));
}

#[test]
fn clock_digital_in_another_zone() {
    let frame = render(
        &mut *app("clock", "style = \"digital\"\ntimezone = \"Asia/Tokyo\""),
        &context(),
    );
    check("clock-digital", &frame);
}

#[test]
fn calendar_day() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/day.ics");
    let mut calendar = app(
        "calendar",
        &format!("path = {:?}", fixture.display().to_string()),
    );
    calendar
        .refresher()
        .expect("the calendar reads its file")
        .refresh(now());
    check("calendar", &render(&mut *calendar, &context()));
}

#[test]
fn calendar_unavailable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.ics");
    std::fs::write(
        &path,
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:half an event\n",
    )
    .expect("write");
    let mut calendar = app(
        "calendar",
        &format!("path = {:?}", path.display().to_string()),
    );
    calendar.refresher().expect("refresher").refresh(now());
    check("calendar-unavailable", &render(&mut *calendar, &context()));
}

#[test]
fn now_playing() {
    let settings = lantern::apps::NowPlayingSettings::default();
    let mut app = lantern::apps::NowPlaying::new(settings);
    app.feed().set(Playing {
        status: Ok(PlayerStatus {
            state: PlayState::Play,
            title: Some("Clair de Lune".into()),
            artist: Some("Claude Debussy".into()),
            album: Some("Suite bergamasque".into()),
            elapsed: Some(95.0),
            duration: Some(301.0),
        }),
        fetched_at: now() - chrono::Duration::seconds(2),
    });
    check("now-playing", &render(&mut app, &context()));
    app.feed().set(Playing {
        status: Err("cannot reach MPD at 127.0.0.1:6600: connection refused".into()),
        fetched_at: now(),
    });
    check("now-playing-nothing", &render(&mut app, &context()));
}

#[test]
fn lamp() {
    check("lamp", &render(&mut *app("lamp", ""), &context()));
}

#[test]
fn message() {
    let frame = render(
        &mut *app(
            "message",
            "text = \"Dinner is ready — come down when you reach a good place to stop\"",
        ),
        &context(),
    );
    check("message", &frame);
}

#[test]
fn info() {
    let problems = vec!["accelerometer: no answer since 10:40 (retrying)".to_owned()];
    let context = RenderContext {
        problems: &problems,
        ..context()
    };
    check("info", &render(&mut *app("info", ""), &context));
}

#[test]
fn space_porthole_on_the_ceiling_and_the_wall() {
    let mut porthole = app("space-porthole", "heading_deg = 0.0\nmagnitude_limit = 5.0");
    // 23:30 in London on 14 May 2024: a dark sky.
    let night = DateTime::parse_from_rfc3339("2024-05-14T22:30:00Z")
        .expect("valid")
        .with_timezone(&Utc);
    let ceiling = RenderContext {
        gravity: Some([0.0, 0.0, -1.0]),
        surface: Some("ceiling"),
        ..RenderContext::at(night)
    };
    check("space-porthole", &render(&mut *porthole, &ceiling));
    let wall = RenderContext {
        gravity: Some([0.0, -1.0, 0.0]),
        surface: Some("wall"),
        ..RenderContext::at(night)
    };
    let facing_south = render(&mut *porthole, &wall);
    check("space-porthole-wall", &facing_south);
}

#[test]
fn blank() {
    let frame = render(&mut *app("blank", ""), &context());
    assert!(frame.rgba().chunks(4).all(|p| p[..3] == [0, 0, 0]));
}

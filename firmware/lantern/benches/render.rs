//! Each app drawn at 1280×720, plus the lamp's per-frame work after the app (turning and
//! mirroring, a crossfade, packing for a 32 bpp framebuffer). The target is 60 fps on one core:
//! under 16.6 ms per frame.

use chrono::{DateTime, Utc};
use divan::Bencher;
use lantern::apps::now_playing::Playing;
use lantern::apps::now_playing::mpd::{PlayState, PlayerStatus};
use lantern::apps::{App, AppSettings, NowPlaying, NowPlayingSettings, RenderContext};
use lantern::render::{FbLayout, Frame, Orientation, Rotation, crossfade};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;

fn main() {
    divan::main();
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-14T09:41:27Z")
        .expect("valid")
        .with_timezone(&Utc)
}

fn app(name: &str, settings: &str) -> Box<dyn App> {
    match AppSettings::parse(name, settings) {
        Ok(settings) => settings.build(),
        Err(error) => panic!("{error}"),
    }
}

/// Draws `app` once a frame, a second later each time (so clocks move and caches are honest).
fn frames(bencher: Bencher<'_, '_>, mut app: Box<dyn App>) {
    let mut frame = Frame::new(WIDTH, HEIGHT);
    let mut second = 0i64;
    bencher.bench_local(|| {
        second += 1;
        let context = RenderContext::at(now() + chrono::Duration::seconds(second));
        app.render(&context, &mut frame);
        divan::black_box(frame.rgba()[0]);
    });
}

#[divan::bench]
fn clock_analog(bencher: Bencher<'_, '_>) {
    frames(bencher, app("clock", ""));
}

#[divan::bench]
fn clock_digital(bencher: Bencher<'_, '_>) {
    frames(bencher, app("clock", "style = \"digital\""));
}

#[divan::bench]
fn calendar(bencher: Bencher<'_, '_>) {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/day.ics");
    let app = app("calendar", &format!("path = {fixture:?}"));
    if let Some(mut refresher) = app.refresher() {
        refresher.refresh(now());
    }
    frames(bencher, app);
}

#[divan::bench]
fn now_playing(bencher: Bencher<'_, '_>) {
    let app = NowPlaying::new(NowPlayingSettings::default());
    app.feed().set(Playing {
        status: Ok(PlayerStatus {
            state: PlayState::Play,
            title: Some("Clair de Lune".into()),
            artist: Some("Claude Debussy".into()),
            album: Some("Suite bergamasque".into()),
            elapsed: Some(95.0),
            duration: Some(301.0),
        }),
        fetched_at: now(),
    });
    frames(bencher, Box::new(app));
}

#[divan::bench]
fn lamp(bencher: Bencher<'_, '_>) {
    frames(bencher, app("lamp", ""));
}

#[divan::bench]
fn message(bencher: Bencher<'_, '_>) {
    frames(
        bencher,
        app(
            "message",
            "text = \"Dinner is ready — come down when you can\"",
        ),
    );
}

#[divan::bench]
fn info(bencher: Bencher<'_, '_>) {
    frames(bencher, app("info", ""));
}

#[divan::bench]
fn space_porthole(bencher: Bencher<'_, '_>) {
    frames(bencher, app("space-porthole", ""));
}

#[divan::bench]
fn blank(bencher: Bencher<'_, '_>) {
    frames(bencher, app("blank", ""));
}

/// After the app: turn 180° and mirror (a ceiling), crossfade, pack for a 32 bpp framebuffer.
#[divan::bench]
fn compose_crossfade_and_pack(bencher: Bencher<'_, '_>) {
    let mut canvas = Frame::new(WIDTH, HEIGHT);
    app("clock", "").render(&RenderContext::at(now()), &mut canvas);
    let previous = canvas.clone();
    let mut composed = Frame::new(WIDTH, HEIGHT);
    let mut output = Frame::new(WIDTH, HEIGHT);
    let orientation = Orientation {
        rotation: Rotation::R180,
        mirror: true,
    };
    let layout = FbLayout::conventional(WIDTH, HEIGHT, 32, WIDTH as usize * 4 + 64);
    let mut bytes = Vec::new();
    bencher.bench_local(|| {
        orientation.apply(&canvas, &mut composed);
        composed.dim(0.8);
        crossfade(&previous, &composed, 0.5, &mut output);
        if let Some(layout) = layout {
            layout.encode(&output, &mut bytes);
        }
        divan::black_box(bytes.len());
    });
}

//! The running lamp's inbox and outbox, as the companion page and the desktop simulator use
//! them: commands go in between steps of the real loop on the simulated board, state and the
//! preview come out, and the simulated projector shows what the commands changed.

use std::time::Duration;

use atelier_hal::{Clock, Instant};
use atelier_sim::{OrientationScript, Pace, ProjectedFrame, Projector, SimI2c, VirtualClock};
use chrono::{DateTime, Utc};
use embedded_graphics::pixelcolor::RgbColor as _;
use lantern::config::LanternConfig;
use lantern::lamp::{Command, Lamp, LampHandle, Runner, Undelivered, WallTime};
use lantern::render::SimSink;
use lantern::simulated::{CEILING, SimLamp, TABLE, WALL};

const TURN: Duration = Duration::from_millis(1500);

/// Each surface shows a full-picture lamp of its own colour temperature, so the picture's
/// centre tells which app is on: blue over red is about 0.05 at 1900 K, 0.65 at 4000 K and
/// 1.27 at 10 000 K.
const CONFIG: &str = r#"
[board]
backend = "sim"
[sensor]
rate_hz = 50
[display]
output = "sim"
width = 64
height = 36
fps = 25
crossfade_ms = 200
[[apps]]
surface = "table"
[apps.lamp]
kelvin = 1900
shape = "full"
[[apps]]
surface = "wall"
[apps.lamp]
kelvin = 10000
shape = "full"
[[apps]]
surface = "ceiling"
[apps.lamp]
kelvin = 4000
shape = "full"
"#;

fn config(text: &str) -> LanternConfig {
    atelier_config::parse_checked(text, std::path::Path::new("test.toml")).expect("valid")
}

fn tint(frame: &ProjectedFrame) -> f32 {
    let [r, _, b] = frame
        .pixel(frame.width / 2, frame.height / 2)
        .expect("inside");
    f32::from(b) / f32::from(r.max(1))
}

fn brightness(frame: &ProjectedFrame) -> f64 {
    let mut sum = 0u64;
    for y in 0..frame.height {
        for x in 0..frame.width {
            let [r, g, b] = frame.pixel(x, y).expect("inside");
            sum += u64::from(r) + u64::from(g) + u64::from(b);
        }
    }
    sum as f64 / f64::from(frame.width * frame.height * 3)
}

struct Rig {
    lamp: SimLamp,
    runner: Runner<SimI2c, SimSink, VirtualClock>,
    handle: LampHandle,
    projector: Projector,
}

impl Rig {
    fn new(facing: [f64; 3]) -> Rig {
        let config = config(CONFIG);
        let lamp = SimLamp::new(
            &config,
            OrientationScript::fixed(facing),
            Pace::AsFastAsPossible,
        );
        let projector = Projector::new(100);
        let mut runner = Runner::new(
            Lamp::new(&config).expect("valid lamp"),
            &config,
            lamp.board.i2c(config.sensor.i2c_bus),
            SimSink::new(projector.clone()),
            lamp.board.clock(),
            WallTime::From(
                DateTime::parse_from_rfc3339("2024-05-14T09:00:00Z")
                    .expect("valid")
                    .with_timezone(&Utc),
            ),
        );
        let handle = runner.connect();
        Rig {
            lamp,
            runner,
            handle,
            projector,
        }
    }

    fn run_for(&mut self, duration: Duration) {
        let until = self.lamp.board.clock().now() + duration;
        self.runner.run_until(until);
    }

    fn now(&self) -> Instant {
        self.lamp.board.clock().now()
    }

    fn latest(&self) -> ProjectedFrame {
        self.projector.latest().expect("frames")
    }
}

#[test]
fn the_outbox_follows_the_lamp_from_surface_to_surface() {
    let mut rig = Rig::new(TABLE);
    let mut state = rig.handle.state();
    rig.run_for(Duration::from_secs(2));
    assert!(state.has_changed().expect("lamp alive"));
    let now = state.borrow_and_update().clone();
    assert_eq!(now.sensed, "table");
    assert_eq!(now.showing.as_deref(), Some("table"));
    assert_eq!(now.sensor.as_deref(), Some("ADXL345 at 0x53"));
    // Pointing down at the table.
    assert!(
        (now.elevation_deg.expect("known") + 90.0).abs() < 3.0,
        "{now:?}"
    );
    rig.lamp.turn_to(CEILING, TURN);
    rig.run_for(Duration::from_secs(3));
    let now = state.borrow_and_update().clone();
    assert_eq!(now.showing.as_deref(), Some("ceiling"));
    assert!(
        (now.elevation_deg.expect("known") - 90.0).abs() < 3.0,
        "{now:?}"
    );
    assert!(now.problems.is_empty());
    // The preview is the projected picture (64 px wide: under the preview's width, unscaled).
    let preview = rig.handle.preview().borrow().clone();
    assert_eq!((preview.width(), preview.height()), (64, 36));
    let projected = rig.latest();
    let pixel = preview.pixel(32, 18);
    assert_eq!(
        [pixel.r(), pixel.g(), pixel.b()],
        projected.pixel(32, 18).expect("inside")
    );
}

#[test]
fn a_new_config_changes_the_app_on_the_surface_in_view_and_a_bad_one_changes_nothing() {
    let mut rig = Rig::new(CEILING);
    rig.run_for(Duration::from_secs(2));
    assert!((tint(&rig.latest()) - 0.65).abs() < 0.05);

    let warmer = CONFIG.replace("kelvin = 4000", "kelvin = 1900");
    let (reply, answer) = tokio::sync::oneshot::channel();
    rig.handle
        .send(Command::Reconfigure {
            config: Box::new(config(&warmer)),
            reply: Some(reply),
        })
        .expect("delivered");
    rig.run_for(Duration::from_millis(500));
    assert_eq!(answer.blocking_recv().expect("answered"), Ok(()));
    assert!(tint(&rig.latest()) < 0.1, "{}", tint(&rig.latest()));
    assert_eq!(
        rig.handle.state().borrow().showing.as_deref(),
        Some("ceiling")
    );

    // Enter wider than exit: the classifier refuses it, and the lamp keeps what it had.
    let mut bad = config(&warmer);
    bad.surfaces.enter_deg = 80.0;
    let (reply, answer) = tokio::sync::oneshot::channel();
    rig.handle
        .send(Command::Reconfigure {
            config: Box::new(bad),
            reply: Some(reply),
        })
        .expect("delivered");
    rig.run_for(Duration::from_millis(500));
    let refused = answer.blocking_recv().expect("answered");
    assert!(refused.is_err(), "{refused:?}");
    assert!(tint(&rig.latest()) < 0.1);
}

#[test]
fn a_pairing_code_is_projected_over_any_surface_until_it_expires() {
    let mut rig = Rig::new(WALL);
    rig.run_for(Duration::from_secs(2));
    let app = brightness(&rig.latest());
    rig.handle
        .send(Command::ShowPairingCode {
            code: "246810".into(),
            lifetime: Duration::from_secs(5),
        })
        .expect("delivered");
    rig.run_for(Duration::from_secs(1));
    assert!(rig.handle.state().borrow().pairing_code_shown);
    // The info card (dark, with text) instead of the wall's full-picture lamp.
    let card = brightness(&rig.latest());
    assert!(card < app / 3.0, "card {card}, app {app}");
    assert!((tint(&rig.latest()) - 1.27).abs() > 0.3);
    rig.run_for(Duration::from_secs(5));
    assert!(!rig.handle.state().borrow().pairing_code_shown);
    assert!((tint(&rig.latest()) - 1.27).abs() < 0.05, "back to the app");

    // Paired before it expired: hidden at once.
    rig.handle
        .send(Command::ShowPairingCode {
            code: "135791".into(),
            lifetime: Duration::from_secs(300),
        })
        .expect("delivered");
    rig.run_for(Duration::from_secs(1));
    rig.handle
        .send(Command::HidePairingCode)
        .expect("delivered");
    rig.run_for(Duration::from_secs(1));
    assert!(!rig.handle.state().borrow().pairing_code_shown);
    assert!((tint(&rig.latest()) - 1.27).abs() < 0.05);
}

#[test]
fn this_direction_is_a_surface_calibrates_from_the_running_lamp() {
    // A shelf: the beam tilted 45° up from the wall.
    let shelf = [0.0, -(0.5f64.sqrt()), -(0.5f64.sqrt())];
    let mut rig = Rig::new(shelf);
    rig.run_for(Duration::from_secs(2));
    let (reply, answer) = tokio::sync::oneshot::channel();
    rig.handle
        .send(Command::Calibrate {
            surface: "shelf".into(),
            reply,
        })
        .expect("delivered");
    rig.run_for(Duration::from_millis(100));
    let direction = answer
        .blocking_recv()
        .expect("answered")
        .expect("calibrated");
    for (got, want) in direction.iter().zip(shelf) {
        assert!((f64::from(*got) - want).abs() < 0.03, "{direction:?}");
    }
    assert_eq!(rig.handle.state().borrow().sensed, "shelf");

    // While the lamp swings there is no direction to take.
    rig.lamp.accelerometer.update_script(|s| {
        *s = OrientationScript::fixed(WALL).with_bump(
            Instant::ZERO,
            Duration::from_secs(3600),
            [0.8, 0.0, 0.0],
        );
    });
    rig.run_for(Duration::from_millis(200));
    let (reply, answer) = tokio::sync::oneshot::channel();
    rig.handle
        .send(Command::Calibrate {
            surface: "wall".into(),
            reply,
        })
        .expect("delivered");
    rig.run_for(Duration::from_millis(100));
    let refused = answer.blocking_recv().expect("answered");
    assert!(refused.is_err(), "{refused:?} at {:?}", rig.now());
}

#[test]
fn a_full_inbox_says_busy_and_a_stopped_lamp_says_so() {
    let rig = Rig::new(TABLE);
    for _ in 0..lantern::lamp::INBOX {
        rig.handle.send(Command::HidePairingCode).expect("room");
    }
    assert_eq!(
        rig.handle.send(Command::HidePairingCode),
        Err(Undelivered::Busy)
    );
    let handle = rig.handle.clone();
    drop(rig);
    assert_eq!(
        handle.send(Command::HidePairingCode),
        Err(Undelivered::Stopped)
    );
}

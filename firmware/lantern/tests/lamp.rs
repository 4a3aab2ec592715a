//! End to end on the simulated board: the real drivers read the simulator's ADXL345 or MPU-6050,
//! the lamp's loop classifies, picks each surface's app, crossfades and sends frames to the
//! simulated projector, all on the virtual clock.
//!
//! Each surface shows a full-picture `lamp` app of a different colour temperature, so a frame's
//! app can be read off its centre pixel: the blue/red ratio survives dimming, and a crossfade
//! moves it from one app's value towards the other's.

use std::time::Duration;

use atelier_hal::{Clock, Instant};
use atelier_sim::{
    Adxl345Model, Mpu6050Model, OrientationScript, ProjectedFrame, Projector, Registers, SimBoard,
    Vector, Wobble,
};
use chrono::{DateTime, Utc};
use lantern::config::LanternConfig;
use lantern::lamp::{Lamp, Runner, WallTime};
use lantern::render::SimSink;

const TABLE: Vector = [0.0, 0.0, 1.0];
const WALL: Vector = [0.0, -1.0, 0.0];
const CEILING: Vector = [0.0, 0.0, -1.0];
const TURN: Duration = Duration::from_millis(1500);
/// Dwell (400 ms) + one frame at 25 fps (40 ms) + filter settling after the turn ends (300 ms,
/// the bound the sensing tests hold the classifier to).
const LATENCY_BOUND: Duration = Duration::from_millis(400 + 40 + 300);

fn config() -> LanternConfig {
    let text = r#"
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
moving_dim = 0.3
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
rotation = 180
mirror = true
[apps.lamp]
kelvin = 4000
shape = "full"
"#;
    atelier_config::parse_checked(text, std::path::Path::new("test.toml")).expect("valid")
}

fn origin() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-05-14T09:00:00Z")
        .expect("valid")
        .with_timezone(&Utc)
}

/// Blue over red at the centre: 1900 K ≈ 0.05, 4000 K ≈ 0.65, 10000 K ≈ 1.27.
fn tint(frame: &ProjectedFrame) -> f32 {
    let [r, _, b] = frame
        .pixel(frame.width / 2, frame.height / 2)
        .expect("inside");
    f32::from(b) / f32::from(r.max(1))
}

fn ms(ms: u64) -> Instant {
    Instant::from_nanos(ms * 1_000_000)
}

/// Frames went out from `from` on at least once every `STILL_RESEND` (plus a frame period).
fn sent_steadily(history: &[ProjectedFrame], from: Instant) {
    let limit = lantern::lamp::STILL_RESEND + Duration::from_millis(40);
    for pair in history.windows(2).filter(|p| p[0].at >= from) {
        assert!(
            pair[1].at - pair[0].at <= limit,
            "no frame between {:?} and {:?}",
            pair[0].at,
            pair[1].at
        );
    }
}

/// A lamp on `sim` with `projector` as its output.
fn runner(
    sim: &SimBoard,
    projector: &Projector,
) -> Runner<atelier_sim::SimI2c, SimSink, atelier_sim::VirtualClock> {
    let config = config();
    let lamp = Lamp::new(&config).expect("valid lamp");
    Runner::new(
        lamp,
        &config,
        sim.i2c(1),
        SimSink::new(projector.clone()),
        sim.clock(),
        WallTime::From(origin()),
    )
}

/// Table for 3 s, a turn to the wall, 5 s later a turn to the ceiling; returns the latency of
/// each switch, measured at the projector from the end of the turn, and from the moment the lamp
/// entered the new surface's 30° cone (two thirds into a steady 90° turn).
fn table_wall_ceiling(sim: &SimBoard, turn: &dyn Fn(Instant, Vector)) -> Vec<(Duration, Duration)> {
    let projector = Projector::new(1000);
    let mut lamp = runner(sim, &projector);
    lamp.run_until(ms(3000));
    let table_tint = tint(&projector.latest().expect("frames"));
    assert!(
        table_tint < 0.1,
        "the table's warm lamp shows: {table_tint}"
    );
    let mut latencies = Vec::new();
    let mut previous = table_tint;
    for (start, direction, expected) in [(3000, WALL, 1.27), (8000, CEILING, 0.65)] {
        lamp.run_until(ms(start));
        let began = sim.clock().now();
        turn(began, direction);
        lamp.run_until(ms(start + 5000));
        let arrived = began + TURN;
        let frames = projector.history();
        let first_new = frames
            .iter()
            .filter(|f| f.at >= began)
            .find(|f| (tint(f) - previous).abs() > 0.05)
            .expect("the new app reached the projector");
        assert!(
            (tint(first_new) - previous).signum() == (expected - previous).signum(),
            "the first changed frame moves towards the new app"
        );
        let settled = tint(&projector.latest().expect("frames"));
        assert!((settled - expected).abs() < 0.05, "{settled} vs {expected}");
        let in_cone = began + TURN * 2 / 3;
        latencies.push((first_new.at - arrived, first_new.at - in_cone));
        previous = settled;
    }
    latencies
}

fn check(latencies: &[(Duration, Duration)]) {
    for &(from_arrival, from_cone) in latencies {
        assert!(from_arrival <= LATENCY_BOUND, "{from_arrival:?}");
        // Dwell is respected: nothing switches sooner than 400 ms after the lamp could.
        assert!(from_cone >= Duration::from_millis(400), "{from_cone:?}");
        assert!(from_cone <= LATENCY_BOUND, "{from_cone:?}");
    }
}

#[test]
fn adxl345_table_wall_ceiling_switches_apps_within_dwell_plus_a_frame() {
    let sim = SimBoard::new();
    let model = Adxl345Model::new(
        OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM),
        31,
    );
    sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
    let latencies = table_wall_ceiling(&sim, &|now, direction| {
        model.update_script(|s| s.move_to(now, TURN, direction));
    });
    eprintln!(
        "ADXL345: (from the end of the turn, from entering the cone) to the new app's first \
         frame: {latencies:?}"
    );
    check(&latencies);
}

#[test]
fn mpu6050_table_wall_ceiling_switches_apps_within_dwell_plus_a_frame() {
    let sim = SimBoard::new();
    let model = Mpu6050Model::new(
        OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM),
        32,
    );
    sim.i2c_bus(1).attach(0x68, Registers::new(model.clone()));
    let latencies = table_wall_ceiling(&sim, &|now, direction| {
        model.update_script(|s| s.move_to(now, TURN, direction));
        sim.i2c_bus(1)
            .inject(Some(0x68), atelier_sim::I2cFault::BusError);
    });
    eprintln!(
        "MPU-6050: (from the end of the turn, from entering the cone) to the new app's first \
         frame: {latencies:?}"
    );
    check(&latencies);
}

#[test]
fn an_unplugged_projector_and_a_silent_sensor_do_not_stop_the_lamp() {
    let sim = SimBoard::new();
    let model = Adxl345Model::new(OrientationScript::fixed(TABLE), 33);
    sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
    let projector = Projector::new(1000);
    let mut lamp = runner(&sim, &projector);
    lamp.run_until(ms(2000));
    let before = projector.frames_received();
    // The lamp app is still: a frame at least once a second (see `lamp::STILL_RESEND`).
    assert!(before >= 3, "frames for 2 s: {before}");
    sent_steadily(&projector.history(), ms(0));

    // Pull the cable, and turn the lamp to the wall meanwhile: sensing goes on.
    projector.unplug();
    model.update_script(|s| s.move_to(ms(2000), TURN, WALL));
    lamp.run_until(ms(6000));
    assert_eq!(
        projector.frames_received(),
        before,
        "nothing arrives unplugged"
    );
    assert!(
        projector.frames_refused() < 20,
        "retries back off: {} attempts in 4 s",
        projector.frames_refused()
    );
    assert_eq!(
        lamp.lamp.state(),
        &lantern::surface::State::Surface("wall".into())
    );
    assert!(lamp.lamp.status.output_problem.is_some());

    projector.plug();
    lamp.run_until(ms(12_000));
    let history = projector.history();
    let first_back = history
        .iter()
        .find(|f| f.at > ms(6000))
        .expect("frames resume after replug");
    // Retries are at most 5 s apart.
    assert!(
        first_back.at <= ms(6000) + Duration::from_secs(5),
        "{:?}",
        first_back.at
    );
    assert!(
        (tint(first_back) - 1.27).abs() < 0.05,
        "and show the wall's app"
    );
    assert!(lamp.lamp.status.output_problem.is_none());
    sent_steadily(&history, first_back.at);

    // The sensor falls off the bus: the lamp keeps the wall, reports it, and recovers.
    sim.i2c_bus(1).detach(0x53);
    lamp.run_until(ms(14_000));
    assert_eq!(
        lamp.lamp.state(),
        &lantern::surface::State::Surface("wall".into())
    );
    let problem = lamp.lamp.status.sensor_problem.clone().expect("reported");
    assert!(problem.contains("ADXL345"), "{problem}");
    let frames_during = projector.frames_received();
    lamp.run_until(ms(15_000));
    assert!(projector.frames_received() > frames_during, "frames go on");
    sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
    lamp.run_until(ms(22_000));
    assert!(lamp.lamp.status.sensor_problem.is_none(), "recovered");
    model.update_script(|s| s.move_to(ms(22_000), TURN, TABLE));
    lamp.run_until(ms(26_000));
    assert!(
        tint(&projector.latest().expect("frames")) < 0.1,
        "and follows the lamp again"
    );
}

#[test]
fn no_accelerometer_at_start_shows_the_info_card_and_finds_it_later() {
    let sim = SimBoard::new();
    let projector = Projector::new(10);
    let mut lamp = runner(&sim, &projector);
    lamp.run_until(ms(1100));
    let at: Vec<_> = projector.history().iter().map(|f| f.at).collect();
    assert!(
        projector.frames_received() >= 2,
        "the card, and again a second later: {at:?}"
    );
    assert_eq!(lamp.lamp.showing(), &lantern::lamp::Showing::Startup);
    assert!(
        lamp.lamp
            .status
            .sensor_problem
            .as_deref()
            .is_some_and(|p| p.contains("no accelerometer"))
    );
    let model = Mpu6050Model::new(OrientationScript::fixed(CEILING), 34);
    sim.i2c_bus(1).attach(0x69, Registers::new(model));
    lamp.run_until(ms(8000));
    assert_eq!(lamp.lamp.status.sensor.as_deref(), Some("MPU-6050 at 0x69"));
    assert_eq!(
        lamp.lamp.showing(),
        &lantern::lamp::Showing::Surface("ceiling".into())
    );
    assert!((tint(&projector.latest().expect("frames")) - 0.65).abs() < 0.05);
}

//! The classifier on synthetic traces: the simulator's orientation script seen through seeded
//! sensor noise, sampled at 100 Hz.

use std::time::Duration;

use atelier_hal::Instant;
use atelier_sim::{AccelerationSource, OrientationScript, Vector, Wobble};

use super::*;
use crate::Acceleration;

const TABLE: Vector = [0.0, 0.0, 1.0];
const WALL: Vector = [0.0, -1.0, 0.0];
const CEILING: Vector = [0.0, 0.0, -1.0];
const PERIOD: Duration = Duration::from_millis(10);

fn at_s(seconds: f64) -> Instant {
    Instant::from_duration(Duration::from_secs_f64(seconds))
}

/// Gravity `degrees` from TABLE towards WALL.
fn between_table_and_wall(degrees: f64) -> Vector {
    let r = degrees.to_radians();
    [0.0, -r.sin(), r.cos()]
}

fn sample(source: &mut AccelerationSource, at: Instant) -> Acceleration {
    let [x, y, z] = source.sample(at);
    Acceleration {
        x: x as f32,
        y: y as f32,
        z: z as f32,
    }
}

/// Runs `classifier` over `source` from `from` to `to` at 100 Hz; every event.
fn run(
    classifier: &mut Classifier,
    source: &mut AccelerationSource,
    from: Instant,
    to: Instant,
) -> Vec<Event> {
    let mut events = Vec::new();
    let mut at = from;
    while at < to {
        events.extend(classifier.update(at, sample(source, at)));
        at += PERIOD;
    }
    events
}

fn surface(name: &str) -> State {
    State::Surface(name.into())
}

fn default_classifier() -> Classifier {
    Classifier::new(Config::default()).expect("defaults are valid")
}

#[test]
fn slow_sweep_table_wall_ceiling_switches_once_each_over_many_seeds() {
    let mut script = OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM);
    script.move_to(at_s(3.0), Duration::from_secs(3), WALL);
    script.move_to(at_s(9.0), Duration::from_secs(3), CEILING);
    let arrivals = [at_s(0.0), at_s(6.0), at_s(12.0)];
    let bound = Duration::from_millis(400 + 300);
    for seed in 0..40 {
        let mut source = AccelerationSource::new(script.clone(), 0.004, seed);
        let mut classifier = default_classifier();
        let events = run(&mut classifier, &mut source, at_s(0.0), at_s(15.0));
        let states: Vec<&State> = events.iter().map(|e| &e.to).collect();
        assert_eq!(
            states,
            [&surface("table"), &surface("wall"), &surface("ceiling")],
            "seed {seed}: {events:#?}"
        );
        for (event, arrival) in events.iter().zip(arrivals) {
            assert!(
                event.at <= arrival + bound,
                "seed {seed}: {:?} at {} is more than {bound:?} after arrival at {arrival}",
                event.to,
                event.at
            );
        }
        // Not before the sweep has passed the 45° line (plus the 50° exit cone).
        assert!(events[1].at > at_s(3.0 + 1.5), "seed {seed}: {events:#?}");
    }
}

/// Settles on the table, then hovers around the 45° line with swings into both enter cones
/// (25° and 65° from the table) every 0.3 s, wobbling.
fn hover(config: &Config, seed: u64) -> Vec<Event> {
    let mut script = OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM);
    script.move_to(
        at_s(2.0),
        Duration::from_secs(1),
        between_table_and_wall(45.0),
    );
    for i in 0..60 {
        let angle = if i % 2 == 0 { 25.0 } else { 65.0 };
        script.push_key(
            at_s(3.3 + 0.3 * f64::from(i)),
            between_table_and_wall(angle),
        );
    }
    script.push_key(at_s(21.3), between_table_and_wall(45.0));
    let mut source = AccelerationSource::new(script, 0.004, seed);
    let mut classifier = Classifier::new(config.clone()).expect("valid");
    run(&mut classifier, &mut source, at_s(0.0), at_s(25.0))
}

#[test]
fn hovering_around_the_45_degree_line_never_flickers() {
    for seed in 0..20 {
        let events = hover(&Config::default(), seed);
        assert_eq!(events.len(), 1, "seed {seed}: {events:#?}");
        assert_eq!(events[0].to, surface("table"));
    }
    // Control: Lantern's rule (cosine > 0.8, no dwell) on the same trace does flicker, so the
    // trace really crosses the line.
    let lantern = Config {
        enter_deg: 36.9,
        exit_deg: 53.1,
        dwell_ms: 1,
        ..Config::default()
    };
    let flicker = hover(&lantern, 0);
    assert!(flicker.len() > 10, "{} events", flicker.len());
}

#[test]
fn pointing_between_surfaces_keeps_the_last_one() {
    let mut script = OrientationScript::fixed(WALL);
    // Beyond the wall's exit cone but inside no enter cone (55° from the wall, 35° from table).
    script.move_to(
        at_s(2.0),
        Duration::from_secs(1),
        between_table_and_wall(35.0),
    );
    let mut source = AccelerationSource::new(script, 0.004, 1);
    let mut classifier = default_classifier();
    let events = run(&mut classifier, &mut source, at_s(0.0), at_s(8.0));
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(classifier.state(), &surface("wall"));
}

#[test]
fn a_bump_reads_as_moving_then_returns_to_the_same_surface() {
    for (seed, bump) in [[1.5, 0.0, 0.0], [0.0, 0.8, 0.0], [0.0, 0.0, -0.6]]
        .into_iter()
        .enumerate()
    {
        let script = OrientationScript::fixed(TABLE)
            .with_wobble(Wobble::SPRING_ARM)
            .with_bump(at_s(3.0), Duration::from_millis(80), bump);
        let mut source = AccelerationSource::new(script, 0.004, seed as u64);
        let mut classifier = default_classifier();
        let events = run(&mut classifier, &mut source, at_s(0.0), at_s(6.0));
        let states: Vec<&State> = events.iter().map(|e| &e.to).collect();
        assert_eq!(
            states,
            [&surface("table"), &State::Moving, &surface("table")],
            "bump {bump:?}: {events:#?}"
        );
        assert!(events[1].at >= at_s(3.0) && events[1].at < at_s(3.08));
        // Back 300 ms after the last jolt, not before.
        let back = events[2].at - events[1].at;
        assert!(
            back >= Duration::from_millis(300) && back <= Duration::from_millis(400),
            "bump {bump:?}: back after {back:?}"
        );
    }
}

#[test]
fn a_quick_swing_to_a_new_surface_goes_through_moving() {
    let mut script = OrientationScript::fixed(TABLE);
    script.move_to(at_s(2.0), Duration::from_millis(150), WALL);
    let mut source = AccelerationSource::new(script, 0.004, 9);
    let mut classifier = default_classifier();
    let events = run(&mut classifier, &mut source, at_s(0.0), at_s(5.0));
    let states: Vec<&State> = events.iter().map(|e| &e.to).collect();
    assert_eq!(
        states,
        [&surface("table"), &State::Moving, &surface("wall")],
        "{events:#?}"
    );
    assert!(events[2].at <= at_s(2.15) + Duration::from_millis(700));
}

#[test]
fn calibration_saves_surfaces_for_any_mounting() {
    // A sensor mounted askew, with no preset surfaces.
    let config = Config {
        surfaces: Vec::new(),
        ..Config::default()
    };
    let mut classifier = Classifier::new(config).expect("valid");
    assert_eq!(
        classifier.calibrate("desk"),
        Err(CalibrationError::NoSample {
            name: "desk".into()
        })
    );
    let desk = [0.6, 0.0, 0.8];
    let shelf = [0.0, 0.8, -0.6];
    let mut script = OrientationScript::fixed(desk);
    let mut source = AccelerationSource::new(script.clone(), 0.004, 5);
    assert!(run(&mut classifier, &mut source, at_s(0.0), at_s(1.0)).is_empty());
    let event = classifier.calibrate("desk").expect("calibrated");
    assert_eq!(event.map(|e| e.to), Some(surface("desk")));
    let saved = classifier.config().surfaces[0].direction;
    let error = (0..3)
        .map(|i| (f64::from(saved[i]) - desk[i]).abs())
        .fold(0.0, f64::max);
    assert!(error < 0.01, "saved {saved:?}");

    script.move_to(at_s(1.0), Duration::from_secs(1), shelf);
    let mut source = AccelerationSource::new(script.clone(), 0.004, 6);
    // Between nothing and nothing: the desk stays.
    assert!(run(&mut classifier, &mut source, at_s(1.0), at_s(3.0)).is_empty());
    classifier.calibrate("shelf").expect("calibrated");
    assert_eq!(classifier.state(), &surface("shelf"));

    script.move_to(at_s(3.0), Duration::from_secs(1), desk);
    let mut source = AccelerationSource::new(script, 0.004, 7);
    let events = run(&mut classifier, &mut source, at_s(3.0), at_s(6.0));
    assert_eq!(events.last().map(|e| &e.to), Some(&surface("desk")));
    assert_eq!(events.len(), 1, "{events:#?}");

    // Recalibrating replaces instead of adding.
    classifier.calibrate("shelf").expect("calibrated");
    assert_eq!(classifier.config().surfaces.len(), 2);
    assert_eq!(classifier.calibrate(" "), Err(CalibrationError::EmptyName));
}

#[test]
fn calibration_is_refused_while_moving() {
    let mut classifier = default_classifier();
    classifier.update(
        at_s(0.0),
        Acceleration {
            x: 0.0,
            y: 0.0,
            z: 1.0,
        },
    );
    classifier.update(
        at_s(0.01),
        Acceleration {
            x: 0.0,
            y: 0.0,
            z: 2.0,
        },
    );
    assert_eq!(classifier.state(), &State::Moving);
    assert_eq!(
        classifier.calibrate("floor"),
        Err(CalibrationError::Moving {
            name: "floor".into()
        })
    );
}

#[test]
fn the_filter_restarts_after_a_gap_and_ignores_bad_samples() {
    let mut classifier = default_classifier();
    let mut source = AccelerationSource::new(OrientationScript::fixed(TABLE), 0.0, 0);
    run(&mut classifier, &mut source, at_s(0.0), at_s(1.0));
    // Two seconds later the lamp faces the wall: no lag from stale filter state.
    classifier.update(
        at_s(3.0),
        Acceleration {
            x: 0.0,
            y: 1.0,
            z: 0.0,
        },
    );
    let gravity = classifier.gravity().expect("a direction");
    assert!((gravity[1] + 1.0).abs() < 1e-6, "{gravity:?}");
    // Without a gap, one sample moves the filter only by alpha = 10 / 210.
    classifier.update(
        at_s(3.01),
        Acceleration {
            x: 0.0,
            y: 0.0,
            z: 1.0,
        },
    );
    let gravity = classifier.gravity().expect("a direction");
    assert!(gravity[1] < -0.99, "{gravity:?}");
    let nan = Acceleration {
        x: f32::NAN,
        ..Acceleration::default()
    };
    assert_eq!(classifier.update(at_s(3.02), nan), None);
    assert_eq!(classifier.gravity(), Some(gravity));
    // Time running backwards restarts the filter instead of panicking.
    classifier.update(
        at_s(1.0),
        Acceleration {
            x: 0.0,
            y: 0.0,
            z: -1.0,
        },
    );
    assert_eq!(classifier.gravity(), Some([0.0, 0.0, 1.0]));
}

#[test]
fn invalid_config_is_refused_with_the_field() {
    let config = Config {
        enter_deg: 55.0,
        ..Config::default()
    };
    let error = Classifier::new(config).expect_err("enter above exit");
    assert_eq!(error.field, "exit_deg");
}

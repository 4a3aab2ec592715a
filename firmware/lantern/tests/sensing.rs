//! End to end: the real drivers read the simulator's chip models over a simulated I2C bus at
//! 50 Hz in virtual time, and the classifier follows the lamp as the test turns it.

use std::time::Duration;

use atelier_hal::{Clock, Instant};
use atelier_sim::{
    Adxl345Model, Mpu6050Model, OrientationScript, Registers, SimBoard, Vector, Wobble,
};
use lantern::sensor::{Backoff, Range, probe, retry};
use lantern::surface::{Classifier, Config, Event, State};

const TABLE: Vector = [0.0, 0.0, 1.0];
const WALL: Vector = [0.0, -1.0, 0.0];
const CEILING: Vector = [0.0, 0.0, -1.0];
const POLL: Duration = Duration::from_millis(20);

/// Polls whatever accelerometer is on bus 1 for 12 s, turning the lamp to the wall at 3 s and to
/// the ceiling at 7 s through `turn`; returns every classifier event.
fn run(sim: &SimBoard, turn: impl Fn(Instant, Vector)) -> Vec<Event> {
    let clock = sim.clock();
    let mut sensor = probe(sim.i2c(1)).expect("an accelerometer");
    sensor.configure(Range::G2).expect("configure");
    let mut classifier = Classifier::new(Config::default()).expect("valid");
    let mut events = Vec::new();
    let mut next = clock.now();
    let mut turns = [(3.0, WALL), (7.0, CEILING)].into_iter().peekable();
    while next < Instant::from_duration(Duration::from_secs(12)) {
        clock.sleep_until(next);
        let now = clock.now();
        if let Some(&(at, direction)) = turns.peek()
            && now.since_start().as_secs_f64() >= at
        {
            turn(now, direction);
            turns.next();
        }
        let sample = retry(&clock, Backoff::default(), || sensor.read()).expect("read");
        events.extend(classifier.update(clock.now(), sample));
        next += POLL;
    }
    events
}

fn surfaces(events: &[Event]) -> Vec<&State> {
    events
        .iter()
        .map(|e| &e.to)
        .filter(|s| **s != State::Moving)
        .collect()
}

fn expected() -> [State; 3] {
    ["table", "wall", "ceiling"].map(|s| State::Surface(s.into()))
}

#[test]
fn adxl345_on_the_bus_table_wall_ceiling() {
    let sim = SimBoard::new();
    let model = Adxl345Model::new(
        OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM),
        21,
    );
    sim.i2c_bus(1).attach(0x53, Registers::new(model.clone()));
    let events = run(&sim, |now, direction| {
        model.update_script(|s| s.move_to(now, Duration::from_millis(1500), direction));
    });
    let expected = expected();
    assert_eq!(
        surfaces(&events),
        expected.iter().collect::<Vec<_>>(),
        "{events:#?}"
    );
    // Each switch comes within dwell + 300 ms of the lamp arriving (turns end at 4.5 s, 8.5 s).
    let bound = Duration::from_millis(700);
    for (state, arrival_ms) in [(&expected[1], 4500), (&expected[2], 8500)] {
        let event = events.iter().find(|e| e.to == *state).expect("switched");
        let arrival = Instant::from_duration(Duration::from_millis(arrival_ms));
        assert!(event.at <= arrival + bound, "{event:?}");
    }
}

#[test]
fn mpu6050_on_the_bus_table_wall_ceiling() {
    let sim = SimBoard::new();
    let model = Mpu6050Model::new(
        OrientationScript::fixed(TABLE).with_wobble(Wobble::SPRING_ARM),
        22,
    );
    sim.i2c_bus(1).attach(0x69, Registers::new(model.clone()));
    let events = run(&sim, |now, direction| {
        model.update_script(|s| s.move_to(now, Duration::from_millis(1500), direction));
        // A glitch on a long cable as the lamp is moved: the retry helper rides it out.
        sim.i2c_bus(1)
            .inject(Some(0x69), atelier_sim::I2cFault::BusError);
    });
    let expected = expected();
    assert_eq!(
        surfaces(&events),
        expected.iter().collect::<Vec<_>>(),
        "{events:#?}"
    );
    let glitches = sim
        .i2c_bus(1)
        .log()
        .iter()
        .filter(|r| r.error == Some(embedded_hal::i2c::ErrorKind::Bus))
        .count();
    assert_eq!(glitches, 2, "both injected glitches were hit and retried");
}

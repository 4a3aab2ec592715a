//! The pen lift on the simulated board's PWM and on a plain GPIO, watched by the simulator's
//! servo model (its own pulse-to-angle table and travel speed) and by a logic analyser on the
//! pin.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_hal::{Clock as _, Instant};
use atelier_servo::{PenLift, PenPositions, PulseRange, PulsedServo, Servo};
use atelier_sim::{ServoModel, SimBoard};
use embedded_hal::digital::OutputPin as _;

const PERIOD: Duration = Duration::from_millis(20);

fn positions(settle_ms: u64) -> PenPositions {
    PenPositions {
        up_angle: 90.0,
        down_angle: 40.0,
        up_settle: Duration::from_millis(settle_ms),
        down_settle: Duration::from_millis(settle_ms),
    }
}

#[test]
fn the_pen_is_where_it_was_sent_when_the_lift_returns() {
    let sim = SimBoard::new();
    let pwm = sim.pwm(0, PERIOD, "pen servo");
    let model = ServoModel::sg90(pwm.line());
    let clock = sim.clock();
    let mut pen = PenLift::new(
        Servo::new(pwm, PERIOD, PulseRange::SG90),
        clock.clone(),
        positions(150),
    );
    pen.up().expect("sim");
    let angle = |now| model.angle_at(now).expect("driven");
    assert!((angle(clock.now()) - 90.0).abs() < 0.5);
    pen.down().expect("sim");
    assert!((angle(clock.now()) - 40.0).abs() < 0.5);
    assert_eq!(pen.is_down(), Some(true));
    // Already down: no wait.
    let before = clock.now();
    pen.down().expect("sim");
    assert_eq!(clock.now(), before);
}

#[test]
fn a_settle_time_shorter_than_the_servo_travel_leaves_the_pen_in_the_air() {
    let sim = SimBoard::new();
    let pwm = sim.pwm(0, PERIOD, "pen servo");
    let model = ServoModel::sg90(pwm.line());
    let clock = sim.clock();
    let mut pen = PenLift::new(
        Servo::new(pwm, PERIOD, PulseRange::SG90),
        clock.clone(),
        positions(20),
    );
    pen.up().expect("sim");
    clock.sleep(Duration::from_secs(1));
    // 50° at 600°/s takes 83 ms; 20 ms is not enough.
    pen.down().expect("sim");
    let angle = model.angle_at(clock.now()).expect("driven");
    assert!(angle > 70.0, "the model says {angle}°");
}

/// Every (time, level) change of GPIO `bcm`, as a logic analyser on the pin would list them.
fn analyser(sim: &SimBoard, bcm: u8) -> Arc<Mutex<Vec<(Instant, bool)>>> {
    let edges = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&edges);
    sim.output_line(bcm)
        .on_change(move |at, level| log.lock().expect("analyser").push((at, level)));
    edges
}

/// The (start, width) of each high pulse in `edges`.
fn pulses(edges: &[(Instant, bool)]) -> Vec<(Instant, Duration)> {
    edges
        .windows(2)
        .filter(|pair| pair[0].1 && !pair[1].1)
        .map(|pair| (pair[0].0, pair[1].0 - pair[0].0))
        .collect()
}

#[test]
fn a_servo_on_a_plain_gpio_is_pulsed_while_it_moves_then_rests() {
    let sim = SimBoard::new();
    let edges = analyser(&sim, 17);
    let model = ServoModel::sg90(sim.servo_on_pin(17, PERIOD));
    let clock = sim.clock();
    let pin = sim.output(17, "pen servo").expect("free pin");
    let servo = PulsedServo::new(pin, clock.clone(), PERIOD, PulseRange::SG90).expect("sim");
    let mut pen = PenLift::new(servo, clock.clone(), positions(150));

    pen.up().expect("sim");
    let up_done = clock.now();
    assert!((model.angle_at(up_done).expect("driven") - 90.0).abs() < 0.5);
    clock.sleep(Duration::from_secs(2));
    let down_start = clock.now();
    pen.down().expect("sim");
    let down_done = clock.now();
    assert_eq!(down_done - down_start, Duration::from_millis(150));
    assert!((model.angle_at(down_done).expect("driven") - 40.0).abs() < 0.5);
    // Resting: the horn stays put long after the pulses stop.
    clock.sleep(Duration::from_secs(5));
    assert!((model.angle_at(clock.now()).expect("rests") - 40.0).abs() < 0.5);

    let edges = edges.lock().expect("analyser").clone();
    let pulses = pulses(&edges);
    // 150 ms of settle at one pulse every 20 ms: pulses at 0, 20, …, 140 ms, each move.
    let (up, down): (Vec<_>, Vec<_>) = pulses.iter().partition(|(at, _)| *at < down_start);
    assert_eq!((up.len(), down.len()), (8, 8), "{pulses:?}");
    // SG90: 0.5 ms at 0°, 2.5 ms at 180°, so 90° is 1.5 ms and 40° is 0.5 + 40/180·2 ms.
    let want_down = Duration::from_nanos(500_000 + 40 * 2_000_000 / 180);
    for (_, width) in &up {
        assert!(width.abs_diff(Duration::from_micros(1_500)) < Duration::from_micros(1));
    }
    for (_, width) in &down {
        assert!(
            width.abs_diff(want_down) < Duration::from_micros(1),
            "{width:?}"
        );
    }
    for pair in down.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, PERIOD);
    }
    // Nothing on the pin between the moves or after them.
    let last_edge = edges.last().expect("edges").0;
    assert!(last_edge < down_done + Duration::from_millis(1));
    assert!(
        edges
            .iter()
            .all(|(at, _)| *at < up_done + Duration::from_millis(1) || *at >= down_start)
    );
}

#[test]
fn a_pulsed_servo_gets_a_few_pulses_even_when_the_settle_time_is_shorter() {
    let sim = SimBoard::new();
    let edges = analyser(&sim, 17);
    let clock = sim.clock();
    let pin = sim.output(17, "pen servo").expect("free pin");
    let servo = PulsedServo::new(pin, clock.clone(), PERIOD, PulseRange::SG90).expect("sim");
    let mut pen = PenLift::new(servo, clock.clone(), positions(10));
    pen.down().expect("sim");
    let count = pulses(&edges.lock().expect("analyser")).len();
    assert_eq!(count, 5);
}

#[test]
fn the_servo_model_stops_the_horn_where_the_pulses_stop() {
    let sim = SimBoard::new();
    let model = ServoModel::sg90(sim.servo_on_pin(4, PERIOD));
    let clock = sim.clock();
    let mut pin = sim.output(4, "servo").expect("free pin");
    let mut pulse = |width_us: u64| {
        let start = clock.now();
        pin.set_high().expect("sim");
        clock.sleep(Duration::from_micros(width_us));
        pin.set_low().expect("sim");
        clock.sleep_until(start + PERIOD);
    };
    // 1.0 ms is 45°; then two pulses of 2.0 ms (135°) and silence.
    pulse(1_000);
    pulse(2_000);
    pulse(2_000);
    clock.sleep(Duration::from_secs(1));
    // The new angle is known at the first 2 ms pulse's end (22 ms); the horn is driven until a
    // period after the last pulse ends (42 + 20 ms): 40 ms at 600°/s is 24°.
    let angle = model.angle_at(clock.now()).expect("driven");
    assert!((angle - 69.0).abs() < 0.5, "{angle}");
    // Pulses too short or too long for a servo are not commands.
    pulse(100);
    clock.sleep(Duration::from_millis(4));
    pin.set_high().expect("sim");
    clock.sleep(Duration::from_millis(8));
    pin.set_low().expect("sim");
    clock.sleep(Duration::from_secs(1));
    let after = model.angle_at(clock.now()).expect("driven");
    assert!((after - angle).abs() < 1e-9, "{after}");
}

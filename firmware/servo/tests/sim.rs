//! The pen lift on the simulated board's PWM, watched by the simulator's servo model (its own
//! pulse-to-angle table and travel speed).

use std::time::Duration;

use atelier_hal::Clock as _;
use atelier_servo::{PenLift, PenPositions, PulseRange, Servo};
use atelier_sim::{ServoModel, SimBoard};

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

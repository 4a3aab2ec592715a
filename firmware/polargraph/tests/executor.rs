//! A real plan played by the real executor and drivers onto the simulated board, checked by the
//! simulator's own driver-chip and servo models.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use atelier_hal::{Clock, Instant};
use atelier_servo::{PenLift, PenPositions, PulseRange, Servo};
use atelier_sim::{
    ServoModel, SimBoard, SimOutput, SimPwm, StepDirSpec, StepperDriverModel, VirtualClock,
};
use atelier_stepper::{Chip, Enable, StepDir, StepDirPair, Timing};
use polargraph::executor::{DEFAULT_LATE_BOUND, Executor, START_LEAD, Stopped};
use polargraph::{Plan, Style};

/// The virtual clock, made late once: the `nth` sleep wakes `lag` after its deadline, as a
/// Pi's scheduler sometimes does.
#[derive(Clone, Debug)]
struct Hiccup {
    clock: VirtualClock,
    sleeps: std::sync::Arc<AtomicU64>,
    nth: u64,
    lag: Duration,
}

impl Clock for Hiccup {
    fn now(&self) -> Instant {
        self.clock.now()
    }

    fn sleep_until(&self, deadline: Instant) {
        let n = self.sleeps.fetch_add(1, Ordering::SeqCst);
        let extra = if n == self.nth {
            self.lag
        } else {
            Duration::ZERO
        };
        self.clock.sleep_until(deadline + extra);
    }
}

struct Rig {
    sim: SimBoard,
    left: StepperDriverModel,
    right: StepperDriverModel,
    servo: ServoModel,
    executor: Executor<StepDirPair<SimOutput, SimOutput, SimOutput>, Servo<SimPwm>, Hiccup>,
    _enable: Enable<SimOutput>,
}

fn rig(nth: u64, lag: Duration) -> Rig {
    let config = common::small_config();
    let sim = SimBoard::new();
    let polargraph::config::MotorPins::StepDir(pins) = config.motor_pins().expect("pins") else {
        panic!("the shipped machine has step/dir drivers");
    };
    let enable_pin = pins.enable.expect("an ENABLE pin");
    let enable = Some(enable_pin.number());
    let spec = StepDirSpec::A4988;
    let left = StepperDriverModel::attach(
        &sim,
        pins.left_step.number(),
        pins.left_dir.number(),
        enable,
        spec,
    );
    let right = StepperDriverModel::attach(
        &sim,
        pins.right_step.number(),
        pins.right_dir.number(),
        enable,
        spec,
    );
    let output = |bcm: atelier_board::Bcm, role| sim.output(bcm.number(), role).expect("free pin");
    let mut hold = Enable::new(output(enable_pin, "enable")).expect("sim");
    hold.hold().expect("sim");
    let period = Duration::from_millis(20);
    let pwm = sim.pwm(
        config
            .pen
            .servo_pwm_channel
            .expect("the sample config uses PWM"),
        period,
        "pen servo",
    );
    let servo = ServoModel::sg90(pwm.line());
    let clock = Hiccup {
        clock: sim.clock(),
        sleeps: Default::default(),
        nth,
        lag,
    };
    let pen = PenLift::new(
        Servo::new(pwm, period, PulseRange::SG90),
        clock.clone(),
        PenPositions {
            up_angle: config.pen.up_angle,
            down_angle: config.pen.down_angle,
            up_settle: Duration::from_millis(u64::from(config.pen.up_ms)),
            down_settle: Duration::from_millis(u64::from(config.pen.down_ms)),
        },
    );
    let executor = Executor::new(
        StepDir::new(
            output(pins.left_step, "left step"),
            output(pins.left_dir, "left dir"),
            true,
        )
        .expect("sim"),
        StepDir::new(
            output(pins.right_step, "right step"),
            output(pins.right_dir, "right dir"),
            true,
        )
        .expect("sim"),
        pen,
        clock,
        Timing::for_chip(Chip::A4988),
        DEFAULT_LATE_BOUND,
    );
    Rig {
        sim,
        left,
        right,
        servo,
        executor,
        _enable: hold,
    }
}

fn small_plan() -> Plan {
    common::plan_on(
        &common::small_config(),
        &common::ramp(12, 16),
        Style::Scribble,
        7,
    )
}

/// The net steps (left, right) the plan makes, from the planner's own count.
fn planned_steps(plan: &Plan) -> (i64, i64) {
    let mut stream = plan.events();
    let start = stream.steps();
    stream.by_ref().for_each(drop);
    let end = stream.steps();
    (end.0 - start.0, end.1 - start.1)
}

#[test]
fn a_plan_played_on_the_simulated_board_moves_each_motor_exactly_its_planned_steps() {
    let plan = small_plan();
    let mut rig = rig(u64::MAX, Duration::ZERO);
    let started = rig.sim.clock().now();
    let played = rig.executor.play(plan.events()).expect("plays to the end");

    assert_eq!(
        (rig.left.position(), rig.right.position()),
        planned_steps(&plan)
    );
    assert_eq!(rig.left.violations(), []);
    assert_eq!(rig.right.violations(), []);
    assert!(played.events > 1_000, "{} events", played.events);
    // In virtual time only the executor's own pulses make it late: a few microseconds.
    assert!(played.lateness.quantile(0.99) <= Duration::from_micros(10));
    let took = rig.sim.clock().now() - started;
    let planned = Duration::from_secs_f64(
        plan.events()
            .map(|e| e.at())
            .last()
            .expect("events")
            .since_start()
            .as_secs_f64(),
    );
    // The lead before the first event, the plan's own length, the shifts, and the last lift's
    // settle time.
    let settle = Duration::from_millis(u64::from(common::small_config().pen.up_ms));
    let planned = planned + START_LEAD;
    assert!(
        took >= planned && took <= planned + played.shifted + settle + Duration::from_millis(1),
        "took {took:?}, planned {planned:?}, shifted {:?}",
        played.shifted
    );
    // A finished plot leaves the pen up, and the servo is there.
    let angle = rig.servo.angle_at(rig.sim.clock().now()).expect("driven");
    assert!(
        (angle - common::small_config().pen.up_angle).abs() < 1.0,
        "{angle}°"
    );
}

#[test]
fn a_late_event_shifts_the_rest_of_the_plot_instead_of_a_catch_up_burst() {
    let plan = small_plan();
    let mut rig = rig(500, Duration::from_millis(5));
    let played = rig
        .executor
        .play(plan.events())
        .expect("5 ms is within the bound");
    assert!(played.lateness.max() >= Duration::from_millis(5));
    assert!(played.shifted >= Duration::from_millis(5));
    // Shifted, not hurried: every step still met the chip's timing and none was lost.
    assert_eq!(rig.left.violation_count() + rig.right.violation_count(), 0);
    assert_eq!(
        (rig.left.position(), rig.right.position()),
        planned_steps(&plan)
    );
}

#[test]
fn an_event_later_than_the_bound_stops_the_plot_with_the_pen_up() {
    let plan = small_plan();
    // Late by 50 ms somewhere in the drawing, while the pen is down.
    let mut rig = rig(3_000, Duration::from_millis(50));
    let stopped = rig.executor.play(plan.events()).expect_err("too late");
    let Stopped::TooLate { event, late, bound } = stopped else {
        panic!("{stopped}");
    };
    // The hiccup may hit a pulse's sleep: the next event is then late by the rest of it.
    assert!(late > bound && bound == DEFAULT_LATE_BOUND, "{late:?}");
    assert!(event > 0);
    let now = rig.sim.clock().now() + Duration::from_millis(500);
    let angle = rig.servo.angle_at(now).expect("driven");
    assert!(
        (angle - common::small_config().pen.up_angle).abs() < 1.0,
        "pen at {angle}°"
    );
    // It stopped: the motors are short of the plan's end.
    assert_ne!(
        (rig.left.position(), rig.right.position()),
        planned_steps(&plan)
    );
}

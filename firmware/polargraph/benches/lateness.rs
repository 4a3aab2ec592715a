//! Executor lateness in real time: a plan's first events played by the real executor and
//! drivers on the monotonic clock (sleep, then spin the last 200 µs), the pins those of the
//! simulated board (so nothing moves), on a SCHED_FIFO thread with locked memory where
//! permitted (as `polargraph plot` on real hardware). Goal: p99 < 50 µs.
//!
//! A custom harness: the numbers are percentiles over every event of one run.
//!
//! `cargo bench -p polargraph --bench lateness [-- EVENTS]`

use std::time::Duration;

use atelier_hal::MonotonicClock;
use atelier_servo::{PenLift, PenPositions, PulseRange, Servo};
use atelier_sim::SimBoard;
use atelier_stepper::{Chip, StepDir, Timing};
use polargraph::executor::{DEFAULT_LATE_BOUND, Executor};
use polargraph::plan::StyleOptions;
use polargraph::{Plan, PlotterConfig, Style};

fn main() {
    let events: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(30_000);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let config = PlotterConfig::load(&root.join("hardware/polargraph.toml")).expect("config");
    let drawing = polargraph::input::load(&root.join("assets/plotter/portrait.png"))
        .expect("sample portrait");
    let plan = Plan::new(
        &config,
        Some(&drawing),
        Some(Style::Scribble),
        &StyleOptions::default(),
        1,
    )
    .expect("plans");

    let sim = SimBoard::new();
    let polargraph::config::MotorPins::StepDir(pins) = config.motor_pins().expect("pins") else {
        panic!("the shipped machine has step/dir drivers");
    };
    let output = |bcm: atelier_board::Bcm, role| sim.output(bcm.number(), role).expect("pin");
    let clock = MonotonicClock::new();
    let period = Duration::from_millis(20);
    let pen = PenLift::new(
        Servo::new(
            sim.pwm(
                config
                    .pen
                    .servo_pwm_channel
                    .expect("the sample config uses PWM"),
                period,
                "pen",
            ),
            period,
            PulseRange::SG90,
        ),
        clock,
        PenPositions {
            up_angle: config.pen.up_angle,
            down_angle: config.pen.down_angle,
            up_settle: Duration::ZERO,
            down_settle: Duration::ZERO,
        },
    );
    let mut executor = Executor::new(
        StepDir::new(
            output(pins.left_step, "l"),
            output(pins.left_dir, "ld"),
            true,
        )
        .expect("pin"),
        StepDir::new(
            output(pins.right_step, "r"),
            output(pins.right_dir, "rd"),
            true,
        )
        .expect("pin"),
        pen,
        clock,
        Timing::for_chip(Chip::A4988),
        DEFAULT_LATE_BOUND,
    );
    // As `polargraph plot` does on real hardware: SCHED_FIFO and locked memory where permitted.
    let elevated = polargraph::realtime::elevate();
    let played = executor
        .play(plan.events().take(events))
        .expect("plays within the bound");
    let granted = elevated.granted();
    println!(
        "real-time: SCHED_FIFO {}, memory locked {}",
        granted
            .fifo
            .as_ref()
            .map_or_else(|e| format!("refused ({e})"), |()| "yes".into()),
        granted
            .locked
            .as_ref()
            .map_or_else(|e| format!("refused ({e})"), |()| "yes".into()),
    );
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "executor lateness over {} events: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs; STEP skew p99 {} ns, max {} ns; plot shifted {:.1} ms",
        played.events,
        us(played.lateness.quantile(0.5)),
        us(played.lateness.quantile(0.99)),
        us(played.lateness.max()),
        played.skew.quantile(0.99).as_nanos(),
        played.skew.max().as_nanos(),
        played.shifted.as_secs_f64() * 1000.0
    );
}

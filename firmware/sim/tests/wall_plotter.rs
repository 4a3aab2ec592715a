//! The simulated wall plotter, driven pin by pin: cords wind on STEP edges, the pen inks only
//! while the servo holds it on the paper, and the world outlives the process.

use std::time::Duration;

use atelier_hal::Clock as _;
use atelier_sim::{
    Frame, MotorWiring, PenWiring, PlotterWiring, SimBoard, SimOutput, SimPlotter, StepDirSpec,
};
use embedded_hal::digital::OutputPin as _;
use embedded_hal::pwm::SetDutyCycle as _;

const FRAME: Frame = Frame {
    motor_spacing_mm: 600.0,
    mm_per_step: 0.1,
    contact_angle: 60.0,
};

const WIRING: PlotterWiring = PlotterWiring {
    motors: MotorWiring::StepDir {
        left: (5, 6),
        right: (13, 19),
        enable: None,
        chip: StepDirSpec::A4988,
    },
    pen: PenWiring::Pwm(0),
    lengthen_on_high: [true, true],
};

/// Drives the pins by hand: `n` steps of the left motor (cord out when `out`), 10 µs apart.
fn step_left(sim: &SimBoard, pins: &mut (SimOutput, SimOutput), out: bool, n: u32) {
    pins.1.set_state(out.into()).expect("sim");
    let clock = sim.clock();
    for _ in 0..n {
        clock.sleep(Duration::from_micros(5));
        pins.0.set_high().expect("sim");
        clock.sleep(Duration::from_micros(5));
        pins.0.set_low().expect("sim");
    }
}

/// Pulse width for a servo angle on an SG90 (0.5–2.5 ms over 0–180°), as a 16-bit duty.
fn duty(angle: f64) -> u16 {
    let pulse_ms = 0.5 + 2.0 * angle / 180.0;
    (pulse_ms / 20.0 * f64::from(u16::MAX)).round() as u16
}

fn close(a: [f64; 2], b: [f64; 2]) -> bool {
    (a[0] - b[0]).hypot(a[1] - b[1]) < 1e-3
}

#[test]
fn ink_follows_the_pen_only_while_it_touches_and_the_world_outlives_the_run() {
    let folder = tempfile::tempdir().expect("temp");
    let world = folder.path().join("world");
    {
        let sim = SimBoard::new();
        let plotter = SimPlotter::attach_persistent(&sim, FRAME, WIRING, [500.0, 500.0], &world)
            .expect("new world");
        let mut left = (
            sim.output(5, "left step").expect("pin"),
            sim.output(6, "left dir").expect("pin"),
        );
        let mut pen = sim.pwm(0, Duration::from_millis(20), "pen");
        pen.set_duty_cycle(duty(90.0)).expect("sim");
        sim.clock().sleep(Duration::from_millis(300));
        // Travel with the pen up: no ink.
        step_left(&sim, &mut left, true, 100);
        assert!(plotter.ink().is_empty());
        let cords = plotter.cords_mm();
        assert!(close(cords, [510.0, 500.0]), "{cords:?}");
        // Down, and 50 steps back: one line.
        pen.set_duty_cycle(duty(40.0)).expect("sim");
        sim.clock().sleep(Duration::from_millis(300));
        step_left(&sim, &mut left, false, 50);
        let ink = plotter.ink();
        assert_eq!(ink.len(), 1);
        let start = FRAME.pen_at(510.0, 500.0).expect("meets");
        let end = FRAME.pen_at(505.0, 500.0).expect("meets");
        let line = &ink[0];
        assert!(close(line[0], start), "{:?} vs {start:?}", line[0]);
        assert!(close(*line.last().expect("points"), end));
        // The process dies here, pen down, mid-line: nothing is closed or flushed.
        std::mem::forget(plotter);
    }
    let sim = SimBoard::new();
    let plotter = SimPlotter::attach_persistent(&sim, FRAME, WIRING, [500.0, 500.0], &world)
        .expect("world taken up again");
    let cords = plotter.cords_mm();
    assert!(
        close(cords, [505.0, 500.0]),
        "the gondola stayed: {cords:?}"
    );
    let ink = plotter.ink();
    assert_eq!(
        ink.len(),
        1,
        "the line drawn before the kill is on the paper"
    );
    let end = FRAME.pen_at(505.0, 500.0).expect("meets");
    let last = *ink[0].last().expect("points");
    assert!(close(last, end), "it reaches where the pen stopped");
    plotter.new_sheet().expect("fresh paper");
    assert!(plotter.ink().is_empty());
}

#[test]
fn a_broken_cords_file_is_refused_with_its_folder_named() {
    let folder = tempfile::tempdir().expect("temp");
    std::fs::write(folder.path().join("cords"), "left right").expect("write");
    let error = SimPlotter::attach_persistent(
        &SimBoard::new(),
        FRAME,
        WIRING,
        [500.0, 500.0],
        folder.path(),
    )
    .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains(&folder.path().display().to_string()) && message.contains("cords"),
        "{message}"
    );
}

//! A real photograph planned, then played by the real executor and drivers onto the simulated
//! plotter: the ink on the simulated paper must be the planner's lines, and nothing else.

mod common;

use polargraph::input::{self, Drawing};
use polargraph::parts::Parts;
use polargraph::plan::StyleOptions;
use polargraph::simulated::{SimRig, Truth};
use polargraph::{Plan, Style};

#[test]
fn a_photo_played_onto_the_simulated_plotter_leaves_exactly_the_planned_lines() {
    let config = common::small_config();
    let Drawing::Picture(photo) =
        input::load(&common::repo().join("assets/plotter/chelsea.png")).expect("the photo loads")
    else {
        panic!("chelsea.png is a picture");
    };
    let options = StyleOptions {
        cell_mm: Some(2.0),
        dots: None,
    };
    let drawing = Drawing::Picture(photo);
    let plan =
        Plan::new(&config, Some(&drawing), Some(Style::Squiggle), &options, 11).expect("plans");
    assert!(plan.strokes.len() > 5, "a real drawing");

    let rig = SimRig::build(&config, Truth::as_configured(&config), None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.enable.hold().expect("enable");
    let played = parts
        .executor
        .play(plan.events())
        .expect("plays to the end");
    rig.settle();
    assert!(played.events > 10_000, "{} events", played.events);

    let (left, right) = rig.plotter.drivers();
    assert_eq!(left.violation_count() + right.violation_count(), 0);

    let ink = rig.ink_strokes();
    // Every bit of ink lies on a planned line (none during travel)…
    let stray = common::farthest(&ink, &plan.strokes);
    assert!(
        stray.0 <= 0.1,
        "ink {:.3} mm off the plan at {:?}",
        stray.0,
        stray.1
    );
    // …and every planned line is inked.
    let missed = common::farthest(&plan.strokes, &ink);
    assert!(
        missed.0 <= 0.1,
        "planned line {:.3} mm from any ink at {:?}",
        missed.0,
        missed.1
    );
    // The pen went down once per stroke, and came up at the end.
    assert_eq!(ink.len(), plan.strokes.len());
    assert!(!rig.plotter.touching());
}

#[test]
fn a_step_pulse_too_short_for_the_chip_on_the_board_is_flagged_and_loses_steps() {
    let mut config = common::small_config();
    // The config says TMC2208 (100 ns pulses are enough), the board carries DRV8825s (1.9 µs).
    config.drivers.chip = atelier_stepper::Chip::Tmc2208;
    let truth = Truth {
        chip: atelier_stepper::Chip::Drv8825,
        ..Truth::as_configured(&config)
    };
    let plan = common::plan_on(&config, &common::ramp(8, 8), Style::Scribble, 3);
    let rig = SimRig::build(&config, truth, None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.enable.hold().expect("enable");
    parts.executor.play(plan.events()).expect("plays");
    let (left, right) = rig.plotter.drivers();
    assert!(left.violation_count() > 0 && right.violation_count() > 0);
    assert!(
        left.violations()
            .iter()
            .any(|v| matches!(v, atelier_sim::StepViolation::PulseTooShort { .. })),
        "{:?}",
        left.violations()
    );
    assert_eq!(left.position(), 0, "every step was lost");
}

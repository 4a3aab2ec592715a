//! A real photograph planned, then played by the real executor and drivers onto the simulated
//! plotter: the ink on the simulated paper must be the planner's lines, and nothing else.

mod common;

use atelier_sim::MotorModel;
use polargraph::config::DriverChip;
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
    parts.hold().expect("enable");
    let played = parts
        .executor
        .play(plan.events())
        .expect("plays to the end");
    rig.settle();
    assert!(played.events > 10_000, "{} events", played.events);

    let (left, right) = rig.plotter.motors();
    assert_eq!(left.violation_count() + right.violation_count(), 0);

    let ink = rig.ink_strokes();
    // Every bit of ink on a planned line (none during travel), every planned line inked.
    common::assert_same_lines(&ink, &plan.strokes, 0.1, "the simulated paper");
    // The pen went down once per stroke, and came up at the end.
    assert_eq!(ink.len(), plan.strokes.len());
    assert!(!rig.plotter.touching());
}

#[test]
fn a_step_pulse_too_short_for_the_chip_on_the_board_is_flagged_and_loses_steps() {
    let mut config = common::small_config();
    // The config says TMC2208 (100 ns pulses are enough), the board carries DRV8825s (1.9 µs).
    config.drivers.chip = DriverChip::Tmc2208;
    let truth = Truth {
        chip: DriverChip::Drv8825,
        ..Truth::as_configured(&config)
    };
    let plan = common::plan_on(&config, &common::ramp(8, 8), Style::Scribble, 3);
    let rig = SimRig::build(&config, truth, None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.hold().expect("enable");
    parts.executor.play(plan.events()).expect("plays");
    let (MotorModel::StepDir(left), MotorModel::StepDir(right)) = rig.plotter.motors() else {
        panic!("step/dir drivers");
    };
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

/// The small machine on 28BYJ-48s and ULN2003 boards: 2048 full steps a turn through the
/// gearbox, half-stepped, on a 20-tooth GT2 pulley; slow, as those motors are.
fn uln2003_config() -> polargraph::PlotterConfig {
    let mut config = common::small_config();
    config.drivers.chip = DriverChip::Uln2003;
    let pin = |n| atelier_board::Bcm::new(n).expect("pin");
    config.pins.left_step = None;
    config.pins.left_dir = None;
    config.pins.right_step = None;
    config.pins.right_dir = None;
    config.pins.enable = None;
    config.pins.left_coils = Some([pin(5), pin(6), pin(13), pin(19)]);
    config.pins.right_coils = Some([pin(12), pin(16), pin(20), pin(21)]);
    config.motors.steps_per_rev = 4096;
    config.motors.microsteps = 1;
    // 40 mm a turn at about 1 000 half-steps a second: 10 mm/s at most.
    config.motion.max_cord_speed_mm_s = 8.0;
    config.motion.draw_speed_mm_s = 8.0;
    config.motion.travel_speed_mm_s = 8.0;
    config
}

#[test]
fn on_uln2003_boards_the_half_step_sequence_draws_the_plan() {
    let config = uln2003_config();
    let plan = common::plan_on(&config, &common::ramp(6, 8), Style::Scribble, 5);
    let rig = SimRig::build(&config, Truth::as_configured(&config), None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.hold().expect("coils");
    parts.executor.play(plan.events()).expect("plays");
    rig.settle();
    let (MotorModel::Coils(left), MotorModel::Coils(right)) = rig.plotter.motors() else {
        panic!("coil motors");
    };
    // Every pattern on the coils is a phase of the half-step sequence, every change a
    // neighbouring phase (no lost step, no shorted pair of coils), and no step comes sooner
    // after the one before than a 28BYJ-48 follows — reversals at corners of the path included.
    let violations: Vec<_> = left
        .violations()
        .into_iter()
        .chain(right.violations())
        .collect();
    assert!(violations.is_empty(), "{violations:?}");
    assert_eq!(left.violation_count() + right.violation_count(), 0);
    let steps = left.position().unsigned_abs() + right.position().unsigned_abs();
    assert!(steps > 1_000, "{steps} steps");
    let ink = rig.ink_strokes();
    common::assert_same_lines(&ink, &plan.strokes, 0.1, "the simulated paper");
}

#[test]
fn a_uln2003_config_without_its_coil_pins_is_refused_naming_the_key() {
    let text = std::fs::read_to_string(common::repo().join("hardware/polargraph.toml"))
        .expect("shipped")
        .replace("chip = \"a4988\"", "chip = \"uln2003\"");
    let error =
        polargraph::PlotterConfig::parse(&text, "polargraph.toml").expect_err("no coil pins");
    let message = error.to_string();
    assert!(
        message.contains("pins.left_coils") && message.contains("IN1"),
        "{message}"
    );
}

#[test]
fn a_pen_servo_on_a_plain_gpio_is_pulsed_by_the_executor_and_lifts_the_pen_in_time() {
    let mut config = common::small_config();
    config.pen.servo_pwm_channel = None;
    config.pen.servo_gpio = Some(atelier_board::Bcm::new(24).expect("pin"));
    let plan = common::plan_on(&config, &common::ramp(6, 6), Style::Scribble, 9);
    let rig = SimRig::build(&config, Truth::as_configured(&config), None).expect("rig");
    let mut parts = Parts::open(&mut rig.board(), &config).expect("parts open");
    parts.hold().expect("enable");
    let played = parts.executor.play(plan.events()).expect("plays");
    rig.settle();
    // The pulses cost no lateness: the executor pulses during the settle time the plan holds.
    assert!(
        played.lateness.max() < std::time::Duration::from_millis(1),
        "{:?}",
        played.lateness.max()
    );
    let ink = rig.ink_strokes();
    common::assert_same_lines(&ink, &plan.strokes, 0.1, "the simulated paper");
    assert_eq!(ink.len(), plan.strokes.len(), "one pen-down per stroke");
    assert!(!rig.plotter.touching());
    // The servo's pin carried only pulses, one a period at most while the pen moved.
    let trace = rig.sim.trace();
    let pin = trace.find("gpio24_pen servo").expect("recorded");
    let moves = 2 * plan.strokes.len() as u64 + 1;
    let pulses = trace.count(pin) / 2;
    let most = moves * u64::from(config.pen.up_ms.max(config.pen.down_ms)).div_ceil(20);
    assert!(
        pulses >= moves * 5 && pulses <= most,
        "{pulses} pulses for {moves} moves"
    );
}

#[test]
fn a_pen_servo_config_names_the_key_when_it_is_wired_twice_or_pulsed_too_briefly() {
    let text =
        std::fs::read_to_string(common::repo().join("hardware/polargraph.toml")).expect("shipped");
    let both = text.replace(
        "servo_pwm_channel = 0",
        "servo_pwm_channel = 0\nservo_gpio = 24",
    );
    let message = polargraph::PlotterConfig::parse(&both, "polargraph.toml")
        .expect_err("two servo pins")
        .to_string();
    assert!(
        message.contains("pen.servo_gpio") && message.contains("not both"),
        "{message}"
    );
    let brief = text
        .replace("servo_pwm_channel = 0", "servo_gpio = 24")
        .replace("down_ms = 150", "down_ms = 40");
    let message = polargraph::PlotterConfig::parse(&brief, "polargraph.toml")
        .expect_err("too brief")
        .to_string();
    assert!(
        message.contains("pen.down_ms") && message.contains("100 ms"),
        "{message}"
    );
    // GPIO5 is the shipped config's left STEP line.
    let clash = text.replace("servo_pwm_channel = 0", "servo_gpio = 5");
    let message = polargraph::PlotterConfig::parse(&clash, "polargraph.toml")
        .expect_err("shared pin")
        .to_string();
    assert!(
        message.contains("pen.servo_gpio") && message.contains("pins.left_step"),
        "{message}"
    );
}

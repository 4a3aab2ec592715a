//! The real step/dir driver code on simulated pins, checked by the simulator's driver-chip
//! model (firmware/sim), which shares no code with it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_hal::{Clock as _, SetTogether};
use atelier_sim::{SimBoard, SimOutput, StepDirSpec, StepViolation, StepperDriverModel};
use atelier_stepper::{Chip, Enable, StepDir, Timing, step_together};
use embedded_hal::digital::OutputPin;

const LEFT: (u8, u8) = (5, 6);
const RIGHT: (u8, u8) = (13, 19);
const ENABLE: u8 = 26;

struct Rig {
    sim: SimBoard,
    left: StepDir<SimOutput, SimOutput>,
    right: StepDir<SimOutput, SimOutput>,
    enable: Enable<SimOutput>,
    left_chip: StepperDriverModel,
    right_chip: StepperDriverModel,
}

fn rig(spec: StepDirSpec) -> Rig {
    let sim = SimBoard::new();
    let left_chip = StepperDriverModel::attach(&sim, LEFT.0, LEFT.1, Some(ENABLE), spec);
    let right_chip = StepperDriverModel::attach(&sim, RIGHT.0, RIGHT.1, Some(ENABLE), spec);
    let pin = |bcm, role| sim.output(bcm, role).expect("free pin");
    Rig {
        left: StepDir::new(pin(LEFT.0, "left step"), pin(LEFT.1, "left dir"), true).expect("sim"),
        // Mounted the other way round: forward is DIR low.
        right: StepDir::new(pin(RIGHT.0, "right step"), pin(RIGHT.1, "right dir"), false)
            .expect("sim"),
        enable: Enable::new(pin(ENABLE, "enable")).expect("sim"),
        sim,
        left_chip,
        right_chip,
    }
}

#[test]
fn each_chip_takes_every_step_at_its_own_timing() {
    for (chip, spec) in [
        (Chip::A4988, StepDirSpec::A4988),
        (Chip::Drv8825, StepDirSpec::DRV8825),
        (Chip::Tmc2208, StepDirSpec::TMC2208),
    ] {
        let mut rig = rig(spec);
        let clock = rig.sim.clock();
        let timing = Timing::for_chip(chip);
        rig.enable.hold().expect("sim");
        for i in 0..100 {
            rig.left.step(true, timing, &clock).expect("sim");
            // The right motor changes direction every 10 steps.
            rig.right
                .step((i / 10) % 2 == 0, timing, &clock)
                .expect("sim");
        }
        for _ in 0..40 {
            step_together(
                &mut [(&mut rig.left, Some(false)), (&mut rig.right, Some(true))],
                timing,
                &clock,
            )
            .expect("sim");
        }
        assert_eq!(rig.left_chip.violations(), [], "{chip:?}");
        assert_eq!(rig.right_chip.violations(), [], "{chip:?}");
        assert_eq!(rig.left_chip.position(), 100 - 40, "{chip:?}");
        // Forward is DIR low on the right: the chip counts DIR-high steps as positive.
        assert_eq!(rig.right_chip.position(), -40, "{chip:?}");
        assert_eq!(rig.right_chip.steps_taken(), 140, "{chip:?}");
    }
}

#[test]
fn a_pulse_too_short_for_the_chip_is_flagged_and_the_step_lost() {
    let mut rig = rig(StepDirSpec::DRV8825);
    let clock = rig.sim.clock();
    rig.enable.hold().expect("sim");
    // A4988 timing on a DRV8825: 2 µs pulses pass, 1 µs ones would not; try 1 µs.
    let short = Timing {
        pulse: Duration::from_nanos(1_000),
        dir_setup: Duration::from_nanos(1_300),
    };
    for _ in 0..10 {
        rig.left.step(true, short, &clock).expect("sim");
    }
    assert_eq!(rig.left_chip.position(), 0);
    assert_eq!(rig.left_chip.violation_count(), 10 + 9);
    assert!(matches!(
        rig.left_chip.violations()[0],
        StepViolation::PulseTooShort { .. }
    ));
}

#[test]
fn steps_while_released_do_not_move_the_motor() {
    let mut rig = rig(StepDirSpec::A4988);
    let clock = rig.sim.clock();
    let timing = Timing::for_chip(Chip::A4988);
    rig.left.step(true, timing, &clock).expect("sim");
    assert_eq!(rig.left_chip.position(), 0);
    assert!(!rig.left_chip.enabled() && !rig.enable.holding());
    rig.enable.hold().expect("sim");
    rig.left.step(true, timing, &clock).expect("sim");
    assert_eq!(rig.left_chip.position(), 1);
    clock.sleep(Duration::from_secs(1));
    rig.enable.release().expect("sim");
    assert!(!rig.left_chip.enabled());
}

#[test]
fn a_28byj_48_half_steps_both_ways_and_a_wrong_sequence_is_flagged() {
    use atelier_sim::{CoilViolation, Uln2003Model};
    use atelier_stepper::Uln2003;
    use embedded_hal::digital::OutputPin as _;

    let sim = SimBoard::new();
    let coils = [17, 18, 27, 22];
    let model = Uln2003Model::attach(&sim, coils, Duration::from_millis(1));
    let pins = coils.map(|bcm| sim.output(bcm, "coil").expect("free pin"));
    let mut motor = Uln2003::new(pins).expect("sim");
    let clock = sim.clock();
    for _ in 0..4096 {
        motor.step(true).expect("sim");
        clock.sleep(Duration::from_millis(2));
    }
    for _ in 0..100 {
        motor.step(false).expect("sim");
        clock.sleep(Duration::from_millis(2));
    }
    // Released and energised again where it was left: no step lost.
    motor.release_coils().expect("sim");
    clock.sleep(Duration::from_secs(1));
    motor.step(true).expect("sim");
    assert_eq!(model.violations(), []);
    // The first pattern only pulls the rotor to its phase; every step counts.
    assert_eq!(model.position(), 4096 - 100 + 1);

    // Too fast for the motor, then a full-step jump written by hand.
    motor.step(true).expect("sim");
    let mut pins = motor.release();
    assert!(matches!(
        model.violations()[0],
        CoilViolation::TooFast { .. }
    ));
    clock.sleep(Duration::from_millis(5));
    // Whatever phase it is in, turning on the opposite pair is never a neighbour.
    for pin in &mut pins {
        pin.set_low().expect("sim");
    }
    pins[0].set_high().expect("sim");
    clock.sleep(Duration::from_millis(5));
    pins[0].set_low().expect("sim");
    pins[2].set_high().expect("sim");
    assert!(
        model
            .violations()
            .iter()
            .any(|v| matches!(v, CoilViolation::LostStep { from: 1, to: 4, .. })),
        "{:?}",
        model.violations()
    );
}

/// A simulated STEP pin that counts how it was written: alone, or in one write with others.
struct Counted {
    pin: SimOutput,
    together: bool,
    writes: Arc<Mutex<Writes>>,
}

#[derive(Default, Debug)]
struct Writes {
    alone: u32,
    together: u32,
}

impl embedded_hal::digital::ErrorType for Counted {
    type Error = std::convert::Infallible;
}

impl OutputPin for Counted {
    fn set_low(&mut self) -> Result<(), Self::Error> {
        self.writes.lock().expect("counts").alone += 1;
        self.pin.set_low()
    }

    fn set_high(&mut self) -> Result<(), Self::Error> {
        self.writes.lock().expect("counts").alone += 1;
        self.pin.set_high()
    }
}

impl SetTogether for Counted {
    fn set_together(pins: &mut [&mut Self], high: bool) -> Result<bool, Self::Error> {
        if !pins.iter().all(|pin| pin.together) {
            return Ok(false);
        }
        pins[0].writes.lock().expect("counts").together += 1;
        for pin in pins.iter_mut() {
            pin.pin.set_state(high.into())?;
        }
        Ok(true)
    }
}

/// Steps both motors 50 times on STEP pins that can (or cannot) be written together; what the
/// driver chips saw, and how the pins were written.
fn step_both(together: bool) -> ([i64; 2], Writes, Vec<Duration>) {
    let sim = SimBoard::new();
    let left_chip = StepperDriverModel::attach(&sim, LEFT.0, LEFT.1, None, StepDirSpec::A4988);
    let right_chip = StepperDriverModel::attach(&sim, RIGHT.0, RIGHT.1, None, StepDirSpec::A4988);
    let writes = Arc::new(Mutex::new(Writes::default()));
    let step = |bcm, role| Counted {
        pin: sim.output(bcm, role).expect("free pin"),
        together,
        writes: Arc::clone(&writes),
    };
    let dir = |bcm, role| sim.output(bcm, role).expect("free pin");
    let mut left =
        StepDir::new(step(LEFT.0, "left step"), dir(LEFT.1, "left dir"), true).expect("sim");
    let mut right =
        StepDir::new(step(RIGHT.0, "right step"), dir(RIGHT.1, "right dir"), true).expect("sim");
    // StepDir::new drives STEP low alone: count only the steps.
    *writes.lock().expect("counts") = Writes::default();
    let clock = sim.clock();
    let timing = Timing::for_chip(Chip::A4988);
    let mut skews = Vec::new();
    for _ in 0..50 {
        let skew = step_together(
            &mut [(&mut left, Some(true)), (&mut right, Some(false))],
            timing,
            &clock,
        )
        .expect("sim");
        skews.push(skew);
    }
    let writes = std::mem::take(&mut *writes.lock().expect("counts"));
    let trace = sim.trace();
    let rises = |name: &str| -> Vec<_> {
        let id = trace.find(name).expect("recorded");
        trace
            .changes_of(id)
            .into_iter()
            .filter(|c| c.value == atelier_sim::Value::Bit(true))
            .map(|c| c.at)
            .collect()
    };
    assert_eq!(rises("gpio5_left step"), rises("gpio13_right step"));
    assert_eq!(
        left_chip.violation_count() + right_chip.violation_count(),
        0
    );
    ([left_chip.position(), right_chip.position()], writes, skews)
}

#[test]
fn both_step_lines_go_in_one_write_where_the_pins_allow_it_and_back_to_back_elsewhere() {
    let (positions, writes, skews) = step_both(true);
    assert_eq!(positions, [50, -50]);
    // One write raises both lines, one lowers them: two a step, none alone.
    assert_eq!((writes.together, writes.alone), (100, 0));
    assert!(skews.iter().all(Duration::is_zero));

    let (positions, writes, _) = step_both(false);
    assert_eq!(positions, [50, -50]);
    assert_eq!((writes.together, writes.alone), (0, 200));
}

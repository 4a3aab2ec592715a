//! The machine's config: hardware/polargraph.toml.

use std::path::Path;
use std::time::Duration;

use atelier_board::{Bcm, BoardConfig};
use atelier_config::{Check, ConfigError, Problem};
use atelier_stepper::{Chip, Timing};
use serde::{Deserialize, Serialize};

/// Everything about one polargraph: wiring, geometry, motors, pen and motion limits.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlotterConfig {
    /// Which backend drives the pins.
    #[serde(default)]
    pub board: BoardConfig,
    /// Which GPIO is which.
    pub pins: Pins,
    /// Where the motors and the paper are.
    pub geometry: Geometry,
    /// How cord length turns into steps.
    pub motors: Motors,
    /// Where the pen is parked when a plot starts.
    pub home: Home,
    /// The pen and its lift.
    pub pen: Pen,
    /// Speed and acceleration limits.
    pub motion: Motion,
    /// The motor driver chips.
    #[serde(default)]
    pub drivers: Drivers,
    /// The plotter's page, served by `polargraph run`. Not part of a job's copy of the config
    /// (a job's identity must not change with the page's port).
    #[serde(default, skip_serializing)]
    pub page: PageSettings,
}

/// The `[page]` table: the page `polargraph run` serves on the network.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageSettings {
    /// Serve the page at all.
    pub enabled: bool,
    /// The address to listen on: `0.0.0.0` for every network the plotter is on, `127.0.0.1`
    /// for this machine only.
    pub bind: String,
    /// The TCP port.
    pub port: u16,
    /// The plotter's network name, announced over mDNS as `NAME.local`.
    pub hostname: String,
    /// Let anyone on the network watch the plotter without pairing. Plotting, uploading and
    /// every other change always need pairing.
    pub open_read: bool,
}

impl Default for PageSettings {
    fn default() -> Self {
        PageSettings {
            enabled: true,
            bind: "0.0.0.0".into(),
            port: 8082,
            hostname: "polargraph".into(),
            open_read: false,
        }
    }
}

/// The `[drivers]` table: the step/dir driver chips and how the motors are mounted.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Drivers {
    /// The chip on both motors: a step/dir chip's datasheet sets the step pulse and DIR setup
    /// time; `uln2003` drives a 28BYJ-48's coils directly.
    pub chip: DriverChip,
    /// A longer STEP pulse than the chip's (long wires, opto-isolated drivers), µs.
    pub step_pulse_us: Option<f64>,
    /// A longer DIR setup time than the chip's, µs.
    pub dir_setup_us: Option<f64>,
    /// The DIR level that lets the left cord out; flip it if that motor winds the wrong way.
    pub left_lengthen_high: bool,
    /// The DIR level that lets the right cord out.
    pub right_lengthen_high: bool,
    /// With no job running or paused, the motors are released after this long (a released
    /// gondola may sag; the home position must then be set again).
    pub release_after_s: f64,
}

impl Default for Drivers {
    fn default() -> Self {
        Drivers {
            chip: DriverChip::A4988,
            step_pulse_us: None,
            dir_setup_us: None,
            left_lengthen_high: true,
            right_lengthen_high: true,
            release_after_s: 300.0,
        }
    }
}

impl Drivers {
    /// The STEP pulse and DIR setup the motors get.
    pub fn timing(&self) -> Timing {
        let chip = Timing::for_chip(self.chip.step_dir().unwrap_or(Chip::A4988));
        let micros = |us: Option<f64>, chip: Duration| {
            us.map_or(chip, |us| Duration::from_secs_f64(us / 1e6))
        };
        Timing {
            pulse: micros(self.step_pulse_us, chip.pulse),
            dir_setup: micros(self.dir_setup_us, chip.dir_setup),
        }
    }
}

/// The `[pins]` table (BCM numbers): STEP, DIR and ENABLE for step/dir driver chips, or the
/// four coil inputs of each ULN2003 board.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pins {
    /// STEP of the left motor's driver.
    pub left_step: Option<Bcm>,
    /// DIR of the left motor's driver.
    pub left_dir: Option<Bcm>,
    /// STEP of the right motor's driver.
    pub right_step: Option<Bcm>,
    /// DIR of the right motor's driver.
    pub right_dir: Option<Bcm>,
    /// ENABLE of both drivers (active low on A4988/DRV8825/TMC2208); leave out if it is tied low.
    pub enable: Option<Bcm>,
    /// IN1–IN4 of the left motor's ULN2003 board.
    pub left_coils: Option<[Bcm; 4]>,
    /// IN1–IN4 of the right motor's ULN2003 board.
    pub right_coils: Option<[Bcm; 4]>,
}

/// The pins of step/dir driver chips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepDirPins {
    /// Left STEP.
    pub left_step: Bcm,
    /// Left DIR.
    pub left_dir: Bcm,
    /// Right STEP.
    pub right_step: Bcm,
    /// Right DIR.
    pub right_dir: Bcm,
    /// The shared ENABLE, if wired.
    pub enable: Option<Bcm>,
}

/// How the motors are wired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MotorPins {
    /// Step/dir driver chips.
    StepDir(StepDirPins),
    /// ULN2003 boards: IN1–IN4 of the left and the right motor.
    Coils([Bcm; 4], [Bcm; 4]),
}

/// The driver on each motor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriverChip {
    /// Allegro A4988 (step/dir).
    A4988,
    /// TI DRV8825 (step/dir).
    Drv8825,
    /// Trinamic TMC2208 or TMC2209 in step/dir mode.
    Tmc2208,
    /// A ULN2003 darlington board driving a 28BYJ-48's coils, half-stepping.
    Uln2003,
}

impl DriverChip {
    /// The step/dir chip, if it is one.
    pub fn step_dir(self) -> Option<Chip> {
        match self {
            DriverChip::A4988 => Some(Chip::A4988),
            DriverChip::Drv8825 => Some(Chip::Drv8825),
            DriverChip::Tmc2208 => Some(Chip::Tmc2208),
            DriverChip::Uln2003 => None,
        }
    }
}

impl PlotterConfig {
    /// The motors' pins as the chip needs them (the config's check makes sure they are there).
    pub fn motor_pins(&self) -> Result<MotorPins, Problem> {
        let p = &self.pins;
        if self.drivers.chip == DriverChip::Uln2003 {
            return match (p.left_coils, p.right_coils) {
                (Some(left), Some(right)) => Ok(MotorPins::Coils(left, right)),
                (None, _) => Err(Problem::new(
                    "pins.left_coils",
                    "a 28BYJ-48 on a ULN2003 board needs its four coil pins IN1–IN4, such as \
                     [5, 6, 13, 19]"
                        .to_owned(),
                )),
                (_, None) => Err(Problem::new(
                    "pins.right_coils",
                    "a 28BYJ-48 on a ULN2003 board needs its four coil pins IN1–IN4, such as \
                     [12, 16, 20, 21]"
                        .to_owned(),
                )),
            };
        }
        let need = |key: &str, pin: Option<Bcm>| {
            pin.ok_or_else(|| {
                Problem::new(
                    key,
                    format!(
                        "missing: the {:?} driver needs STEP and DIR pins for each motor",
                        self.drivers.chip
                    ),
                )
            })
        };
        Ok(MotorPins::StepDir(StepDirPins {
            left_step: need("pins.left_step", p.left_step)?,
            left_dir: need("pins.left_dir", p.left_dir)?,
            right_step: need("pins.right_step", p.right_step)?,
            right_dir: need("pins.right_dir", p.right_dir)?,
            enable: p.enable,
        }))
    }
}

/// The `[geometry]` table: the machine frame has the left motor's cord exit at the origin, x to
/// the right, y down.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Geometry {
    /// Distance between the two cord exit points.
    pub motor_spacing_mm: f64,
    /// Left edge of the paper, right of the left motor.
    pub paper_left_mm: f64,
    /// Top edge of the paper, below the motors.
    pub paper_top_mm: f64,
    /// Paper width.
    pub paper_width_mm: f64,
    /// Paper height.
    pub paper_height_mm: f64,
    /// Blank border kept on every side of the paper.
    pub margin_mm: f64,
}

/// The `[motors]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Motors {
    /// Cord wound per motor turn (a GT2 20-tooth pulley: 40 mm).
    pub pulley_circumference_mm: f64,
    /// Full steps per turn (200 for 1.8° motors; 2048 for a 28BYJ-48).
    pub steps_per_rev: u32,
    /// Microstepping set on the driver (1, 2, 4, 8, 16, 32…).
    pub microsteps: u32,
}

/// The `[home]` table: the cord lengths when the pen sits at its parking spot. Measure them once
/// (or compute them from the spot's position); squareness of every drawing depends on them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Home {
    /// Left cord, from its motor's exit point to the pen.
    pub left_cord_mm: f64,
    /// Right cord.
    pub right_cord_mm: f64,
}

/// The `[pen]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Pen {
    /// Width of the line the pen leaves.
    pub width_mm: f64,
    /// Tone curve as a gamma on brightness (1 = linear); ignored when `tone` is given.
    #[serde(default = "Pen::default_gamma")]
    pub gamma: f64,
    /// Tone curve as measured points `[image brightness, brightness to draw]`, 0–255, increasing
    /// in the first value: print a grey wedge, measure it, write what you measured here.
    #[serde(default)]
    pub tone: Vec<[f64; 2]>,
    /// Hardware PWM channel of the lift servo (`dtoverlay=pwm`: channel 0 is GPIO18).
    #[serde(default)]
    pub servo_pwm_channel: Option<u8>,
    /// Or a plain GPIO for the lift servo, pulsed by the plotter itself while the pen moves.
    #[serde(default)]
    pub servo_gpio: Option<Bcm>,
    /// Servo angle with the pen up, degrees.
    pub up_angle: f64,
    /// Servo angle with the pen down, degrees.
    pub down_angle: f64,
    /// Time for the pen to come up and stop moving.
    pub up_ms: u32,
    /// Time for the pen to reach the paper and settle.
    pub down_ms: u32,
}

/// What drives the pen servo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServoPin {
    /// A hardware PWM channel.
    Pwm(u8),
    /// A plain GPIO, pulsed by the executor.
    Gpio(Bcm),
}

impl Pen {
    fn default_gamma() -> f64 {
        1.0
    }

    /// The shortest settle time with a pulsed servo: it only gets pulses while the pen moves,
    /// so the move must last a few of them.
    pub const MIN_PULSED_SETTLE_MS: u32 = 100;

    /// Where the servo is wired: exactly one of `servo_pwm_channel` and `servo_gpio`.
    pub fn servo(&self) -> Result<ServoPin, Problem> {
        match (self.servo_pwm_channel, self.servo_gpio) {
            (Some(channel), None) => Ok(ServoPin::Pwm(channel)),
            (None, Some(pin)) => Ok(ServoPin::Gpio(pin)),
            (Some(_), Some(_)) => Err(Problem::new(
                "pen.servo_gpio",
                "give either servo_pwm_channel (hardware PWM) or servo_gpio (any pin, pulsed by \
                 the plotter), not both"
                    .to_owned(),
            )),
            (None, None) => Err(Problem::new(
                "pen.servo_pwm_channel",
                "missing: the pen servo needs servo_pwm_channel = 0 (hardware PWM on GPIO18 with \
                 dtoverlay=pwm) or servo_gpio = N (any free pin)"
                    .to_owned(),
            )),
        }
    }
}

/// The `[motion]` table.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Motion {
    /// Pen speed while drawing.
    pub draw_speed_mm_s: f64,
    /// Acceleration while drawing.
    pub draw_accel_mm_s2: f64,
    /// Pen speed while travelling with the pen up.
    pub travel_speed_mm_s: f64,
    /// Acceleration while travelling.
    pub travel_accel_mm_s2: f64,
    /// Fastest a cord may wind (the motor's pull-out speed).
    pub max_cord_speed_mm_s: f64,
    /// Strongest a cord's speed may change.
    pub max_cord_accel_mm_s2: f64,
    /// Grbl-style junction deviation: how far the path may cut a corner at speed.
    pub junction_deviation_mm: f64,
    /// Tension each cord must keep, as a fraction of the gondola's weight, so it never goes
    /// slack when the gondola accelerates (Makelangelo's DYNAMIC_ACCELERATION idea).
    pub min_tension: f64,
    /// Most tension a cord may carry, as a fraction of the weight: near the top corners a cord
    /// lies almost flat and its tension grows without bound.
    pub max_tension: f64,
}

impl PlotterConfig {
    /// Reads and checks a plotter config.
    pub fn load(path: &Path) -> Result<PlotterConfig, ConfigError> {
        atelier_config::load_checked(path)
    }

    /// Parses and checks a plotter config from text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<PlotterConfig, ConfigError> {
        atelier_config::parse_checked(text, Path::new(origin))
    }
}

impl Check for PlotterConfig {
    /// Checks ranges that TOML types cannot express.
    fn check(&self) -> Result<(), Problem> {
        let fail = |key: &str, message: String| Err(Problem::new(key, message));
        let mut named: Vec<(String, Bcm)> = match self.motor_pins()? {
            MotorPins::StepDir(p) => [
                ("pins.left_step", Some(p.left_step)),
                ("pins.left_dir", Some(p.left_dir)),
                ("pins.right_step", Some(p.right_step)),
                ("pins.right_dir", Some(p.right_dir)),
                ("pins.enable", p.enable),
            ]
            .into_iter()
            .filter_map(|(key, pin)| Some((key.to_owned(), pin?)))
            .collect(),
            MotorPins::Coils(left, right) => [("left", left), ("right", right)]
                .into_iter()
                .flat_map(|(side, coils)| {
                    coils
                        .into_iter()
                        .enumerate()
                        .map(move |(i, pin)| (format!("pins.{side}_coils[{i}]"), pin))
                })
                .collect(),
        };
        if let ServoPin::Gpio(pin) = self.pen.servo()? {
            named.push(("pen.servo_gpio".to_owned(), pin));
            for (key, ms) in [
                ("pen.up_ms", self.pen.up_ms),
                ("pen.down_ms", self.pen.down_ms),
            ] {
                if ms < Pen::MIN_PULSED_SETTLE_MS {
                    return fail(
                        key,
                        format!(
                            "{ms} ms is too short for a servo on servo_gpio: it is pulsed only \
                             while it moves, so give it at least {} ms",
                            Pen::MIN_PULSED_SETTLE_MS
                        ),
                    );
                }
            }
        }
        if let Err(clash) =
            atelier_board::check_distinct(named.iter().map(|(key, pin)| (key.as_str(), *pin)))
        {
            return fail(&clash.key, clash.to_string());
        }
        let positive: [(&str, f64); 17] = [
            ("geometry.motor_spacing_mm", self.geometry.motor_spacing_mm),
            ("geometry.paper_top_mm", self.geometry.paper_top_mm),
            ("geometry.paper_width_mm", self.geometry.paper_width_mm),
            ("geometry.paper_height_mm", self.geometry.paper_height_mm),
            (
                "motors.pulley_circumference_mm",
                self.motors.pulley_circumference_mm,
            ),
            ("home.left_cord_mm", self.home.left_cord_mm),
            ("home.right_cord_mm", self.home.right_cord_mm),
            ("pen.width_mm", self.pen.width_mm),
            ("pen.gamma", self.pen.gamma),
            ("motion.draw_speed_mm_s", self.motion.draw_speed_mm_s),
            ("motion.draw_accel_mm_s2", self.motion.draw_accel_mm_s2),
            ("motion.travel_speed_mm_s", self.motion.travel_speed_mm_s),
            ("motion.travel_accel_mm_s2", self.motion.travel_accel_mm_s2),
            (
                "motion.max_cord_speed_mm_s",
                self.motion.max_cord_speed_mm_s,
            ),
            (
                "motion.max_cord_accel_mm_s2",
                self.motion.max_cord_accel_mm_s2,
            ),
            (
                "motion.junction_deviation_mm",
                self.motion.junction_deviation_mm,
            ),
            ("motion.max_tension", self.motion.max_tension),
        ];
        for (key, value) in positive {
            if !(value.is_finite() && value > 0.0) {
                return fail(key, format!("must be a positive number, not {value}"));
            }
        }
        if self.geometry.margin_mm.is_nan() || self.geometry.margin_mm < 0.0 {
            return fail(
                "geometry.margin_mm",
                format!("must be 0 or more, not {}", self.geometry.margin_mm),
            );
        }
        if 2.0 * self.geometry.margin_mm
            >= self
                .geometry
                .paper_width_mm
                .min(self.geometry.paper_height_mm)
        {
            return fail(
                "geometry.margin_mm",
                format!(
                    "{} mm on each side leaves no paper to draw on",
                    self.geometry.margin_mm
                ),
            );
        }
        if self.motors.steps_per_rev == 0 {
            return fail(
                "motors.steps_per_rev",
                "must be at least 1 (200 for a 1.8° motor)".to_owned(),
            );
        }
        if !self.motors.microsteps.is_power_of_two() || self.motors.microsteps > 256 {
            return fail(
                "motors.microsteps",
                format!(
                    "{} is not a driver setting: use 1, 2, 4, 8, 16, 32, 64, 128 or 256",
                    self.motors.microsteps
                ),
            );
        }
        if !(0.0..1.0).contains(&self.motion.min_tension) {
            return fail(
                "motion.min_tension",
                format!(
                    "{} must be from 0 to below 1 (a fraction of the gondola's weight)",
                    self.motion.min_tension
                ),
            );
        }
        if self.motion.max_tension <= self.motion.min_tension {
            return fail(
                "motion.max_tension",
                "must be above motion.min_tension".to_owned(),
            );
        }
        let mut previous = f64::NEG_INFINITY;
        for (i, [input, output]) in self.pen.tone.iter().enumerate() {
            if !(0.0..=255.0).contains(input) || !(0.0..=255.0).contains(output) {
                return fail(
                    &format!("pen.tone[{i}]"),
                    "values must be within 0–255".to_owned(),
                );
            }
            if *input <= previous {
                return fail(
                    &format!("pen.tone[{i}]"),
                    "image brightness must increase from point to point".to_owned(),
                );
            }
            previous = *input;
        }
        let drivers = &self.drivers;
        for (key, value) in [
            ("drivers.step_pulse_us", drivers.step_pulse_us),
            ("drivers.dir_setup_us", drivers.dir_setup_us),
        ] {
            if let Some(us) = value
                && !(us.is_finite() && (0.0..=1000.0).contains(&us))
            {
                return fail(key, format!("must be from 0 to 1000 µs, not {us}"));
            }
        }
        if !(drivers.release_after_s.is_finite() && drivers.release_after_s >= 0.0) {
            return fail(
                "drivers.release_after_s",
                format!("must be 0 or more seconds, not {}", drivers.release_after_s),
            );
        }
        for (key, angle) in [
            ("pen.up_angle", self.pen.up_angle),
            ("pen.down_angle", self.pen.down_angle),
        ] {
            if !(0.0..=180.0).contains(&angle) {
                return fail(key, format!("{angle}° is outside a hobby servo's 0–180°"));
            }
        }
        Ok(())
    }
}

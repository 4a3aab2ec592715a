//! The plotter on the simulated board: a [`SimPlotter`] wired as the config says, whose world
//! (the cords and the ink on the paper) can live in a folder so that it outlives the process, as
//! a real plotter outlives its firmware.

use std::path::Path;

use atelier_board::Board;
use atelier_hal::Clock as _;
use atelier_sim::{
    Frame, Ink, MotorWiring, PenWiring, PlotterWiring, Recorder, SimBoard, SimPlotter, StepDirSpec,
    VirtualClock,
};

use atelier_board::Bcm;

use crate::config::{DriverChip, MotorPins, PlotterConfig, ServoPin};
use crate::geometry::{Point, Rect, Stroke};

/// Pin changes the simulated plotter keeps for a VCD window: a whole plot has tens of millions.
pub const RECORDING_WINDOW: usize = 1 << 16;

/// How the simulated machine really is, where that differs from its config (a frame measured a
/// few millimetres off, the wrong driver chip): what calibration and the driver checks find.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Truth {
    /// The real distance between the cord exits, mm.
    pub motor_spacing_mm: f64,
    /// The real cord lengths when the world is new, mm.
    pub cords_mm: [f64; 2],
    /// The chip really on the board.
    pub chip: DriverChip,
}

impl Truth {
    /// The machine exactly as configured, the gondola at home.
    pub fn as_configured(config: &PlotterConfig) -> Truth {
        Truth {
            motor_spacing_mm: config.geometry.motor_spacing_mm,
            cords_mm: [config.home.left_cord_mm, config.home.right_cord_mm],
            chip: config.drivers.chip,
        }
    }
}

/// The world's `truth.toml`: what differs between the simulated machine and its config (a
/// test, or a maker trying calibration, writes it; every key is optional).
#[derive(Clone, Copy, Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TruthFile {
    motor_spacing_mm: Option<f64>,
    left_cord_mm: Option<f64>,
    right_cord_mm: Option<f64>,
    chip: Option<DriverChip>,
}

/// The name of the file in a simulated world's folder that says how the machine really is.
pub const TRUTH_FILE: &str = "truth.toml";

impl Truth {
    /// The machine as the world folder's `truth.toml` says, or as configured without one.
    pub fn of_world(config: &PlotterConfig, world: &Path) -> anyhow::Result<Truth> {
        let path = world.join(TRUTH_FILE);
        let file: TruthFile = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => TruthFile::default(),
            Err(e) => anyhow::bail!("{}: {e}", path.display()),
        };
        let configured = Truth::as_configured(config);
        Ok(Truth {
            motor_spacing_mm: file.motor_spacing_mm.unwrap_or(configured.motor_spacing_mm),
            cords_mm: [
                file.left_cord_mm.unwrap_or(configured.cords_mm[0]),
                file.right_cord_mm.unwrap_or(configured.cords_mm[1]),
            ],
            chip: file.chip.unwrap_or(configured.chip),
        })
    }
}

/// The datasheet timing the simulator checks a step/dir chip's pins against.
pub fn chip_spec(chip: DriverChip) -> Option<StepDirSpec> {
    match chip {
        DriverChip::A4988 => Some(StepDirSpec::A4988),
        DriverChip::Drv8825 => Some(StepDirSpec::DRV8825),
        DriverChip::Tmc2208 => Some(StepDirSpec::TMC2208),
        DriverChip::Uln2003 => None,
    }
}

/// The quickest half-steps a 28BYJ-48 on 5 V follows.
pub const ULN2003_MIN_INTERVAL: std::time::Duration = std::time::Duration::from_micros(900);

/// A simulated plotter and the board its firmware drives.
#[derive(Debug)]
pub struct SimRig {
    /// The simulated board (its world side, to watch and script).
    pub sim: SimBoard,
    /// The plotter hung on it.
    pub plotter: SimPlotter,
    /// Whether its world was made new (the gondola on its home spot, the paper blank).
    pub new_world: bool,
}

impl SimRig {
    /// A plotter built as `truth` says and wired as `config` says, on a fresh virtual clock; its
    /// world lives in `world` when given (and is taken up from there), or only in memory.
    pub fn build(
        config: &PlotterConfig,
        truth: Truth,
        world: Option<&Path>,
    ) -> anyhow::Result<SimRig> {
        let sim =
            SimBoard::with_recorder(VirtualClock::new(), Recorder::with_window(RECORDING_WINDOW));
        let mm_per_step = config.motors.pulley_circumference_mm
            / f64::from(config.motors.steps_per_rev * config.motors.microsteps);
        let pen = &config.pen;
        let frame = Frame {
            motor_spacing_mm: truth.motor_spacing_mm,
            mm_per_step,
            // A spring-loaded pen holder meets the paper just before the horn ends its travel.
            contact_angle: pen.down_angle + 0.25 * (pen.up_angle - pen.down_angle),
        };
        let motors = match config
            .motor_pins()
            .map_err(|p| anyhow::anyhow!("{}: {}", p.key, p.message))?
        {
            MotorPins::StepDir(pins) => MotorWiring::StepDir {
                left: (pins.left_step.number(), pins.left_dir.number()),
                right: (pins.right_step.number(), pins.right_dir.number()),
                enable: pins.enable.map(Bcm::number),
                chip: chip_spec(truth.chip).unwrap_or(StepDirSpec::A4988),
            },
            MotorPins::Coils(left, right) => MotorWiring::Coils {
                left: left.map(Bcm::number),
                right: right.map(Bcm::number),
                min_interval: ULN2003_MIN_INTERVAL,
            },
        };
        let wiring = PlotterWiring {
            motors,
            pen: match pen
                .servo()
                .map_err(|p| anyhow::anyhow!("{}: {}", p.key, p.message))?
            {
                ServoPin::Pwm(channel) => PenWiring::Pwm(channel),
                ServoPin::Gpio(pin) => PenWiring::Gpio(pin.number()),
            },
            lengthen_on_high: [
                config.drivers.left_lengthen_high,
                config.drivers.right_lengthen_high,
            ],
        };
        let new_world = world.is_none_or(|folder| !folder.join("cords").exists());
        let plotter = match world {
            Some(folder) => {
                SimPlotter::attach_persistent(&sim, frame, wiring, truth.cords_mm, folder)?
            }
            None => SimPlotter::attach(&sim, frame, wiring, truth.cords_mm),
        };
        Ok(SimRig {
            sim,
            plotter,
            new_world,
        })
    }

    /// The board for the firmware.
    pub fn board(&self) -> Board {
        Board::sim(self.sim.clone())
    }

    /// Brings the pen's contact up to date now (it is otherwise looked at when a motor steps).
    pub fn settle(&self) {
        self.plotter.settle(self.sim.clock().now());
    }

    /// The ink on the paper as strokes.
    pub fn ink_strokes(&self) -> Vec<Stroke> {
        ink_strokes(&self.plotter.ink())
    }
}

/// Ink polylines as strokes.
pub fn ink_strokes(ink: &Ink) -> Vec<Stroke> {
    ink.iter()
        .filter(|line| !line.is_empty())
        .map(|line| Stroke::new(line.iter().map(|&[x, y]| Point::new(x, y)).collect()))
        .collect()
}

/// The paper as the simulated pen left it, at `px_per_mm`.
pub fn canvas(ink: &Ink, paper: Rect, pen_width: f64, px_per_mm: f64) -> image::GrayImage {
    crate::output::ink(&ink_strokes(ink), paper, pen_width, px_per_mm)
}

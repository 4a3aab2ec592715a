//! The plotter's parts opened on a board: both motors' drivers, their shared ENABLE line and the
//! pen lift, as the config wires them.

use std::time::Duration;

use atelier_board::{AnyClock, AnyOutput, AnyPwm, Board};
use atelier_servo::{PenLift, PenPositions, PulseRange, Servo};
use atelier_stepper::{Enable, StepDir};

use crate::config::PlotterConfig;
use crate::executor::{DEFAULT_LATE_BOUND, Executor};

/// A hobby servo's PWM period.
pub const SERVO_PERIOD: Duration = Duration::from_millis(20);

/// The executor of a plotter on a real or simulated board.
pub type BoardExecutor = Executor<AnyOutput, AnyOutput, AnyPwm, AnyClock>;

/// Everything that moves, opened.
#[derive(Debug)]
pub struct Parts {
    /// Plays plans onto the motors and the pen.
    pub executor: BoardExecutor,
    /// Powers or releases both motors.
    pub enable: Enable<AnyOutput>,
}

/// Where the pen servo goes and how long it takes, from the config.
pub fn pen_positions(config: &PlotterConfig) -> PenPositions {
    PenPositions {
        up_angle: config.pen.up_angle,
        down_angle: config.pen.down_angle,
        up_settle: Duration::from_millis(u64::from(config.pen.up_ms)),
        down_settle: Duration::from_millis(u64::from(config.pen.down_ms)),
    }
}

impl Parts {
    /// Opens the pins and the PWM channel the config names. The motors start released: call
    /// `enable.hold()` before moving them.
    pub fn open(board: &mut Board, config: &PlotterConfig) -> anyhow::Result<Parts> {
        let pins = &config.pins;
        let drivers = &config.drivers;
        let left = StepDir::new(
            board.output(pins.left_step, "left step")?,
            board.output(pins.left_dir, "left dir")?,
            drivers.left_lengthen_high,
        )?;
        let right = StepDir::new(
            board.output(pins.right_step, "right step")?,
            board.output(pins.right_dir, "right dir")?,
            drivers.right_lengthen_high,
        )?;
        let enable = Enable::new(board.output(pins.enable, "enable")?)?;
        let clock = board.clock();
        let pwm = board.pwm(config.pen.servo_pwm_channel, SERVO_PERIOD, "pen servo")?;
        let pen = PenLift::new(
            Servo::new(pwm, SERVO_PERIOD, PulseRange::SG90),
            clock.clone(),
            pen_positions(config),
        );
        Ok(Parts {
            executor: Executor::new(
                left,
                right,
                pen,
                clock,
                drivers.timing(),
                DEFAULT_LATE_BOUND,
            ),
            enable,
        })
    }
}

//! The plotter's parts opened on a board: both motors (step/dir driver chips with their shared
//! ENABLE line, or ULN2003 boards) and the pen lift, as the config wires them.

use std::time::Duration;

use atelier_board::{AnyClock, AnyOutput, AnyPwm, Board, GpioError};
use atelier_hal::Clock;
use atelier_hal::Instant;
use atelier_servo::{PenLift, PenPositions, PulseRange, PulsedServo, Servo, ServoDrive};
use atelier_stepper::{Enable, MotorPair, StepDir, StepDirPair, Uln2003, Uln2003Pair};

use crate::config::{MotorPins, PlotterConfig, ServoPin};
use crate::executor::{DEFAULT_LATE_BOUND, Executor};

/// A hobby servo's PWM period.
pub const SERVO_PERIOD: Duration = Duration::from_millis(20);

/// The motors of a plotter on a real or simulated board, whichever their drivers.
#[derive(Debug)]
pub enum AnyMotors {
    /// Step/dir driver chips.
    StepDir(Box<StepDirPair<AnyOutput, AnyOutput, AnyOutput>>),
    /// 28BYJ-48s on ULN2003 boards.
    Uln2003(Box<Uln2003Pair<AnyOutput>>),
}

impl MotorPair for AnyMotors {
    type Error = GpioError;

    fn step<C: Clock>(
        &mut self,
        moves: [Option<bool>; 2],
        clock: &C,
    ) -> Result<Duration, GpioError> {
        match self {
            AnyMotors::StepDir(motors) => motors.step(moves, clock),
            AnyMotors::Uln2003(motors) => motors.step(moves, clock),
        }
    }

    fn hold(&mut self) -> Result<(), GpioError> {
        match self {
            AnyMotors::StepDir(motors) => motors.hold(),
            AnyMotors::Uln2003(motors) => motors.hold(),
        }
    }

    fn release(&mut self) -> Result<(), GpioError> {
        match self {
            AnyMotors::StepDir(motors) => motors.release(),
            AnyMotors::Uln2003(motors) => motors.release(),
        }
    }

    fn holding(&self) -> bool {
        match self {
            AnyMotors::StepDir(motors) => motors.holding(),
            AnyMotors::Uln2003(motors) => motors.holding(),
        }
    }
}

/// The pen servo of a plotter on a real or simulated board, whichever way it is wired.
#[derive(Debug)]
pub enum AnyServo {
    /// On a hardware PWM channel.
    Pwm(Servo<AnyPwm>),
    /// On a plain GPIO, pulsed by the executor's thread.
    Pulsed(PulsedServo<AnyOutput, AnyClock>),
}

impl ServoDrive for AnyServo {
    type Error = String;

    fn turn(&mut self, degrees: f64, settled_at: Instant) -> Result<(), String> {
        match self {
            AnyServo::Pwm(servo) => servo.turn(degrees, settled_at).map_err(|e| e.to_string()),
            AnyServo::Pulsed(servo) => servo.turn(degrees, settled_at).map_err(|e| e.to_string()),
        }
    }
}

/// The executor of a plotter on a real or simulated board.
pub type BoardExecutor = Executor<AnyMotors, AnyServo, AnyClock>;

/// Everything that moves, opened.
#[derive(Debug)]
pub struct Parts {
    /// Plays plans onto the motors and the pen.
    pub executor: BoardExecutor,
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
    /// [`Parts::hold`] before moving them.
    pub fn open(board: &mut Board, config: &PlotterConfig) -> anyhow::Result<Parts> {
        let drivers = &config.drivers;
        let pins = config
            .motor_pins()
            .map_err(|p| anyhow::anyhow!("{}: {}", p.key, p.message))?;
        let motors = match pins {
            MotorPins::StepDir(pins) => {
                // Both STEP lines in one request, so one write steps both motors where the
                // board allows it.
                let [left_step, right_step]: [AnyOutput; 2] = board
                    .outputs_together(&[
                        (pins.left_step, "left step"),
                        (pins.right_step, "right step"),
                    ])?
                    .try_into()
                    .map_err(|_| anyhow::anyhow!("two STEP lines"))?;
                let left = StepDir::new(
                    left_step,
                    board.output(pins.left_dir, "left dir")?,
                    drivers.left_lengthen_high,
                )?;
                let right = StepDir::new(
                    right_step,
                    board.output(pins.right_dir, "right dir")?,
                    drivers.right_lengthen_high,
                )?;
                let enable = match pins.enable {
                    Some(pin) => Some(Enable::new(board.output(pin, "enable")?)?),
                    None => None,
                };
                AnyMotors::StepDir(Box::new(StepDirPair {
                    left,
                    right,
                    timing: drivers.timing(),
                    enable,
                }))
            }
            MotorPins::Coils(left, right) => {
                let mut coils = |side: &str, pins: [atelier_board::Bcm; 4]| {
                    let mut opened = Vec::with_capacity(4);
                    for (i, pin) in pins.into_iter().enumerate() {
                        opened.push(board.output(pin, &format!("{side} IN{}", i + 1))?);
                    }
                    let opened: [AnyOutput; 4] = opened
                        .try_into()
                        .map_err(|_| anyhow::anyhow!("four coil pins"))?;
                    anyhow::Ok(opened)
                };
                let (mut left, mut right) = (coils("left", left)?, coils("right", right)?);
                // Which way a coil sequence winds the cord depends on how the motor is mounted.
                if !drivers.left_lengthen_high {
                    left.reverse();
                }
                if !drivers.right_lengthen_high {
                    right.reverse();
                }
                AnyMotors::Uln2003(Box::new(Uln2003Pair {
                    left: Uln2003::new(left)?,
                    right: Uln2003::new(right)?,
                }))
            }
        };
        let clock = board.clock();
        let servo = match config
            .pen
            .servo()
            .map_err(|p| anyhow::anyhow!("{}: {}", p.key, p.message))?
        {
            ServoPin::Pwm(channel) => AnyServo::Pwm(Servo::new(
                board.pwm(channel, SERVO_PERIOD, "pen servo")?,
                SERVO_PERIOD,
                PulseRange::SG90,
            )),
            ServoPin::Gpio(pin) => AnyServo::Pulsed(PulsedServo::new(
                board.output(pin, "pen servo")?,
                clock.clone(),
                SERVO_PERIOD,
                PulseRange::SG90,
            )?),
        };
        let pen = PenLift::new(servo, clock.clone(), pen_positions(config));
        Ok(Parts {
            executor: Executor::with_motors(motors, pen, clock, DEFAULT_LATE_BOUND),
        })
    }

    /// Powers the motors: they hold their position.
    pub fn hold(&mut self) -> Result<(), GpioError> {
        self.executor.motors_mut().hold()
    }

    /// Unpowers the motors (the gondola may sag).
    pub fn release(&mut self) -> Result<(), GpioError> {
        self.executor.motors_mut().release()
    }

    /// Whether the motors are powered.
    pub fn holding(&self) -> bool {
        self.executor.motors().holding()
    }
}

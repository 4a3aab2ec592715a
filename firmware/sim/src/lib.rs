//! Virtual hardware for Atelier.
//!
//! Everything here is modelled at the level the firmware talks to it, so the real drivers are
//! what gets tested: pins record every edge with its virtual time, an I2C bus carries register
//! transactions to device models, a byte port carries a printer's byte stream at the link's real
//! speed. One [`VirtualClock`] drives a run: time moves only when the firmware sleeps, so hours of
//! device time simulate in moments, or it follows the wall clock for the desktop simulator.
//!
//! Start from [`SimBoard`]: its firmware side hands out embedded-hal parts, its world side scripts
//! inputs ([`ButtonScript`]), hangs device models ([`I2cModel`], [`ByteModel`]) and injects faults
//! ([`I2cFault`], [`SimPortControl::unplug`]). [`write_vcd`] turns the recording into a waveform.
//!
//! Device models: [`ThermalPrinter`], an ESC/POS interpreter that prints onto a paper image with
//! a modelled receive buffer, print speed, paper-out and status replies; [`Adxl345Model`] and
//! [`Mpu6050Model`], accelerometer register maps that follow an [`OrientationScript`] with noise
//! and wobble; [`Projector`], the lamp's projector, which keeps the frames it receives and can be
//! unplugged; [`StepperDriverModel`], a step/dir driver chip that steps on STEP edges and checks
//! its datasheet timings.

mod accelerometer;
mod board;
mod clock;
mod i2c;
mod pin;
mod port;
mod printer;
mod projector;
mod pwm;
mod script;
mod stepper;
mod trace;
mod vcd;
mod wall_plotter;

pub use accelerometer::{
    AccelerationSource, Adxl345Model, Mpu6050Model, OrientationScript, Vector, Wobble,
};
pub use board::{SimBoard, SimError};
pub use clock::{Pace, Participant, VirtualClock};
pub use i2c::{
    I2cFault, I2cModel, I2cRecord, RegisterDevice, RegisterMemory, Registers, SimI2c, SimI2cBus,
    SimI2cError, Transfer,
};
pub use pin::{InputLine, OutputLine, SimInput, SimOutput};
pub use port::{
    ByteCapture, ByteModel, Direction, Link, PortRecord, SimPort, SimPortControl, SimPortError,
};
pub use printer::{
    PaperImage, PrintError, PrintedText, PrinterConfigError, ThermalPrinter, ThermalPrinterConfig,
};
pub use projector::{ProjectedFrame, Projector, ProjectorError};
pub use pwm::{PwmLine, ServoModel, SimPwm};
pub use script::{Bounce, ButtonScript};
pub use stepper::{CoilViolation, StepDirSpec, StepViolation, StepperDriverModel, Uln2003Model};
pub use trace::{Change, DEFAULT_WINDOW, Recorder, Signal, SignalId, SignalKind, Trace, Value};
pub use vcd::write_vcd;
pub use wall_plotter::{
    Frame, Ink, MotorModel, MotorWiring, PenWiring, PlotterWiring, SimPlotter, WorldError,
};

//! Atelier's shared hardware layer.
//!
//! A [`Board`] hands out pins, PWM channels, I2C buses and byte ports by BCM number and bus
//! number, as enum types ([`AnyOutput`], [`AnyInput`], [`AnyPwm`], [`AnyI2c`], [`AnyPort`]) that
//! implement the embedded-hal 1.0 and embedded-io traits by delegating to the backend, so a
//! machine's shell is the same code on every backend and no generic parameter leaks into it.
//!
//! | backend | what | built |
//! |---|---|---|
//! | `rpi` | rppal: memory-mapped GPIO, hardware PWM, I2C | feature `rpi`, Linux only |
//! | `cdev` | gpiocdev + linux-embedded-hal: any Linux board, the Pi 5 included | feature `cdev`, Linux only |
//! | `sim` | [`atelier_sim::SimBoard`]: virtual time, recordings, device models | always |
//!
//! # For driver authors
//! Do not depend on this crate: take the embedded-hal traits and [`atelier_hal`]'s clock.
//!
//! # For shell authors
//! Read the machine's config with `atelier_config`, open the board with [`Board::open`] (or
//! [`Board::sim`]), ask it for the parts the config names, hand them to the drivers. When a part
//! cannot be opened, the [`OpenError`] is one sentence naming the device node and the fix.

mod backend;
mod board;
#[cfg(cdev_backend)]
mod cdev;
mod clock;
mod gpio;
mod i2c;
mod open_error;
mod pins;
mod port;
mod pwm;
#[cfg(rpi_backend)]
mod rpi;
#[cfg(usb_backend)]
mod usb;

pub use backend::BackendKind;
pub use board::{Board, BoardConfig, PortOpener, open_port};
#[cfg(cdev_backend)]
pub use cdev::{CdevInput, CdevOutput, SysfsPwm};
pub use clock::AnyClock;
pub use gpio::{AnyInput, AnyOutput, GpioError};
pub use i2c::{AnyI2c, I2cError};
pub use open_error::{NodeKind, OpenError, check_node};
pub use pins::{Bcm, PinClash, Pull, check_distinct};
pub use port::{AnyPort, PortError, PortSpec};
pub use pwm::{AnyPwm, PwmError};
#[cfg(rpi_backend)]
pub use rpi::RpiInput;
#[cfg(usb_backend)]
pub use usb::UsbPrinter;

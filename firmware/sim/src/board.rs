//! The simulated board: where firmware handles and the simulated world meet, on one clock and
//! one recording.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_hal::Clock;

use crate::clock::VirtualClock;
use crate::i2c::{SimI2c, SimI2cBus};
use crate::pin::{InputLine, OutputLine, SimInput, SimOutput};
use crate::port::{ByteModel, Link, SimPort, SimPortControl};
use crate::pwm::{PwmLine, SimPwm};
use crate::trace::{Recorder, SignalKind, Trace};
use crate::vcd::write_vcd;

/// Why the simulated board refused to hand out a part.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The firmware asked twice for the same GPIO.
    #[error("GPIO {bcm} is already open as `{role}` on the simulated board")]
    AlreadyOpen {
        /// BCM number.
        bcm: u8,
        /// What it was opened as first.
        role: String,
    },
    /// The simulation drives a GPIO that the firmware wants to drive too.
    #[error("GPIO {bcm} is {wired} in the simulation, so the firmware cannot open it as {wanted}")]
    Miswired {
        /// BCM number.
        bcm: u8,
        /// How the simulation wired it.
        wired: &'static str,
        /// What the firmware asked for.
        wanted: &'static str,
    },
    /// No device is attached at the port the firmware opened.
    #[error("nothing is plugged into `{name}` on the simulated board (plugged in: {attached})")]
    NoSuchPort {
        /// The port asked for.
        name: String,
        /// The ports that exist, comma-separated.
        attached: String,
    },
}

#[derive(Debug)]
enum Line {
    Input(InputLine),
    Output(OutputLine),
}

#[derive(Debug, Default)]
struct Wiring {
    lines: BTreeMap<u8, Line>,
    roles: BTreeMap<u8, String>,
    buses: BTreeMap<u8, SimI2cBus>,
    ports: BTreeMap<String, SimPortControl>,
    pwm: BTreeMap<u8, PwmLine>,
}

/// A virtual Raspberry Pi: GPIO by BCM number, PWM channels, I2C buses and byte ports, all on
/// one [`VirtualClock`] and one [`Recorder`].
///
/// The firmware side (`output`, `input`, `pwm`, `i2c`, `open_port`) hands out embedded-hal
/// parts; the world side (`input_line`, `output_line`, `i2c_bus`, `attach_port`, `pwm_line`)
/// scripts inputs, hangs device models and watches what the firmware does. Cloning gives another
/// handle on the same board.
#[derive(Clone, Debug)]
pub struct SimBoard {
    clock: VirtualClock,
    recorder: Recorder,
    wiring: Arc<Mutex<Wiring>>,
}

impl SimBoard {
    /// A board on a fresh clock that runs as fast as possible.
    pub fn new() -> SimBoard {
        SimBoard::with_clock(VirtualClock::new())
    }

    /// A board on `clock`.
    pub fn with_clock(clock: VirtualClock) -> SimBoard {
        SimBoard::with_recorder(clock, Recorder::new())
    }

    /// A board on `clock` whose pins record into `recorder` (with a window of its own size).
    pub fn with_recorder(clock: VirtualClock, recorder: Recorder) -> SimBoard {
        SimBoard {
            clock,
            recorder,
            wiring: Arc::default(),
        }
    }

    fn wiring(&self) -> MutexGuard<'_, Wiring> {
        self.wiring.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The run's clock.
    pub fn clock(&self) -> VirtualClock {
        self.clock.clone()
    }

    /// The run's recorder.
    pub fn recorder(&self) -> Recorder {
        self.recorder.clone()
    }

    /// A copy of everything recorded so far.
    pub fn trace(&self) -> Trace {
        self.recorder.snapshot()
    }

    /// Writes the recording up to now as VCD.
    pub fn write_vcd(&self, out: &mut impl io::Write) -> io::Result<()> {
        write_vcd(&self.trace(), self.clock.now(), out)
    }

    /// Saves the recording up to now as a VCD file.
    pub fn save_vcd(&self, path: &Path) -> io::Result<()> {
        let mut out = io::BufWriter::new(std::fs::File::create(path)?);
        self.write_vcd(&mut out)?;
        io::Write::flush(&mut out)
    }

    /// The firmware's process ended (or starts again): every GPIO it opened may be opened
    /// again. The lines keep their levels and models, as on a real board.
    pub fn close_all(&self) {
        self.wiring().roles.clear();
    }

    fn claim(&self, wiring: &mut Wiring, bcm: u8, role: &str) -> Result<(), SimError> {
        if let Some(first) = wiring.roles.get(&bcm) {
            return Err(SimError::AlreadyOpen {
                bcm,
                role: first.clone(),
            });
        }
        wiring.roles.insert(bcm, role.to_owned());
        Ok(())
    }

    fn signal_name(bcm: u8, role: &str) -> String {
        if role.is_empty() {
            format!("gpio{bcm}")
        } else {
            format!("gpio{bcm}_{role}")
        }
    }

    /// Firmware side: GPIO `bcm` as an output, starting low.
    pub fn output(&self, bcm: u8, role: &str) -> Result<SimOutput, SimError> {
        let mut wiring = self.wiring();
        let line = match wiring.lines.get(&bcm) {
            Some(Line::Output(line)) => line.clone(),
            Some(Line::Input(_)) => {
                return Err(SimError::Miswired {
                    bcm,
                    wired: "driven as an input",
                    wanted: "an output",
                });
            }
            None => {
                let line = OutputLine::new(false);
                wiring.lines.insert(bcm, Line::Output(line.clone()));
                line
            }
        };
        self.claim(&mut wiring, bcm, role)?;
        let signal = self
            .recorder
            .add_signal(&Self::signal_name(bcm, role), SignalKind::Bit);
        Ok(SimOutput::new(
            line,
            self.clock.clone(),
            self.recorder.clone(),
            signal,
        ))
    }

    /// Firmware side: GPIO `bcm` as an input that reads `idle` while nothing drives it (the level
    /// its pull resistor gives).
    pub fn input(&self, bcm: u8, role: &str, idle: bool) -> Result<SimInput, SimError> {
        let mut wiring = self.wiring();
        let line = match wiring.lines.get(&bcm) {
            Some(Line::Input(line)) => {
                if !role.is_empty() {
                    self.recorder
                        .rename(line.signal(), &Self::signal_name(bcm, role));
                }
                line.clone()
            }
            Some(Line::Output(_)) => {
                return Err(SimError::Miswired {
                    bcm,
                    wired: "watched as an output",
                    wanted: "an input",
                });
            }
            None => {
                let line = self.new_input_line(bcm, role, idle);
                wiring.lines.insert(bcm, Line::Input(line.clone()));
                line
            }
        };
        self.claim(&mut wiring, bcm, role)?;
        Ok(SimInput::new(line))
    }

    fn new_input_line(&self, bcm: u8, role: &str, idle: bool) -> InputLine {
        let signal = self
            .recorder
            .add_signal(&Self::signal_name(bcm, role), SignalKind::Bit);
        InputLine::new(idle, self.clock.clone(), self.recorder.clone(), signal)
    }

    /// World side: the line the simulation drives into GPIO `bcm` (a button, an interrupt line).
    /// Created reading `idle` if the firmware has not opened it yet.
    ///
    /// # Panics
    /// When the firmware drives `bcm` as an output: that is a mistake in the test, not a fault
    /// of the firmware under test.
    pub fn input_line(&self, bcm: u8, idle: bool) -> InputLine {
        let mut wiring = self.wiring();
        match wiring.lines.get(&bcm) {
            Some(Line::Input(line)) => line.clone(),
            Some(Line::Output(_)) => {
                panic!("GPIO {bcm} is an output; the simulation cannot drive it")
            }
            None => {
                let line = self.new_input_line(bcm, "", idle);
                wiring.lines.insert(bcm, Line::Input(line.clone()));
                line
            }
        }
    }

    /// World side: the output the firmware drives on GPIO `bcm` (an LED, a STEP line), created
    /// low if the firmware has not opened it yet, so device models can listen from the start.
    ///
    /// # Panics
    /// When the simulation drives `bcm` as an input.
    pub fn output_line(&self, bcm: u8) -> OutputLine {
        let mut wiring = self.wiring();
        match wiring.lines.get(&bcm) {
            Some(Line::Output(line)) => line.clone(),
            Some(Line::Input(_)) => panic!("GPIO {bcm} is an input driven by the simulation"),
            None => {
                let line = OutputLine::new(false);
                wiring.lines.insert(bcm, Line::Output(line.clone()));
                line
            }
        }
    }

    /// Firmware side: PWM `channel` at a fixed `period`, off until a duty cycle is set.
    pub fn pwm(&self, channel: u8, period: Duration, role: &str) -> SimPwm {
        let name = if role.is_empty() {
            format!("pwm{channel}_us")
        } else {
            format!("pwm{channel}_{role}_us")
        };
        let signal = self.recorder.add_signal(
            &name,
            SignalKind::Real {
                unit: "us".to_owned(),
            },
        );
        let line = self.servo_line(channel, period);
        line.set_period(period);
        SimPwm::new(line, self.clock.clone(), self.recorder.clone(), signal)
    }

    /// World side: what PWM `channel` puts out, once the firmware opened it.
    pub fn pwm_line(&self, channel: u8) -> Option<PwmLine> {
        self.wiring().pwm.get(&channel).cloned()
    }

    /// World side: what PWM `channel` puts out, created silent (with `period` until the
    /// firmware sets its own) if the firmware has not opened it yet, so a servo model can
    /// listen from the start.
    pub fn servo_line(&self, channel: u8, period: Duration) -> PwmLine {
        self.wiring()
            .pwm
            .entry(channel)
            .or_insert_with(|| PwmLine::new(period))
            .clone()
    }

    /// World side: what a servo wired to GPIO `bcm` sees (pulses decoded from the line's edges,
    /// one every `period` expected), so a [`crate::ServoModel`] works on a software-pulsed pin
    /// as on a PWM channel.
    pub fn servo_on_pin(&self, bcm: u8, period: Duration) -> PwmLine {
        PwmLine::decoded_from(&self.output_line(bcm), period)
    }

    /// World side: I2C bus `number`, to hang device models on and inject faults.
    pub fn i2c_bus(&self, number: u8) -> SimI2cBus {
        self.wiring()
            .buses
            .entry(number)
            .or_insert_with(|| SimI2cBus::new(number, self.clock.clone()))
            .clone()
    }

    /// Firmware side: a controller on I2C bus `number`.
    pub fn i2c(&self, number: u8) -> SimI2c {
        self.i2c_bus(number).controller()
    }

    /// World side: plugs `device` into the port called `name` (a device path such as
    /// `/dev/usb/lp0`, or `host:port`), over `link`.
    pub fn attach_port(
        &self,
        name: &str,
        device: impl ByteModel + 'static,
        link: Link,
    ) -> SimPortControl {
        let control = SimPortControl::new(name, device, link, self.clock.clone());
        self.wiring().ports.insert(name.to_owned(), control.clone());
        control
    }

    /// Firmware side: opens the port called `name`.
    pub fn open_port(&self, name: &str) -> Result<SimPort, SimError> {
        let wiring = self.wiring();
        match wiring.ports.get(name) {
            Some(control) => Ok(control.open()),
            None => Err(SimError::NoSuchPort {
                name: name.to_owned(),
                attached: if wiring.ports.is_empty() {
                    "nothing".to_owned()
                } else {
                    wiring.ports.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            }),
        }
    }
}

impl Default for SimBoard {
    fn default() -> Self {
        Self::new()
    }
}

/// The time on the board's clock; shorthand for tests.
impl Clock for SimBoard {
    fn now(&self) -> atelier_hal::Instant {
        self.clock.now()
    }

    fn sleep_until(&self, deadline: atelier_hal::Instant) {
        self.clock.sleep_until(deadline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_opens_once_until_the_firmware_closes_everything() {
        let board = SimBoard::new();
        let led = board.output(4, "ready LED").expect("opens");
        assert!(matches!(
            board.output(4, "again"),
            Err(SimError::AlreadyOpen { bcm: 4, .. })
        ));
        drop(led);
        board.close_all();
        board.output(4, "ready LED").expect("opens again");
    }
}

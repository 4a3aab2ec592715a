//! The Linux backend: GPIO through the character device (gpiocdev, uAPI v2), I2C through i2c-dev
//! (linux-embedded-hal), PWM through sysfs. Works on any Linux board, the Pi 5 included.
//!
//! GPIO uses gpiocdev rather than linux-embedded-hal's `CdevPin`: the latter sits on the v1 uAPI,
//! which cannot set pull resistors, and offers no edge events through its embedded-hal types.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use atelier_hal::{Clock, Edge, Instant, MonotonicClock};
use gpiocdev::Request;
use gpiocdev::line::{Bias, EdgeDetection, EdgeKind, Value, Values};

use crate::gpio::GpioError;
use crate::open_error::{NodeKind, OpenError, check_node};
use crate::pins::{Bcm, Pull};
use crate::pwm::PwmError;

#[derive(Debug)]
pub(crate) struct CdevBoard {
    chip: PathBuf,
    clock: MonotonicClock,
}

fn request_error(error: gpiocdev::Error, chip: &Path, what: &str) -> OpenError {
    OpenError::Device {
        what: what.to_owned(),
        node: chip.to_owned(),
        detail: error.to_string(),
    }
}

impl CdevBoard {
    pub(crate) fn open(chip: &Path, clock: MonotonicClock) -> Result<CdevBoard, OpenError> {
        check_node(chip, NodeKind::GpioChip, "the GPIO chip")?;
        Ok(CdevBoard {
            chip: chip.to_owned(),
            clock,
        })
    }

    /// The lines `bcms` as outputs, starting low, in one request: [`CdevOutput::set_together`]
    /// then changes several of them in one call.
    pub(crate) fn outputs(&self, bcms: &[Bcm], what: &str) -> Result<Vec<CdevOutput>, OpenError> {
        let offsets: Vec<u32> = bcms.iter().map(|bcm| u32::from(bcm.number())).collect();
        let request = Request::builder()
            .on_chip(&self.chip)
            .with_consumer(format!("atelier {what}"))
            .with_lines(&offsets)
            .as_output(Value::Inactive)
            .request()
            .map_err(|e| request_error(e, &self.chip, what))?;
        let request = Arc::new(request);
        Ok(bcms
            .iter()
            .map(|bcm| CdevOutput {
                request: Arc::clone(&request),
                bcm: bcm.number(),
                level: false,
            })
            .collect())
    }

    pub(crate) fn input(&self, bcm: Bcm, pull: Pull, what: &str) -> Result<CdevInput, OpenError> {
        let bias = match pull {
            Pull::None => Bias::Disabled,
            Pull::Up => Bias::PullUp,
            Pull::Down => Bias::PullDown,
        };
        let request = Request::builder()
            .on_chip(&self.chip)
            .with_consumer(format!("atelier {what}"))
            .with_line(u32::from(bcm.number()))
            .as_input()
            .with_bias(bias)
            .with_edge_detection(EdgeDetection::BothEdges)
            .request()
            .map_err(|e| request_error(e, &self.chip, what))?;
        Ok(CdevInput {
            request,
            bcm: bcm.number(),
            clock: self.clock,
        })
    }

    pub(crate) fn i2c(&self, dev: &Path, bus: u8) -> Result<crate::AnyI2c, OpenError> {
        let node = dev.join(format!("i2c-{bus}"));
        check_node(&node, NodeKind::I2c, &format!("I2C bus {bus}"))?;
        let i2c = linux_embedded_hal::I2cdev::new(&node).map_err(|e| OpenError::Device {
            what: format!("I2C bus {bus}"),
            node: node.clone(),
            detail: e.to_string(),
        })?;
        Ok(crate::AnyI2c::Cdev { bus, i2c })
    }
}

/// An output through the GPIO character device, alone in its request or sharing it.
pub struct CdevOutput {
    request: Arc<Request>,
    bcm: u8,
    level: bool,
}

impl fmt::Debug for CdevOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CdevOutput(GPIO{}, {})", self.bcm, self.level)
    }
}

impl CdevOutput {
    fn set(&mut self, level: bool) -> Result<(), GpioError> {
        let value = if level {
            Value::Active
        } else {
            Value::Inactive
        };
        self.request
            .set_value(u32::from(self.bcm), value)
            .map_err(|e| GpioError {
                bcm: self.bcm,
                detail: e.to_string(),
            })?;
        self.level = level;
        Ok(())
    }

    pub(crate) fn set_low(&mut self) -> Result<(), GpioError> {
        self.set(false)
    }

    pub(crate) fn set_high(&mut self) -> Result<(), GpioError> {
        self.set(true)
    }

    pub(crate) fn is_set_high(&mut self) -> Result<bool, GpioError> {
        Ok(self.level)
    }

    /// Sets `pins` in one call when they share a request; `false` (nothing changed) otherwise.
    pub(crate) fn set_together(
        pins: &mut [&mut CdevOutput],
        high: bool,
    ) -> Result<bool, GpioError> {
        let Some(first) = pins.first() else {
            return Ok(true);
        };
        let request = Arc::clone(&first.request);
        if !pins.iter().all(|pin| Arc::ptr_eq(&pin.request, &request)) {
            return Ok(false);
        }
        let value = if high { Value::Active } else { Value::Inactive };
        let mut values = Values::default();
        for pin in pins.iter() {
            values.set(u32::from(pin.bcm), value);
        }
        request.set_values(&values).map_err(|e| GpioError {
            bcm: first.bcm,
            detail: e.to_string(),
        })?;
        for pin in pins.iter_mut() {
            pin.level = high;
        }
        Ok(true)
    }
}

/// An input through the GPIO character device, with the kernel's edge events.
pub struct CdevInput {
    request: Request,
    bcm: u8,
    clock: MonotonicClock,
}

impl fmt::Debug for CdevInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CdevInput(GPIO{})", self.bcm)
    }
}

impl CdevInput {
    fn error(&self, error: gpiocdev::Error) -> GpioError {
        GpioError {
            bcm: self.bcm,
            detail: error.to_string(),
        }
    }

    pub(crate) fn is_high(&mut self) -> Result<bool, GpioError> {
        let value = self
            .request
            .value(u32::from(self.bcm))
            .map_err(|e| self.error(e))?;
        Ok(value == Value::Active)
    }

    pub(crate) fn wait_for_edge(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<(Edge, Instant)>, GpioError> {
        let timeout = deadline - self.clock.now();
        if !self
            .request
            .wait_edge_event(timeout)
            .map_err(|e| self.error(e))?
        {
            return Ok(None);
        }
        let event = self.request.read_edge_event().map_err(|e| self.error(e))?;
        let edge = match event.kind {
            EdgeKind::Rising => Edge::Rising,
            EdgeKind::Falling => Edge::Falling,
        };
        Ok(Some((edge, self.clock.now())))
    }
}

/// A hardware PWM channel through `/sys/class/pwm`, for boards rppal does not drive.
#[derive(Debug)]
pub struct SysfsPwm {
    dir: PathBuf,
    channel: u8,
    period: Duration,
}

impl SysfsPwm {
    /// Exports `channel` of `chip` (e.g. `/sys/class/pwm/pwmchip0`) and enables it at `period`.
    pub(crate) fn open(
        chip: &Path,
        channel: u8,
        period: Duration,
        what: &str,
    ) -> Result<SysfsPwm, OpenError> {
        if !chip.exists() {
            return Err(OpenError::Missing {
                node: chip.to_owned(),
                kind: NodeKind::Pwm,
            });
        }
        let dir = chip.join(format!("pwm{channel}"));
        let io = |e: std::io::Error, node: &Path| OpenError::from_io(&e, node, NodeKind::Pwm, what);
        if !dir.exists() {
            let export = chip.join("export");
            std::fs::write(&export, channel.to_string()).map_err(|e| io(e, &export))?;
        }
        let pwm = SysfsPwm {
            dir,
            channel,
            period,
        };
        let write = |name: &str, value: String| {
            let node = pwm.dir.join(name);
            std::fs::write(&node, value).map_err(|e| io(e, &node))
        };
        // The kernel refuses a duty cycle longer than the period, so zero it first.
        write("duty_cycle", "0".to_owned())?;
        write("period", period.as_nanos().to_string())?;
        write("enable", "1".to_owned())?;
        Ok(pwm)
    }

    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    pub(crate) fn set_pulse_width(&mut self, width: Duration) -> Result<(), PwmError> {
        std::fs::write(self.dir.join("duty_cycle"), width.as_nanos().to_string()).map_err(|e| {
            PwmError {
                channel: self.channel,
                detail: e.to_string(),
            }
        })
    }
}

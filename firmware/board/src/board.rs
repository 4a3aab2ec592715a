//! One board, three backends, chosen at run time.

use std::path::PathBuf;
use std::time::Duration;

#[cfg(any(rpi_backend, cdev_backend))]
use atelier_hal::MonotonicClock;
use atelier_sim::SimBoard;
use serde::{Deserialize, Serialize};

#[cfg(cdev_backend)]
use crate::cdev::{CdevBoard, SysfsPwm};
#[cfg(rpi_backend)]
use crate::rpi::RpiBoard;
use crate::{
    AnyClock, AnyI2c, AnyInput, AnyOutput, AnyPort, AnyPwm, BackendKind, Bcm, OpenError, PortSpec,
    Pull,
};

/// The `[board]` table of a machine's config.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BoardConfig {
    /// Which backend drives the pins (`--board` overrides it).
    #[serde(default = "BoardConfig::default_backend")]
    pub backend: BackendKind,
    /// The GPIO character device of the `cdev` backend. Pi 1–4 and a Pi 5 on a current kernel:
    /// `/dev/gpiochip0`; a Pi 5 on a kernel before 6.6.45: `/dev/gpiochip4`.
    #[serde(default = "BoardConfig::default_gpio_chip")]
    pub gpio_chip: PathBuf,
    /// Where device nodes live; only tests change it.
    #[serde(default = "BoardConfig::default_dev")]
    pub dev_dir: PathBuf,
    /// Where the kernel's sysfs is; only tests change it.
    #[serde(default = "BoardConfig::default_sys")]
    pub sys_dir: PathBuf,
    /// The sysfs PWM chip used for hardware PWM.
    #[serde(default)]
    pub pwm_chip: u8,
}

impl BoardConfig {
    fn default_backend() -> BackendKind {
        BackendKind::Rpi
    }
    fn default_gpio_chip() -> PathBuf {
        "/dev/gpiochip0".into()
    }
    fn default_dev() -> PathBuf {
        "/dev".into()
    }
    fn default_sys() -> PathBuf {
        "/sys".into()
    }

    /// The defaults, on the given backend.
    pub fn with_backend(backend: BackendKind) -> BoardConfig {
        BoardConfig {
            backend,
            ..BoardConfig::default()
        }
    }
}

impl Default for BoardConfig {
    fn default() -> Self {
        BoardConfig {
            backend: Self::default_backend(),
            gpio_chip: Self::default_gpio_chip(),
            dev_dir: Self::default_dev(),
            sys_dir: Self::default_sys(),
            pwm_chip: 0,
        }
    }
}

/// A board: hands out pins, PWM channels, I2C buses and ports by number, from whichever backend
/// it was opened on, as the `Any*` types so that a shell's code is the same on every backend.
#[derive(Debug)]
pub struct Board {
    backend: Backend,
    config: BoardConfig,
}

#[derive(Debug)]
enum Backend {
    Sim(SimBoard),
    #[cfg(rpi_backend)]
    Rpi(RpiBoard),
    #[cfg(cdev_backend)]
    Cdev(CdevBoard),
}

/// "GPIO17 (button)": how errors and logs name a part.
fn describe(bcm: Bcm, role: &str) -> String {
    format!("{bcm} ({role})")
}

impl Board {
    /// Opens the real board `config` names. A simulated board is made with [`Board::sim`], since
    /// the simulation around it (scripts, device models) belongs to the caller.
    pub fn open(config: &BoardConfig) -> Result<Board, OpenError> {
        let backend = match config.backend {
            BackendKind::Sim => {
                return Err(OpenError::Unsupported(
                    "the simulated board is made with Board::sim, not opened from a config"
                        .to_owned(),
                ));
            }
            BackendKind::Rpi => open_rpi(config)?,
            BackendKind::Cdev => open_cdev(config)?,
        };
        tracing::info!(backend = %config.backend, "board opened");
        Ok(Board {
            backend,
            config: config.clone(),
        })
    }

    /// A board on the simulator; keep a clone of `sim` to script and watch it.
    pub fn sim(sim: SimBoard) -> Board {
        Board {
            backend: Backend::Sim(sim),
            config: BoardConfig::with_backend(BackendKind::Sim),
        }
    }

    /// Which backend this board runs on.
    pub fn backend(&self) -> BackendKind {
        match self.backend {
            Backend::Sim(_) => BackendKind::Sim,
            #[cfg(rpi_backend)]
            Backend::Rpi(_) => BackendKind::Rpi,
            #[cfg(cdev_backend)]
            Backend::Cdev(_) => BackendKind::Cdev,
        }
    }

    /// The run's clock: monotonic on hardware, virtual on the simulator.
    pub fn clock(&self) -> AnyClock {
        match &self.backend {
            Backend::Sim(sim) => AnyClock::Virtual(sim.clock()),
            #[cfg(rpi_backend)]
            Backend::Rpi(_) => AnyClock::Monotonic(MonotonicClock::new()),
            #[cfg(cdev_backend)]
            Backend::Cdev(_) => AnyClock::Monotonic(MonotonicClock::new()),
        }
    }

    /// GPIO `bcm` as an output, starting low. `role` names it in logs, errors and recordings.
    pub fn output(&mut self, bcm: Bcm, role: &str) -> Result<AnyOutput, OpenError> {
        tracing::debug!(pin = %bcm, role, "output");
        let _what = describe(bcm, role);
        Ok(match &self.backend {
            Backend::Sim(sim) => AnyOutput::Sim(sim.output(bcm.number(), role)?),
            #[cfg(rpi_backend)]
            Backend::Rpi(rpi) => AnyOutput::Rpi(rpi.output(bcm, &_what)?),
            #[cfg(cdev_backend)]
            Backend::Cdev(cdev) => {
                let mut lone = cdev.outputs(&[bcm], &_what)?;
                AnyOutput::Cdev(lone.remove(0))
            }
        })
    }

    /// Several GPIOs as outputs, starting low, that [`atelier_hal::SetTogether`] can change in
    /// one write where the backend allows (the GPIO character device: one request holds them
    /// all); elsewhere the same as [`Board::output`] for each.
    pub fn outputs_together(&mut self, pins: &[(Bcm, &str)]) -> Result<Vec<AnyOutput>, OpenError> {
        #[cfg(cdev_backend)]
        if let Backend::Cdev(cdev) = &self.backend {
            let bcms: Vec<Bcm> = pins.iter().map(|(bcm, _)| *bcm).collect();
            let what = pins
                .iter()
                .map(|(bcm, role)| describe(*bcm, role))
                .collect::<Vec<_>>()
                .join(" + ");
            tracing::debug!(%what, "outputs in one request");
            return Ok(cdev
                .outputs(&bcms, &what)?
                .into_iter()
                .map(AnyOutput::Cdev)
                .collect());
        }
        pins.iter()
            .map(|(bcm, role)| self.output(*bcm, role))
            .collect()
    }

    /// GPIO `bcm` as an input with the given pull resistor, able to wait for edges.
    pub fn input(&mut self, bcm: Bcm, pull: Pull, role: &str) -> Result<AnyInput, OpenError> {
        tracing::debug!(pin = %bcm, role, ?pull, "input");
        let _what = describe(bcm, role);
        Ok(match &self.backend {
            Backend::Sim(sim) => AnyInput::Sim(sim.input(bcm.number(), role, pull.idle_level())?),
            #[cfg(rpi_backend)]
            Backend::Rpi(rpi) => AnyInput::Rpi(rpi.input(bcm, pull, &_what)?),
            #[cfg(cdev_backend)]
            Backend::Cdev(cdev) => AnyInput::Cdev(cdev.input(bcm, pull, &_what)?),
        })
    }

    /// Hardware PWM `channel` at a fixed `period` (20 ms for hobby servos), output off.
    pub fn pwm(&mut self, channel: u8, period: Duration, role: &str) -> Result<AnyPwm, OpenError> {
        tracing::debug!(channel, role, ?period, "pwm");
        let _what = format!("PWM channel {channel} ({role})");
        let _chip = self
            .config
            .sys_dir
            .join(format!("class/pwm/pwmchip{}", self.config.pwm_chip));
        match &self.backend {
            Backend::Sim(sim) => Ok(AnyPwm::Sim(sim.pwm(channel, period, role))),
            #[cfg(rpi_backend)]
            Backend::Rpi(rpi) => rpi.pwm(channel, period, &_what),
            #[cfg(cdev_backend)]
            Backend::Cdev(_) => Ok(AnyPwm::Sysfs(SysfsPwm::open(
                &_chip, channel, period, &_what,
            )?)),
        }
    }

    /// I2C bus `number` (`/dev/i2c-1` is the header's SDA/SCL on every Pi).
    pub fn i2c(&mut self, number: u8) -> Result<AnyI2c, OpenError> {
        tracing::debug!(bus = number, "i2c");
        match &self.backend {
            Backend::Sim(sim) => Ok(AnyI2c::Sim(sim.i2c(number))),
            #[cfg(rpi_backend)]
            Backend::Rpi(rpi) => rpi.i2c(&self.config.dev_dir, number),
            #[cfg(cdev_backend)]
            Backend::Cdev(cdev) => cdev.i2c(&self.config.dev_dir, number),
        }
    }

    /// The byte-stream port `spec` names. On the simulator, the port plugged in under the same
    /// name (see [`SimBoard::attach_port`]); elsewhere the real device, file or connection.
    pub fn port(&mut self, spec: &PortSpec) -> Result<AnyPort, OpenError> {
        tracing::debug!(%spec, "port");
        match &self.backend {
            Backend::Sim(sim) => Ok(AnyPort::Sim(sim.open_port(&spec.to_string())?)),
            #[cfg(any(rpi_backend, cdev_backend))]
            _ => open_port(spec),
        }
    }
}

#[cfg(rpi_backend)]
fn open_rpi(config: &BoardConfig) -> Result<Backend, OpenError> {
    Ok(Backend::Rpi(RpiBoard::open(
        &config.dev_dir,
        MonotonicClock::new(),
    )?))
}

#[cfg(not(rpi_backend))]
fn open_rpi(_config: &BoardConfig) -> Result<Backend, OpenError> {
    Err(OpenError::NotBuilt {
        backend: BackendKind::Rpi,
    })
}

#[cfg(cdev_backend)]
fn open_cdev(config: &BoardConfig) -> Result<Backend, OpenError> {
    Ok(Backend::Cdev(CdevBoard::open(
        &config.gpio_chip,
        MonotonicClock::new(),
    )?))
}

#[cfg(not(cdev_backend))]
fn open_cdev(_config: &BoardConfig) -> Result<Backend, OpenError> {
    Err(OpenError::NotBuilt {
        backend: BackendKind::Cdev,
    })
}

/// Opens the port a spec names, as often as asked: a daemon reopens its printer after it was
/// unplugged. It can move to the thread that prints.
#[derive(Clone, Debug)]
pub struct PortOpener {
    spec: PortSpec,
    sim: Option<SimBoard>,
}

impl PortOpener {
    /// Opens the port (again).
    pub fn open(&self) -> Result<AnyPort, OpenError> {
        match &self.sim {
            Some(sim) => Ok(AnyPort::Sim(sim.open_port(&self.spec.to_string())?)),
            None => open_port(&self.spec),
        }
    }

    /// The port it opens.
    pub fn spec(&self) -> &PortSpec {
        &self.spec
    }
}

impl Board {
    /// Something that opens the port `spec` names whenever asked, on this board.
    pub fn port_opener(&self, spec: &PortSpec) -> PortOpener {
        PortOpener {
            spec: spec.clone(),
            sim: match &self.backend {
                Backend::Sim(sim) => Some(sim.clone()),
                #[cfg(any(rpi_backend, cdev_backend))]
                _ => None,
            },
        }
    }
}

/// Opens a real byte-stream port: a device file, a plain file, a TCP connection or (in builds
/// with serial support) a serial port. Needs no board: a printer is not a GPIO.
pub fn open_port(spec: &PortSpec) -> Result<AnyPort, OpenError> {
    use crate::open_error::NodeKind;
    let what = spec.to_string();
    match spec {
        PortSpec::Device(path) => {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(path)
                .map_err(|e| OpenError::from_io(&e, path, NodeKind::UsbPrinter, &what))?;
            Ok(AnyPort::File { spec: what, file })
        }
        PortSpec::File(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| OpenError::Device {
                    what: "output file".to_owned(),
                    node: path.clone(),
                    detail: e.to_string(),
                })?;
            Ok(AnyPort::File { spec: what, file })
        }
        PortSpec::Tcp(addr) => {
            let stream =
                connect_tcp(addr, TCP_CONNECT_TIMEOUT, TCP_WRITE_TIMEOUT).map_err(|e| {
                    OpenError::Device {
                        what: "network printer".to_owned(),
                        node: PathBuf::from(addr),
                        detail: e.to_string(),
                    }
                })?;
            Ok(AnyPort::Tcp { spec: what, stream })
        }
        PortSpec::Serial { path, baud } => open_serial(path, *baud, what),
        PortSpec::Usb { vendor, product } => open_usb(*vendor, *product, &what),
    }
}

/// How long a network printer may take to accept the connection.
const TCP_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one write may wait for a network printer to take bytes: it stops reading while
/// its buffer is full and the head prints, so this is long, but a printer that went away
/// must not hang the robot.
const TCP_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connects to `addr` (every address it resolves to, in turn) with every I/O bounded: status
/// replies come back at once or not at all, so reads wait at most 500 ms.
fn connect_tcp(
    addr: &str,
    connect_timeout: Duration,
    write_timeout: Duration,
) -> std::io::Result<std::net::TcpStream> {
    use std::net::ToSocketAddrs as _;
    let mut last_error = None;
    for candidate in addr.to_socket_addrs()? {
        match std::net::TcpStream::connect_timeout(&candidate, connect_timeout) {
            Ok(stream) => {
                stream.set_read_timeout(Some(Duration::from_millis(500)))?;
                stream.set_write_timeout(Some(write_timeout))?;
                return Ok(stream);
            }
            Err(error) => last_error = Some(error),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("{addr} resolves to no address"),
        )
    }))
}

#[cfg(serial_backend)]
fn open_serial(path: &std::path::Path, baud: u32, spec: String) -> Result<AnyPort, OpenError> {
    use crate::open_error::{NodeKind, check_node};
    check_node(path, NodeKind::Serial, &spec)?;
    let port = serialport::new(path.to_string_lossy(), baud)
        .timeout(Duration::from_millis(500))
        .open()
        .map_err(|e| OpenError::Device {
            what: "serial port".to_owned(),
            node: path.to_owned(),
            detail: e.to_string(),
        })?;
    Ok(AnyPort::Serial { spec, port })
}

#[cfg(usb_backend)]
fn open_usb(vendor: u16, product: u16, spec: &str) -> Result<AnyPort, OpenError> {
    crate::usb::open(vendor, product, spec).map(|printer| AnyPort::Usb(Box::new(printer)))
}

#[cfg(not(usb_backend))]
fn open_usb(_vendor: u16, _product: u16, spec: &str) -> Result<AnyPort, OpenError> {
    Err(OpenError::Unsupported(format!(
        "{spec}: this build has no direct USB support; rebuild for Linux with `--features usb`, \
         or use the kernel's /dev/usb/lp0"
    )))
}

#[cfg(not(serial_backend))]
fn open_serial(path: &std::path::Path, _baud: u32, _spec: String) -> Result<AnyPort, OpenError> {
    Err(OpenError::Unsupported(format!(
        "serial port {}: this build has no serial support; rebuild for Linux with `--features rpi` or `--features cdev`",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_hal::SetTogether;
    use std::io::Write as _;

    #[test]
    fn outputs_opened_together_change_in_one_write_and_only_as_a_pair() {
        let sim = atelier_sim::SimBoard::new();
        let mut board = Board::sim(sim.clone());
        let pin = |n| Bcm::new(n).expect("pin");
        let [mut a, mut b]: [AnyOutput; 2] = board
            .outputs_together(&[(pin(5), "left step"), (pin(13), "right step")])
            .expect("free pins")
            .try_into()
            .expect("two");
        let (line_a, line_b) = (sim.output_line(5), sim.output_line(13));
        atelier_hal::Clock::sleep(&sim.clock(), Duration::from_millis(1));
        assert!(AnyOutput::set_together(&mut [&mut a, &mut b], true).expect("sim"));
        assert!(line_a.level() && line_b.level());
        assert_eq!(line_a.changed_at(), line_b.changed_at());
        // A single pin, or three, is not a pair: nothing changes, the caller writes pin by pin.
        assert!(!AnyOutput::set_together(&mut [&mut a], false).expect("sim"));
        assert!(line_a.level());
        // The pins are claimed like any other output.
        assert!(board.output(pin(5), "again").is_err());
    }

    #[test]
    fn a_network_printer_that_stops_reading_times_out_instead_of_hanging() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("loopback");
        let addr = listener.local_addr().expect("address").to_string();
        let mut stream = connect_tcp(&addr, Duration::from_secs(2), Duration::from_millis(200))
            .expect("connects");
        // Accepted, then never read: the socket buffers fill and the write must give up.
        let (_held, _) = listener.accept().expect("accept");
        let chunk = vec![0u8; 1 << 16];
        let started = std::time::Instant::now();
        let error = loop {
            if let Err(error) = stream.write_all(&chunk) {
                break error;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "64 KiB writes never blocked"
            );
        };
        assert!(
            matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{error}"
        );
    }

    #[test]
    fn a_closed_port_is_refused_with_the_address_named() {
        // Bound, then dropped: nothing listens there now.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("loopback")
            .to_string();
        let error = open_port(&PortSpec::Tcp(addr.clone()))
            .expect_err("nothing listens")
            .to_string();
        assert!(error.contains(&addr), "{error}");
    }
}

//! Byte-stream ports (printers): where they are, and one type for any of them.

use std::fmt;
use std::io;
use std::net::TcpStream;
use std::path::PathBuf;
use std::str::FromStr;

use atelier_sim::SimPort;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write};
use serde::{Deserialize, Deserializer};

/// Where a byte-stream device is, as written in a config file.
///
/// | written as | meaning |
/// |---|---|
/// | `/dev/usb/lp0` | a USB printer-class device file |
/// | `serial:/dev/serial0@19200` | a serial port at a baud rate |
/// | `tcp:192.168.1.40:9100` | a network printer (raw port 9100) |
/// | `file:out/printer.bin` | a file that collects the bytes |
/// | `usb:0416:5011` | a USB printer by vendor:product id (hex), driven directly |
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortSpec {
    /// A device file such as `/dev/usb/lp0`.
    Device(PathBuf),
    /// A serial port.
    Serial {
        /// The device, such as `/dev/serial0`.
        path: PathBuf,
        /// Bits per second.
        baud: u32,
    },
    /// A TCP endpoint, `host:port`.
    Tcp(String),
    /// A file that collects the bytes.
    File(PathBuf),
    /// A USB printer driven over its bulk endpoints, found by its ids.
    Usb {
        /// Vendor id.
        vendor: u16,
        /// Product id.
        product: u16,
    },
}

const PORT_FORMS: &str = "use `/dev/usb/lp0`, `serial:/dev/serial0@19200`, `tcp:HOST:9100`, \
                          `file:PATH` or `usb:VENDOR:PRODUCT` (hex ids from `lsusb`)";

impl FromStr for PortSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(rest) = s.strip_prefix("serial:") {
            let (path, baud) = rest
                .rsplit_once('@')
                .ok_or_else(|| format!("serial port `{s}` has no baud rate: {PORT_FORMS}"))?;
            let baud = baud.parse().map_err(|_| {
                format!("serial port `{s}`: baud rate `{baud}` is not a number: {PORT_FORMS}")
            })?;
            Ok(PortSpec::Serial {
                path: path.into(),
                baud,
            })
        } else if let Some(addr) = s.strip_prefix("tcp:") {
            match addr.rsplit_once(':') {
                Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                    Ok(PortSpec::Tcp(addr.to_owned()))
                }
                _ => Err(format!("network port `{s}` needs HOST:PORT: {PORT_FORMS}")),
            }
        } else if let Some(ids) = s.strip_prefix("usb:") {
            let hex = |id: &str| u16::from_str_radix(id, 16).ok().filter(|_| id.len() == 4);
            match ids.split_once(':') {
                Some((vendor, product)) => match (hex(vendor), hex(product)) {
                    (Some(vendor), Some(product)) => Ok(PortSpec::Usb { vendor, product }),
                    _ => Err(format!(
                        "USB port `{s}` needs two 4-digit hex ids: {PORT_FORMS}"
                    )),
                },
                None => Err(format!("USB port `{s}` needs VENDOR:PRODUCT: {PORT_FORMS}")),
            }
        } else if let Some(path) = s.strip_prefix("file:") {
            Ok(PortSpec::File(path.into()))
        } else if s.starts_with('/') {
            Ok(PortSpec::Device(s.into()))
        } else {
            Err(format!("unknown port `{s}`: {PORT_FORMS}"))
        }
    }
}

impl PortSpec {
    /// Whether the device at the other end can be asked something (a status query) and its
    /// answer read without risk of blocking forever: serial ports, TCP and direct USB have read
    /// timeouts; a device file such as `/dev/usb/lp0` may block on read, and a file has nobody
    /// to answer.
    pub fn answers(&self) -> bool {
        !matches!(self, PortSpec::Device(_) | PortSpec::File(_))
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortSpec::Device(path) => write!(f, "{}", path.display()),
            PortSpec::Serial { path, baud } => write!(f, "serial:{}@{baud}", path.display()),
            PortSpec::Tcp(addr) => write!(f, "tcp:{addr}"),
            PortSpec::File(path) => write!(f, "file:{}", path.display()),
            PortSpec::Usb { vendor, product } => write!(f, "usb:{vendor:04x}:{product:04x}"),
        }
    }
}

impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// A byte-stream port failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{port}: {detail}")]
pub struct PortError {
    /// The port, as its spec is written.
    pub port: String,
    /// The embedded-io classification (`NotConnected` when unplugged, `TimedOut`, …).
    pub kind: ErrorKind,
    /// The backend's own words.
    pub detail: String,
}

impl embedded_io::Error for PortError {
    fn kind(&self) -> ErrorKind {
        self.kind
    }
}

/// A byte-stream port of any kind.
pub enum AnyPort {
    /// On the simulated board.
    Sim(SimPort),
    /// A device file or a plain file.
    File {
        /// The spec it was opened from.
        spec: String,
        /// The file.
        file: std::fs::File,
    },
    /// A TCP connection.
    Tcp {
        /// The spec it was opened from.
        spec: String,
        /// The connection.
        stream: TcpStream,
    },
    /// A USB printer on its bulk endpoints.
    #[cfg(usb_backend)]
    Usb(Box<crate::usb::UsbPrinter>),
    /// A serial port.
    #[cfg(serial_backend)]
    Serial {
        /// The spec it was opened from.
        spec: String,
        /// The port.
        port: Box<dyn serialport::SerialPort>,
    },
}

impl fmt::Debug for AnyPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyPort::Sim(port) => f.debug_tuple("Sim").field(port).finish(),
            AnyPort::File { spec, .. } | AnyPort::Tcp { spec, .. } => write!(f, "AnyPort({spec})"),
            #[cfg(serial_backend)]
            AnyPort::Serial { spec, .. } => write!(f, "AnyPort({spec})"),
            #[cfg(usb_backend)]
            AnyPort::Usb(printer) => write!(f, "AnyPort({})", printer.spec()),
        }
    }
}

impl AnyPort {
    fn io_error(&self, error: io::Error) -> PortError {
        let port = match self {
            AnyPort::Sim(_) => "simulated port".to_owned(),
            AnyPort::File { spec, .. } | AnyPort::Tcp { spec, .. } => spec.clone(),
            #[cfg(serial_backend)]
            AnyPort::Serial { spec, .. } => spec.clone(),
            #[cfg(usb_backend)]
            AnyPort::Usb(printer) => printer.spec().to_owned(),
        };
        PortError {
            port,
            kind: error.kind().into(),
            detail: error.to_string(),
        }
    }

    fn with_io<T>(
        &mut self,
        op: impl FnOnce(&mut dyn IoPort) -> io::Result<T>,
    ) -> Result<T, PortError> {
        let result = match self {
            AnyPort::Sim(_) => unreachable!("simulated ports are handled by the caller"),
            AnyPort::File { file, .. } => op(file),
            AnyPort::Tcp { stream, .. } => op(stream),
            #[cfg(serial_backend)]
            AnyPort::Serial { port, .. } => op(port),
            #[cfg(usb_backend)]
            AnyPort::Usb(printer) => op(printer),
        };
        result.map_err(|e| self.io_error(e))
    }
}

/// std's Read + Write, as one object-safe trait.
trait IoPort: io::Read + io::Write {}
impl<T: io::Read + io::Write + ?Sized> IoPort for T {}

fn sim_error(error: atelier_sim::SimPortError) -> PortError {
    PortError {
        detail: format!("{:?}", error.kind),
        port: error.port,
        kind: error.kind,
    }
}

impl ErrorType for AnyPort {
    type Error = PortError;
}

impl Write for AnyPort {
    fn write(&mut self, buf: &[u8]) -> Result<usize, PortError> {
        match self {
            AnyPort::Sim(port) => port.write(buf).map_err(sim_error),
            _ => self.with_io(|io| io.write(buf)),
        }
    }

    fn flush(&mut self) -> Result<(), PortError> {
        match self {
            AnyPort::Sim(port) => port.flush().map_err(sim_error),
            _ => self.with_io(|io| io.flush()),
        }
    }
}

impl Read for AnyPort {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, PortError> {
        match self {
            AnyPort::Sim(port) => port.read(buf).map_err(sim_error),
            _ => self.with_io(|io| io.read(buf)),
        }
    }
}

/// Whether bytes wait to be read, without waiting for any: what a driver needs to throw away
/// stale replies before it asks a question (a printer answers status requests that happen to
/// appear inside picture data, too).
impl ReadReady for AnyPort {
    fn read_ready(&mut self) -> Result<bool, PortError> {
        match self {
            AnyPort::Sim(port) => port.read_ready().map_err(sim_error),
            // A device file (`/dev/usb/lp0`) or a plain file answers nothing.
            AnyPort::File { .. } => Ok(false),
            AnyPort::Tcp { stream, .. } => {
                let stream = stream.try_clone().map_err(|e| self.io_error(e))?;
                let peeked = stream
                    .set_nonblocking(true)
                    .and_then(|()| stream.peek(&mut [0u8; 1]));
                let restored = stream.set_nonblocking(false);
                match peeked {
                    Ok(n) => restored.map(|()| n > 0).map_err(|e| self.io_error(e)),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        restored.map(|()| false).map_err(|e| self.io_error(e))
                    }
                    Err(e) => Err(self.io_error(e)),
                }
            }
            #[cfg(serial_backend)]
            AnyPort::Serial { port, .. } => port
                .bytes_to_read()
                .map(|n| n > 0)
                .map_err(|e| self.io_error(io::Error::other(e))),
            // nusb reads the IN endpoint only when asked, with a timeout: no cheap look. Stale
            // replies on a direct USB link are not thrown away (said in hardware/comic.md).
            #[cfg(usb_backend)]
            AnyPort::Usb(_) => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_form_parses_and_prints_back() {
        for text in [
            "/dev/usb/lp0",
            "serial:/dev/serial0@19200",
            "tcp:printer.local:9100",
            "file:out.bin",
            "usb:0416:5011",
        ] {
            let spec: PortSpec = text.parse().expect(text);
            assert_eq!(spec.to_string(), text);
        }
    }

    #[test]
    fn malformed_ports_say_what_is_accepted() {
        for bad in [
            "serial:/dev/ttyS0",
            "serial:/dev/ttyS0@fast",
            "tcp:printer",
            "lp0",
            "usb:0416",
            "usb:416:5011",
            "usb:zzzz:5011",
        ] {
            let error = bad.parse::<PortSpec>().expect_err(bad);
            assert!(error.contains(bad), "{error}");
            assert!(error.contains("tcp:HOST:9100"), "{error}");
        }
    }
}

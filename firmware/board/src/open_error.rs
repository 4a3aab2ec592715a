//! Why a board or one of its parts could not be opened, in one sentence with the fix.
//!
//! # Troubleshooting
//! | message names | usual cause | fix |
//! |---|---|---|
//! | `/dev/gpiomem` | not a Raspberry Pi, or not in group `gpio` | `--board cdev` elsewhere; `sudo usermod -aG gpio $USER` |
//! | `/dev/gpiochipN` | no GPIO character device, or not in group `gpio` | `gpio_chip` in the config; the `gpio` group |
//! | `/dev/i2c-N` | I2C is switched off | `sudo raspi-config nonint do_i2c 0`, or `dtparam=i2c_arm=on` |
//! | `/sys/class/pwm/pwmchipN` | hardware PWM overlay missing | `dtoverlay=pwm-2chan` in `/boot/firmware/config.txt` |
//! | a serial port | cable, UART disabled, or not in group `dialout` | `raspi-config nonint do_serial_hw 0`; the `dialout` group |

use std::io;
use std::path::{Path, PathBuf};

use atelier_sim::SimError;

use crate::BackendKind;

/// What kind of device node a check is about; each has its own fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// The Pi's memory-mapped GPIO (`/dev/gpiomem`, `/dev/gpiomem0` on a Pi 5).
    GpioMem,
    /// A GPIO character device (`/dev/gpiochipN`).
    GpioChip,
    /// An I2C bus (`/dev/i2c-N`).
    I2c,
    /// A hardware PWM chip in sysfs.
    Pwm,
    /// A serial port.
    Serial,
    /// A USB printer-class device (`/dev/usb/lpN`).
    UsbPrinter,
}

impl NodeKind {
    fn when_missing(self) -> &'static str {
        match self {
            NodeKind::GpioMem => {
                "this is not a Raspberry Pi (or its GPIO driver is not loaded); on another Linux \
                 board use `--board cdev`, on a desktop `--board sim`"
            }
            NodeKind::GpioChip => {
                "the kernel offers no GPIO character device here; set `gpio_chip` in the config to \
                 one listed by `ls /dev/gpiochip*`, or use `--board sim` on a desktop"
            }
            NodeKind::I2c => {
                "I2C is switched off; run `sudo raspi-config nonint do_i2c 0` (or add \
                 `dtparam=i2c_arm=on` to /boot/firmware/config.txt) and reboot"
            }
            NodeKind::Pwm => {
                "hardware PWM is switched off; add `dtoverlay=pwm-2chan` to \
                 /boot/firmware/config.txt and reboot"
            }
            NodeKind::Serial => {
                "check the cable and `ls /dev/serial* /dev/ttyUSB* /dev/ttyACM*`; for the Pi's own \
                 UART run `sudo raspi-config nonint do_serial_hw 0` and reboot"
            }
            NodeKind::UsbPrinter => {
                "the printer is not plugged in or not switched on; `ls /dev/usb/` shows it once it is"
            }
        }
    }

    fn when_denied(self) -> &'static str {
        match self {
            NodeKind::GpioMem | NodeKind::GpioChip | NodeKind::Pwm => {
                "add the user to the `gpio` group (`sudo usermod -aG gpio $USER`) and log in again"
            }
            NodeKind::I2c => {
                "add the user to the `i2c` group (`sudo usermod -aG i2c $USER`) and log in again"
            }
            NodeKind::Serial => {
                "add the user to the `dialout` group (`sudo usermod -aG dialout $USER`) and log in again"
            }
            NodeKind::UsbPrinter => {
                "add the user to the `lp` group (`sudo usermod -aG lp $USER`) and log in again"
            }
        }
    }
}

/// Why a board or a part of it could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The backend was left out of this build.
    #[error(
        "this build has no `{backend}` backend: rebuild for Linux with `--features {backend}`, or \
         use `--board sim`"
    )]
    NotBuilt {
        /// The backend asked for.
        backend: BackendKind,
    },
    /// A device node does not exist.
    #[error("{} does not exist: {}", node.display(), kind.when_missing())]
    Missing {
        /// The node.
        node: PathBuf,
        /// What it is.
        kind: NodeKind,
    },
    /// A device node exists but may not be opened by this user.
    #[error("permission denied on {}: {}", node.display(), kind.when_denied())]
    PermissionDenied {
        /// The node.
        node: PathBuf,
        /// What it is.
        kind: NodeKind,
    },
    /// The device was there but opening it failed.
    #[error("{what} ({}) could not be opened: {detail}", node.display())]
    Device {
        /// What was being opened, such as "GPIO17 (button)".
        what: String,
        /// The node.
        node: PathBuf,
        /// The backend's own words.
        detail: String,
    },
    /// A part was asked for that this backend or board cannot give.
    #[error("{0}")]
    Unsupported(String),
    /// The simulated board refused.
    #[error(transparent)]
    Sim(#[from] SimError),
}

impl OpenError {
    /// The error for an I/O failure while opening `node`.
    pub fn from_io(error: &io::Error, node: &Path, kind: NodeKind, what: &str) -> OpenError {
        match error.kind() {
            io::ErrorKind::NotFound => OpenError::Missing {
                node: node.to_owned(),
                kind,
            },
            io::ErrorKind::PermissionDenied => OpenError::PermissionDenied {
                node: node.to_owned(),
                kind,
            },
            _ => OpenError::Device {
                what: what.to_owned(),
                node: node.to_owned(),
                detail: error.to_string(),
            },
        }
    }
}

/// Opens `node` for reading and writing and closes it again, to turn "it will not work" into one
/// clear sentence before a backend library gives a vaguer one.
pub fn check_node(node: &Path, kind: NodeKind, what: &str) -> Result<(), OpenError> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(node)
        .map(drop)
        .map_err(|e| OpenError::from_io(&e, node, kind, what))
}

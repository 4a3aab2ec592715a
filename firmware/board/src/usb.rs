//! A USB printer driven directly over its bulk endpoints with nusb (pure Rust, no libusb): for
//! printers the kernel's usblp driver does not bind (many cheap receipt printers declare a
//! vendor-specific class), or boards without usblp.

use std::io;
use std::time::Duration;

use nusb::MaybeFuture as _;
use nusb::descriptors::{ConfigurationDescriptor, TransferType};
use nusb::io::{EndpointRead, EndpointWrite};
use nusb::transfer::{Bulk, Direction, In, Out};

use crate::open_error::OpenError;

/// USB printer class (USB-IF class code 7).
const PRINTER_CLASS: u8 = 7;
/// Vendor-specific class: many receipt printers speak ESC/POS on such an interface.
const VENDOR_CLASS: u8 = 0xFF;

/// Where a printer's stream goes in and out of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrinterEndpoints {
    /// Interface number.
    pub interface: u8,
    /// Alternate setting.
    pub alt_setting: u8,
    /// Bulk OUT endpoint address (host to printer).
    pub out: u8,
    /// Bulk IN endpoint address (status replies), when the printer has one.
    pub input: Option<u8>,
}

/// The first interface that can take a print stream: a printer-class interface first, else a
/// vendor-specific one, each with a bulk OUT endpoint; bidirectional settings preferred.
pub(crate) fn printer_endpoints(config: &ConfigurationDescriptor<'_>) -> Option<PrinterEndpoints> {
    let mut candidates: Vec<(u8, bool, PrinterEndpoints)> = config
        .interface_alt_settings()
        .filter_map(|setting| {
            let bulk = |dir: Direction| {
                setting
                    .endpoints()
                    .find(|e| e.transfer_type() == TransferType::Bulk && e.direction() == dir)
                    .map(|e| e.address())
            };
            let out = bulk(Direction::Out)?;
            let rank = match setting.class() {
                PRINTER_CLASS => 0,
                VENDOR_CLASS => 1,
                _ => return None,
            };
            let input = bulk(Direction::In);
            Some((
                rank,
                input.is_none(),
                PrinterEndpoints {
                    interface: setting.interface_number(),
                    alt_setting: setting.alternate_setting(),
                    out,
                    input,
                },
            ))
        })
        .collect();
    candidates.sort_by_key(|&(rank, one_way, e)| (rank, one_way, e.interface, e.alt_setting));
    candidates.first().map(|&(_, _, endpoints)| endpoints)
}

/// An open USB printer: std's Read and Write over its endpoints.
pub struct UsbPrinter {
    spec: String,
    writer: EndpointWrite<Bulk>,
    reader: Option<EndpointRead<Bulk>>,
}

impl std::fmt::Debug for UsbPrinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UsbPrinter")
            .field("spec", &self.spec)
            .field("reports_status", &self.reader.is_some())
            .finish()
    }
}

impl UsbPrinter {
    /// The spec it was opened from.
    pub fn spec(&self) -> &str {
        &self.spec
    }
}

impl io::Write for UsbPrinter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

impl io::Read for UsbPrinter {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.reader {
            Some(reader) => reader.read(buf),
            None => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "this printer has no IN endpoint: it cannot report status",
            )),
        }
    }
}

fn failed(spec: &str, detail: impl std::fmt::Display) -> OpenError {
    OpenError::Device {
        what: "USB printer".to_owned(),
        node: spec.into(),
        detail: detail.to_string(),
    }
}

/// Finds the printer `vendor:product` and claims its print interface (detaching usblp if it
/// holds it).
pub(crate) fn open(vendor: u16, product: u16, spec: &str) -> Result<UsbPrinter, OpenError> {
    let info = nusb::list_devices()
        .wait()
        .map_err(|e| failed(spec, format!("cannot list USB devices: {e}")))?
        .find(|d| d.vendor_id() == vendor && d.product_id() == product)
        .ok_or_else(|| {
            failed(
                spec,
                "no such device is plugged in; `lsusb` lists the ids of those that are",
            )
        })?;
    let device = info.open().wait().map_err(|e| {
        failed(
            spec,
            format!(
                "cannot open it ({e}); give your user access with a udev rule such as \
                 SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{vendor:04x}\", MODE=\"0660\", GROUP=\"lp\""
            ),
        )
    })?;
    let config = device
        .active_configuration()
        .map_err(|e| failed(spec, format!("no active configuration: {e}")))?;
    let endpoints = printer_endpoints(&config).ok_or_else(|| {
        failed(
            spec,
            "it has no printer or vendor interface with a bulk OUT endpoint",
        )
    })?;
    let interface = device
        .detach_and_claim_interface(endpoints.interface)
        .wait()
        .map_err(|e| {
            failed(
                spec,
                format!("cannot claim interface {}: {e}", endpoints.interface),
            )
        })?;
    if endpoints.alt_setting != 0 {
        interface
            .set_alt_setting(endpoints.alt_setting)
            .wait()
            .map_err(|e| {
                failed(
                    spec,
                    format!("cannot select its bidirectional setting: {e}"),
                )
            })?;
    }
    let writer = interface
        .endpoint::<Bulk, Out>(endpoints.out)
        .map_err(|e| failed(spec, e))?
        .writer(4096)
        .with_write_timeout(Duration::from_secs(30));
    let reader = match endpoints.input {
        Some(address) => Some(
            interface
                .endpoint::<Bulk, In>(address)
                .map_err(|e| failed(spec, e))?
                .reader(64)
                .with_read_timeout(Duration::from_millis(500)),
        ),
        None => None,
    };
    Ok(UsbPrinter {
        spec: spec.to_owned(),
        writer,
        reader,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One interface setting: number, alternate setting, class, endpoints as (address,
    /// attributes).
    type Setting<'a> = (u8, u8, u8, &'a [(u8, u8)]);

    /// A configuration descriptor with the given interface settings.
    fn config(interfaces: &[Setting<'_>]) -> Vec<u8> {
        let mut body = Vec::new();
        for &(number, alt, class, endpoints) in interfaces {
            body.extend_from_slice(&[9, 4, number, alt, endpoints.len() as u8, class, 1, 2, 0]);
            for &(address, attributes) in endpoints {
                body.extend_from_slice(&[7, 5, address, attributes, 64, 0, 0]);
            }
        }
        let total = (9 + body.len()) as u16;
        let mut bytes = vec![9, 2, total as u8, (total >> 8) as u8, 2, 1, 0, 0x80, 50];
        bytes.extend(body);
        bytes
    }

    const BULK: u8 = 2;
    const INTERRUPT: u8 = 3;

    #[test]
    fn the_printer_interface_and_its_bidirectional_setting_are_chosen() {
        let bytes = config(&[
            // A HID interface first, then the printer: alt 0 one-way, alt 1 with status.
            (0, 0, 3, &[(0x81, INTERRUPT)]),
            (1, 0, PRINTER_CLASS, &[(0x02, BULK)]),
            (1, 1, PRINTER_CLASS, &[(0x02, BULK), (0x82, BULK)]),
        ]);
        let config = ConfigurationDescriptor::new(&bytes).expect("valid descriptor");
        assert_eq!(
            printer_endpoints(&config),
            Some(PrinterEndpoints {
                interface: 1,
                alt_setting: 1,
                out: 0x02,
                input: Some(0x82)
            })
        );
    }

    #[test]
    fn a_vendor_interface_serves_when_there_is_no_printer_class_and_hid_never_does() {
        let vendor = config(&[(0, 0, VENDOR_CLASS, &[(0x01, BULK), (0x81, BULK)])]);
        let config_vendor = ConfigurationDescriptor::new(&vendor).expect("valid");
        assert_eq!(
            printer_endpoints(&config_vendor).map(|e| (e.out, e.input)),
            Some((0x01, Some(0x81)))
        );
        let hid = config(&[(0, 0, 3, &[(0x01, BULK)])]);
        let config_hid = ConfigurationDescriptor::new(&hid).expect("valid");
        assert_eq!(printer_endpoints(&config_hid), None);
        let no_out = config(&[(0, 0, PRINTER_CLASS, &[(0x81, BULK)])]);
        let config_no_out = ConfigurationDescriptor::new(&no_out).expect("valid");
        assert_eq!(
            printer_endpoints(&config_no_out),
            None,
            "nothing to send to"
        );
    }
}

//! The simulator's printer and link for a profile: what `--board sim` prints on, and what the
//! tests compare the encoder's streams against.

use std::path::Path;

use anyhow::Context as _;
use atelier_sim::{Link, ThermalPrinter, ThermalPrinterConfig};

use crate::profile::{Cutter, PrinterProfile};

/// The virtual printer for a profile. Where the simulator models the device itself (the
/// CSN-A2 on TTL serial, the one printer whose speed and buffer decide whether bytes are lost),
/// that model, with its own speed and buffer: a profile that claims more than the device does
/// overflows it, as it would the real one. Other printers are built from the profile, their
/// cutter exactly as far past the head as the profile feeds before cutting, so a short feed
/// would cut through the print.
pub fn printer_for(profile: &PrinterProfile) -> ThermalPrinter {
    if profile.name == "csn-a2-ttl" {
        let mut device = ThermalPrinterConfig::csn_a2();
        device.flow_control = profile.serial.is_none_or(|serial| serial.flow_control);
        return ThermalPrinter::new(device).expect("the model is a valid printer");
    }
    ThermalPrinter::new(ThermalPrinterConfig {
        width_dots: profile.width_dots,
        dpi: profile.dpi,
        speed_mm_per_s: profile.print_speed_mm_s,
        buffer_bytes: profile.receive_buffer_bytes as usize,
        flow_control: profile.serial.is_none_or(|serial| serial.flow_control),
        cutter_distance_dots: match profile.cutter {
            Cutter::None => 0,
            Cutter::Partial | Cutter::Full => profile.mm_to_rows(profile.feed_before_cut_mm),
        },
    })
    .expect("profiles make valid printers")
}

/// The link the profile's printer hangs on.
pub fn link_for(profile: &PrinterProfile) -> Link {
    match profile.serial {
        Some(serial) => Link {
            flow_control: serial.flow_control,
            ..Link::serial(serial.baud)
        },
        None => Link::USB,
    }
}

/// The simulated paper as a PNG file; see [`paper_image`].
pub fn save_paper(printer: &atelier_sim::ThermalPrinter, path: &Path) -> anyhow::Result<()> {
    paper_image(printer)
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The simulated paper as an image, with the printed text lines drawn in where the printer put
/// them (the model records text as characters; a 10 × 20 font stands in for the printer's 12 × 24).
pub fn paper_image(printer: &atelier_sim::ThermalPrinter) -> image::GrayImage {
    use embedded_graphics::mono_font::{MonoTextStyle, ascii::FONT_10X20};
    use embedded_graphics::pixelcolor::BinaryColor;
    use embedded_graphics::prelude::*;
    use embedded_graphics::text::{Baseline, Text};

    struct Paper(image::GrayImage);
    impl OriginDimensions for Paper {
        fn size(&self) -> Size {
            Size::new(self.0.width(), self.0.height())
        }
    }
    impl DrawTarget for Paper {
        type Color = BinaryColor;
        type Error = std::convert::Infallible;
        fn draw_iter<I: IntoIterator<Item = Pixel<BinaryColor>>>(
            &mut self,
            pixels: I,
        ) -> Result<(), Self::Error> {
            for Pixel(at, color) in pixels {
                if let (Ok(x), Ok(y)) = (u32::try_from(at.x), u32::try_from(at.y))
                    && x < self.0.width()
                    && y < self.0.height()
                    && color.is_on()
                {
                    self.0.put_pixel(x, y, image::Luma([0]));
                }
            }
            Ok(())
        }
    }

    let sheet = printer.paper();
    let mut paper = Paper(image::GrayImage::from_fn(
        sheet.width(),
        sheet.height().max(1),
        |x, y| {
            image::Luma([if y < sheet.height() && sheet.is_black(x, y) {
                0
            } else {
                255
            }])
        },
    ));
    let style = MonoTextStyle::new(&FONT_10X20, BinaryColor::On);
    for line in printer.text() {
        let top = Point::new(0, i32::try_from(line.row).unwrap_or(i32::MAX));
        Text::with_baseline(&line.text, top, style, Baseline::Top)
            .draw(&mut paper)
            .expect("drawing into memory cannot fail");
    }
    paper.0
}

/// A simulated printer that also appends every byte it takes to a file: the paper outlives the
/// process the way a real printout does, so a test can kill the robot and still read what came
/// out. [`decode_paper_log`] reads it back.
pub struct PaperLog {
    printer: ThermalPrinter,
    file: std::fs::File,
}

impl std::fmt::Debug for PaperLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PaperLog").finish_non_exhaustive()
    }
}

impl PaperLog {
    /// `printer`, its bytes appended to `path` (created with its folder if missing).
    pub fn new(printer: ThermalPrinter, path: &Path) -> std::io::Result<PaperLog> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        Ok(PaperLog { printer, file })
    }
}

impl atelier_sim::ByteModel for PaperLog {
    fn receive(&mut self, now: atelier_hal::Instant, bytes: &[u8]) -> usize {
        let taken = self.printer.receive(now, bytes);
        // Written straight to the kernel: it survives a kill of the process.
        if let Err(error) = std::io::Write::write_all(&mut self.file, &bytes[..taken]) {
            tracing::warn!(%error, "cannot append to the simulated paper log");
        }
        taken
    }

    fn ready_at(&self, now: atelier_hal::Instant) -> atelier_hal::Instant {
        self.printer.ready_at(now)
    }

    fn send(&mut self, now: atelier_hal::Instant, buf: &mut [u8]) -> usize {
        self.printer.send(now, buf)
    }

    fn available(&self, now: atelier_hal::Instant) -> usize {
        atelier_sim::ByteModel::available(&self.printer, now)
    }
}

/// What a paper log printed: every byte fed at once to a printer of the profile's width with
/// room for all of them, then printed out.
pub fn decode_paper_log(profile: &PrinterProfile, bytes: &[u8]) -> ThermalPrinter {
    let mut config = printer_for(profile).config();
    config.buffer_bytes = bytes.len().max(1);
    config.flow_control = true;
    let mut printer = ThermalPrinter::new(config).expect("a valid printer with a larger buffer");
    let taken = atelier_sim::ByteModel::receive(&mut printer, atelier_hal::Instant::ZERO, bytes);
    debug_assert_eq!(taken, bytes.len());
    printer.print_buffered();
    printer
}

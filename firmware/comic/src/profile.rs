//! What the encoder must know about a thermal printer model, as a TOML-readable profile.
//!
//! ESC/POS printers differ in exactly the ways that garble a comic: which raster command they
//! understand, how many rows one command may carry, whether they cut, how fast they print and how
//! much they buffer. A profile says all of that in one place; [`PrinterProfile::builtin`] has the
//! common models, and a config file can describe any other:
//!
//! ```toml
//! name = "my-58mm"
//! width_dots = 384
//! dpi = 203
//! max_band_rows = 256
//! raster_commands = ["GS v 0"]          # in order of preference: "GS v 0", "GS ( L", "ESC *"
//! cutter = "none"                       # "none", "partial" or "full"
//! feed_before_cut_mm = 12.0             # paper fed after the print: to the cutter or tear bar
//! print_speed_mm_s = 50.0               # sustained speed for dense graphics, not the brochure's
//! receive_buffer_bytes = 4096
//! serial = { baud = 19200, flow_control = false }   # only for serial printers
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One printer model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterProfile {
    /// Short name, used to pick the profile in a config file.
    pub name: String,
    /// Printable width in dots; a multiple of 8 (heads come in whole bytes): 384 for 58 mm
    /// paper at 203 dpi, 576 (203 dpi) or 512 (180 dpi) for 80 mm.
    pub width_dots: u32,
    /// Head resolution in dots per inch.
    pub dpi: u32,
    /// Most dot rows one raster command may carry. Manuals range from 343 (Cino M230B) through
    /// 2303 (`yH ≤ 8`) to 4095; 256 is safe everywhere. `GS ( L` bands are further limited by its
    /// 16-bit length field, and `ESC *` bands are always 24 rows.
    pub max_band_rows: u32,
    /// Raster commands the printer understands, preferred first.
    pub raster_commands: Vec<RasterCommand>,
    /// The cutter, if any.
    pub cutter: Cutter,
    /// Paper to feed after the last line so all of it clears the cutter (or the tear bar):
    /// the distance from the print line to the blade, about 15 mm on Epson's receipt printers.
    pub feed_before_cut_mm: f64,
    /// For printers on a serial line; `None` for USB and network printers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<SerialLink>,
    /// Paper speed the printer sustains on dense graphics, in mm/s. Lower than the brochure's
    /// text speed: heads slow down as dot coverage rises.
    pub print_speed_mm_s: f64,
    /// The printer's receive buffer in bytes; with no flow control, more than this in flight
    /// is lost.
    pub receive_buffer_bytes: u32,
}

/// An ESC/POS command that prints a bitmap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RasterCommand {
    /// `GS v 0`: raster bit image, rows of packed bytes. The common one; Epson's newest manuals
    /// call it obsolete in favour of `GS ( L`.
    #[serde(rename = "GS v 0")]
    RasterBitImage,
    /// `GS ( L` function 112 (store graphics) then function 50 (print them). Its 16-bit length
    /// field limits a band to 65 525 data bytes.
    #[serde(rename = "GS ( L")]
    Graphics,
    /// `ESC *` mode 33: 24-dot double-density column bit image, for printers that predate raster
    /// commands.
    #[serde(rename = "ESC *")]
    ColumnBitImage,
}

impl RasterCommand {
    /// The command as the manuals write it.
    pub fn name(self) -> &'static str {
        match self {
            RasterCommand::RasterBitImage => "GS v 0",
            RasterCommand::Graphics => "GS ( L",
            RasterCommand::ColumnBitImage => "ESC *",
        }
    }
}

/// The printer's cutter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cutter {
    /// No cutter: the print is torn off.
    None,
    /// Leaves a tab holding the receipt, so it does not drop.
    Partial,
    /// Cuts through.
    Full,
}

/// A serial line to the printer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SerialLink {
    /// Bits per second; one byte is ten bits on the wire (8N1).
    pub baud: u32,
    /// Whether the printer holds the sender back (RTS/CTS or XON/XOFF) when its buffer fills.
    /// Cheap TTL printers do not: the sender must pace itself or bytes are lost.
    pub flow_control: bool,
}

/// A profile that cannot be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// Not valid TOML, or not a profile (unknown key, wrong type, missing key).
    #[error("printer profile{}: {message}", key.as_deref().map(|k| format!(" key `{k}`")).unwrap_or_default())]
    Toml {
        /// The dotted key where the problem is, when known.
        key: Option<String>,
        /// What is wrong, with line and column when the TOML parser knows them.
        message: String,
    },
    /// A value outside what the encoder and the printers accept.
    #[error("printer profile `{profile}`: `{field}` is {value}; accepted: {accepted}")]
    OutOfRange {
        /// The profile's name.
        profile: String,
        /// The field.
        field: &'static str,
        /// Its value.
        value: String,
        /// What would be accepted.
        accepted: &'static str,
    },
    /// No built-in profile has that name.
    #[error("no built-in printer profile is called `{name}`; built in: {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The built-in names, comma-separated.
        known: String,
    },
}

impl PrinterProfile {
    /// Reads one profile from TOML and checks it.
    pub fn from_toml(text: &str) -> Result<PrinterProfile, ProfileError> {
        let toml_error = |key: Option<String>, error: toml::de::Error| ProfileError::Toml {
            key,
            message: error.to_string().trim().to_owned(),
        };
        let deserializer = toml::Deserializer::parse(text).map_err(|e| toml_error(None, e))?;
        let profile: PrinterProfile =
            serde_path_to_error::deserialize(deserializer).map_err(|e| {
                let path = e.path().to_string();
                let key = (path != ".").then_some(path);
                toml_error(key, e.into_inner())
            })?;
        profile.validate()?;
        Ok(profile)
    }

    /// Writes the profile as TOML (the format [`Self::from_toml`] reads).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    /// Checks every field; the error names the first bad one and what is accepted.
    pub fn validate(&self) -> Result<(), ProfileError> {
        let bad = |field: &'static str, value: String, accepted: &'static str| {
            Err(ProfileError::OutOfRange {
                profile: self.name.clone(),
                field,
                value,
                accepted,
            })
        };
        let number = |value: f64, range: std::ops::RangeInclusive<f64>| {
            value.is_finite() && range.contains(&value)
        };
        if self.name.trim().is_empty() || self.name.len() > 64 {
            return bad(
                "name",
                format!("{:?}", self.name),
                "1 to 64 characters, not blank",
            );
        }
        if !(8..=2040).contains(&self.width_dots) || !self.width_dots.is_multiple_of(8) {
            return bad(
                "width_dots",
                self.width_dots.to_string(),
                "a multiple of 8 from 8 to 2040",
            );
        }
        if !(100..=600).contains(&self.dpi) {
            return bad("dpi", self.dpi.to_string(), "100 to 600");
        }
        if !(24..=2303).contains(&self.max_band_rows) {
            return bad(
                "max_band_rows",
                self.max_band_rows.to_string(),
                "24 to 2303 rows (one ESC * band to GS v 0's yH ≤ 8)",
            );
        }
        let duplicate = self
            .raster_commands
            .iter()
            .enumerate()
            .any(|(i, c)| self.raster_commands[..i].contains(c));
        if self.raster_commands.is_empty() || duplicate {
            return bad(
                "raster_commands",
                format!("{:?}", self.raster_commands),
                "one or more of \"GS v 0\", \"GS ( L\", \"ESC *\", each at most once",
            );
        }
        if !number(self.feed_before_cut_mm, 0.0..=100.0) {
            return bad(
                "feed_before_cut_mm",
                self.feed_before_cut_mm.to_string(),
                "0 to 100 mm",
            );
        }
        if let Some(serial) = self.serial
            && !(1200..=1_000_000).contains(&serial.baud)
        {
            return bad(
                "serial.baud",
                serial.baud.to_string(),
                "1200 to 1000000 bits per second",
            );
        }
        if !number(self.print_speed_mm_s, 1.0..=500.0) {
            return bad(
                "print_speed_mm_s",
                self.print_speed_mm_s.to_string(),
                "1 to 500 mm/s",
            );
        }
        if !(32..=(16 << 20)).contains(&self.receive_buffer_bytes) {
            return bad(
                "receive_buffer_bytes",
                self.receive_buffer_bytes.to_string(),
                "32 bytes to 16 MiB",
            );
        }
        Ok(())
    }

    /// The raster command to use when a job does not ask for one.
    pub fn preferred_raster(&self) -> Option<RasterCommand> {
        self.raster_commands.first().copied()
    }

    /// Bytes per raster row at full width.
    pub fn width_bytes(&self) -> usize {
        self.width_dots.div_ceil(8) as usize
    }

    /// Text columns in Font A (12 dots a character): 32 on 58 mm, 48 on 576-dot 80 mm.
    pub fn text_columns(&self) -> usize {
        (self.width_dots / 12).max(1) as usize
    }

    /// The default line spacing (`ESC 2`): 1/6 inch in dots, the ESC/POS default on most models.
    pub fn line_height_dots(&self) -> u32 {
        (self.dpi + 3) / 6
    }

    /// `mm` of paper in dot rows, rounded up.
    pub fn mm_to_rows(&self, mm: f64) -> u32 {
        (mm * f64::from(self.dpi) / 25.4).ceil().max(0.0) as u32
    }

    /// How long the paper takes to move one dot row at the print speed.
    pub fn row_time(&self) -> Duration {
        Duration::from_secs_f64(25.4 / f64::from(self.dpi) / self.print_speed_mm_s)
    }

    /// Bytes per second on the link, `None` when the link is much faster than the printer (USB,
    /// network).
    pub fn link_bytes_per_second(&self) -> Option<f64> {
        self.serial.map(|serial| f64::from(serial.baud) / 10.0)
    }

    /// The built-in profiles.
    pub fn builtin() -> Vec<PrinterProfile> {
        use RasterCommand::{ColumnBitImage, Graphics, RasterBitImage};
        let profile = |name: &str| PrinterProfile {
            name: name.to_owned(),
            width_dots: 384,
            dpi: 203,
            max_band_rows: 256,
            raster_commands: vec![RasterBitImage],
            cutter: Cutter::None,
            feed_before_cut_mm: 12.0,
            serial: None,
            print_speed_mm_s: 50.0,
            receive_buffer_bytes: 4096,
        };
        vec![
            // The cheap 58 mm USB printer (POS-5890 and its many clones). Speed is the low end
            // of the usual 50–90 mm/s claim; the buffer size is an assumption.
            profile("generic-58mm-usb"),
            // Epson TM-T20-class 80 mm: all three raster commands, 4 KB buffer, partial cutter
            // about 15 mm past the head.
            PrinterProfile {
                width_dots: 576,
                max_band_rows: 1024,
                raster_commands: vec![RasterBitImage, Graphics, ColumnBitImage],
                cutter: Cutter::Partial,
                feed_before_cut_mm: 15.0,
                print_speed_mm_s: 100.0,
                ..profile("epson-tm-t20")
            },
            // Epson TM-T88-class: 512 dots at 180 dpi on 80 mm paper.
            PrinterProfile {
                width_dots: 512,
                dpi: 180,
                max_band_rows: 1024,
                raster_commands: vec![RasterBitImage, Graphics, ColumnBitImage],
                cutter: Cutter::Partial,
                feed_before_cut_mm: 15.0,
                print_speed_mm_s: 150.0,
                ..profile("epson-tm-t88")
            },
            // The Adafruit "mini thermal printer" (CSN-A2) on TTL serial, no flow control. Speed
            // is Adafruit's measured 30 ms per dot row for bitmaps (0.125 mm / 30 ms = 4.17 mm/s),
            // claimed a little slower (4.1) so that pacing stays behind a head that is slightly
            // slower than measured; at that rate a 19200 Bd link delivers raster faster than the
            // head prints, so the sender must pace. The buffer size is not documented; small is
            // the safe assumption.
            PrinterProfile {
                serial: Some(SerialLink {
                    baud: 19_200,
                    flow_control: false,
                }),
                print_speed_mm_s: 4.1,
                receive_buffer_bytes: 512,
                ..profile("csn-a2-ttl")
            },
            // A 58 mm printer whose firmware predates raster commands: column images only.
            PrinterProfile {
                raster_commands: vec![ColumnBitImage],
                ..profile("column-only-58mm")
            },
            // An 80 mm printer that only takes `GS ( L` graphics (where Epson's manuals are
            // heading), with a full cutter.
            PrinterProfile {
                width_dots: 576,
                max_band_rows: 2303,
                raster_commands: vec![Graphics],
                cutter: Cutter::Full,
                feed_before_cut_mm: 15.0,
                print_speed_mm_s: 100.0,
                ..profile("graphics-only-80mm")
            },
        ]
    }

    /// The built-in profile called `name`.
    pub fn builtin_named(name: &str) -> Result<PrinterProfile, ProfileError> {
        let builtin = Self::builtin();
        let known = builtin
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        builtin
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .ok_or(ProfileError::UnknownBuiltin {
                name: name.to_owned(),
                known,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_is_valid_and_round_trips_through_toml() {
        let builtin = PrinterProfile::builtin();
        assert!(builtin.len() >= 6);
        for profile in builtin {
            profile.validate().expect("built-ins are valid");
            let text = profile.to_toml().expect("serialises");
            assert_eq!(PrinterProfile::from_toml(&text), Ok(profile));
        }
    }

    #[test]
    fn the_builtins_cover_every_raster_command_and_a_paced_serial_printer() {
        let builtin = PrinterProfile::builtin();
        for command in [
            RasterCommand::RasterBitImage,
            RasterCommand::Graphics,
            RasterCommand::ColumnBitImage,
        ] {
            assert!(
                builtin
                    .iter()
                    .any(|p| p.raster_commands == vec![command]
                        || p.preferred_raster() == Some(command)),
                "{command:?}"
            );
        }
        let serial = PrinterProfile::builtin_named("csn-a2-ttl").expect("built in");
        assert_eq!(
            serial.serial,
            Some(SerialLink {
                baud: 19_200,
                flow_control: false
            })
        );
        // The reason it must be paced: the link outruns the head on a full-width raster.
        let head_bytes_per_s = serial.width_bytes() as f64 / serial.row_time().as_secs_f64();
        assert!(serial.link_bytes_per_second().expect("serial") > head_bytes_per_s);
    }

    #[test]
    fn a_value_out_of_range_names_the_field_and_the_accepted_range() {
        let text = PrinterProfile::builtin()[0]
            .to_toml()
            .expect("serialises")
            .replace("width_dots = 384", "width_dots = 385");
        let error = PrinterProfile::from_toml(&text).expect_err("not a multiple of 8");
        assert_eq!(
            error.to_string(),
            "printer profile `generic-58mm-usb`: `width_dots` is 385; accepted: a multiple of 8 \
             from 8 to 2040"
        );
        let mut profile = PrinterProfile::builtin()[0].clone();
        profile.print_speed_mm_s = f64::NAN;
        assert!(matches!(
            profile.validate(),
            Err(ProfileError::OutOfRange {
                field: "print_speed_mm_s",
                ..
            })
        ));
        profile = PrinterProfile::builtin()[0].clone();
        profile.raster_commands = vec![RasterCommand::Graphics, RasterCommand::Graphics];
        assert!(matches!(
            profile.validate(),
            Err(ProfileError::OutOfRange {
                field: "raster_commands",
                ..
            })
        ));
    }

    #[test]
    fn unknown_keys_and_bad_names_are_refused_with_the_key() {
        let text = PrinterProfile::builtin()[0].to_toml().expect("serialises");
        let error = PrinterProfile::from_toml(&format!("{text}\nheat_time = 3\n"))
            .expect_err("unknown key");
        assert!(error.to_string().contains("heat_time"), "{error}");
        let error = PrinterProfile::from_toml(&text.replace("\"GS v 0\"", "\"GS v 1\""))
            .expect_err("unknown command");
        assert!(
            matches!(&error, ProfileError::Toml { key: Some(key), .. } if key.starts_with("raster_commands")),
            "{error}"
        );
        assert!(
            error.to_string().contains("GS ( L"),
            "lists what is accepted: {error}"
        );
        let error = PrinterProfile::builtin_named("tm-t1000").expect_err("no such profile");
        assert!(error.to_string().contains("epson-tm-t20"), "{error}");
    }

    #[test]
    fn geometry_follows_the_resolution() {
        let tm_t88 = PrinterProfile::builtin_named("epson-tm-t88").expect("built in");
        assert_eq!(tm_t88.line_height_dots(), 30);
        assert_eq!(tm_t88.text_columns(), 42);
        assert_eq!(tm_t88.mm_to_rows(25.4), 180);
        let generic = PrinterProfile::builtin_named("generic-58mm-usb").expect("built in");
        assert_eq!(generic.line_height_dots(), 34);
        assert_eq!(generic.text_columns(), 32);
        // 25.4 / 203 / 50 s ≈ 2.50 ms a row.
        assert_eq!(generic.row_time().as_micros(), 2502);
    }
}

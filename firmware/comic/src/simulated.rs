//! The simulator's printer and link for a profile: what `--board sim` prints on, and what the
//! tests compare the encoder's streams against.

use atelier_sim::{Link, ThermalPrinter, ThermalPrinterConfig};

use crate::profile::{Cutter, PrinterProfile};

/// The virtual printer the profile describes. Its cutter sits exactly as far past the head as
/// the profile feeds before cutting, so a short feed would cut through the print.
pub fn printer_for(profile: &PrinterProfile) -> ThermalPrinter {
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

//! The encoder checked against the simulator's thermal printer, an independent decoder.

use atelier_sim::{SimBoard, ThermalPrinter};
use embedded_io::{Read, Write};

use super::*;
use crate::pacing::Pacer;
use crate::profile::Cutter;
use crate::raster::{Binarisation, prepare};
use crate::test_support::{link_for, printer_for, raster_bands, test_pattern};

const HEADER: &str = "VOMIT COMIC #12";
const FOOTER: &str = "seed 0x5EED";

/// Sends `job` to a virtual printer built from `profile`, over the profile's link, paced when the
/// link has no flow control, and lets the printer finish.
fn print(profile: &PrinterProfile, job: &EncodedJob) -> ThermalPrinter {
    let board = SimBoard::new();
    let printer = printer_for(profile);
    board.attach_port("/dev/printer", printer.clone(), link_for(profile));
    let mut port = board.open_port("/dev/printer").expect("attached");
    if profile.serial.is_some_and(|serial| !serial.flow_control) {
        Pacer::new(profile, board.clock())
            .send(&mut port, job)
            .expect("sends");
    } else {
        port.write_all(job.bytes()).expect("sends");
    }
    printer.print_buffered();
    printer
}

#[test]
fn every_profile_and_binarisation_prints_exactly_the_dithered_bitmap() {
    for profile in PrinterProfile::builtin() {
        // 610 rows: not a multiple of 24 nor of any band limit, so every last band is partial.
        let image = test_pattern(profile.width_dots, 610);
        for method in Binarisation::ALL {
            let bitmap = prepare(&image, profile.width_dots, method).expect("fits");
            for &command in &profile.raster_commands {
                let context = format!("{} / {method} / {}", profile.name, command.name());
                let job = Job::new(&bitmap)
                    .with_header([HEADER])
                    .with_footer([FOOTER])
                    .with_raster(command);
                let encoded = encode(&profile, &job).expect("encodes");
                let printer = print(&profile, &encoded);

                assert!(
                    printer.errors().is_empty(),
                    "{context}: {:?}",
                    printer.errors()
                );
                assert_eq!(printer.overflowed_bytes(), 0, "{context}");
                let texts: Vec<String> = printer.text().into_iter().map(|t| t.text).collect();
                assert_eq!(texts, [HEADER, FOOTER], "{context}");
                let expected_cuts = usize::from(profile.cutter != Cutter::None);
                assert_eq!(printer.cut_count(), expected_cuts, "{context}");

                // The first receipt holds the whole comic, dot for dot, below the header line,
                // and nothing else burns: no stray dots, no lost padding band.
                let receipt = &printer.receipts()[0];
                assert_eq!(receipt.width(), bitmap.width(), "{context}");
                let top = profile.line_height_dots();
                assert!(
                    receipt.height() >= top + encoded.raster_rows(),
                    "{context}: receipt of {} rows cuts into the image",
                    receipt.height()
                );
                for y in 0..bitmap.height() {
                    assert_eq!(receipt.row(top + y), bitmap.row(y), "{context}: row {y}");
                }
                assert_eq!(receipt.black_dots(), bitmap.black_dots(), "{context}");
            }
        }
    }
}

#[test]
fn bands_never_exceed_the_row_limit_and_graphics_lengths_never_wrap() {
    let mut profiles = PrinterProfile::builtin();
    for rows in [24, 100, 343] {
        for (width, commands) in [
            (
                384,
                vec![RasterCommand::RasterBitImage, RasterCommand::Graphics],
            ),
            (
                576,
                vec![RasterCommand::Graphics, RasterCommand::ColumnBitImage],
            ),
        ] {
            profiles.push(PrinterProfile {
                name: format!("{width}-dots-{rows}-rows"),
                width_dots: width,
                max_band_rows: rows,
                raster_commands: commands,
                ..PrinterProfile::builtin()[0].clone()
            });
        }
    }
    for profile in profiles {
        // Taller than any band limit, and not a multiple of any band height.
        let bitmap = Binarisation::BlueNoise.binarise(&test_pattern(profile.width_dots, 2501));
        for &command in &profile.raster_commands {
            let context = format!("{} / {}", profile.name, command.name());
            let job = encode(&profile, &Job::new(&bitmap).with_raster(command)).expect("encodes");
            let bands = raster_bands(job.bytes()).expect("only known commands");
            assert!(!bands.is_empty(), "{context}");
            for band in &bands {
                assert_eq!(band.command, command, "{context}");
                assert!(band.rows <= profile.max_band_rows, "{context}: {band:?}");
                if let Some(length) = band.length_field {
                    assert!(length <= 65_535, "{context}: {band:?}");
                    assert_eq!(length, 10 + band.data_bytes, "{context}: {band:?}");
                }
            }
            let rows: u32 = bands.iter().map(|b| b.rows).sum();
            match command {
                RasterCommand::ColumnBitImage => assert_eq!(rows, 2501_u32.div_ceil(24) * 24),
                _ => assert_eq!(rows, 2501, "{context}"),
            }
        }
    }
}

#[test]
fn a_wide_graphics_image_is_split_where_python_escpos_would_wrap_the_length() {
    let profile = PrinterProfile::builtin_named("graphics-only-80mm").expect("built in");
    let bitmap = Binarisation::Atkinson.binarise(&test_pattern(576, 960));
    let job = encode(&profile, &Job::new(&bitmap)).expect("encodes");
    let bands = raster_bands(job.bytes()).expect("parses");
    let heights: Vec<u32> = bands.iter().map(|b| b.rows).collect();
    assert_eq!(heights, vec![910, 50]);
    let printer = print(&profile, &job);
    assert!(printer.errors().is_empty(), "{:?}", printer.errors());
    for y in 0..960 {
        assert_eq!(printer.paper().row(y), bitmap.row(y), "row {y}");
    }
}

#[test]
fn paper_out_is_reported_by_the_status_query() {
    let board = SimBoard::new();
    let profile = PrinterProfile::builtin_named("epson-tm-t20").expect("built in");
    let printer = printer_for(&profile);
    board.attach_port("/dev/usb/lp0", printer.clone(), link_for(&profile));
    let mut port = board.open_port("/dev/usb/lp0").expect("attached");
    let mut ask = |request: StatusRequest| {
        port.write_all(&request.query()).expect("query");
        let mut reply = [0u8];
        port.read_exact(&mut reply).expect("the printer answers");
        StatusReply::parse(request, reply[0]).expect("a status byte")
    };
    assert!(!ask(StatusRequest::RollPaper).paper_end());
    printer.set_paper_out(true);
    assert!(ask(StatusRequest::RollPaper).paper_end());
    assert!(ask(StatusRequest::OfflineCause).paper_end());
    assert!(ask(StatusRequest::Printer).offline());
}

#[test]
fn an_image_wider_than_the_paper_is_refused_not_cropped() {
    let profile = PrinterProfile::builtin_named("generic-58mm-usb").expect("built in");
    let wide = Bitmap::new(576, 10).expect("small");
    let error = encode(&profile, &Job::new(&wide)).expect_err("too wide");
    assert_eq!(
        error.to_string(),
        "image is 576 dots wide, printer profile `generic-58mm-usb` prints 384; scale it with \
         raster::fit_to_width"
    );
}

#[test]
fn a_raster_command_the_printer_lacks_is_refused_with_what_it_has() {
    let profile = PrinterProfile::builtin_named("column-only-58mm").expect("built in");
    let bitmap = Bitmap::new(384, 10).expect("small");
    let job = Job::new(&bitmap).with_raster(RasterCommand::RasterBitImage);
    let error = encode(&profile, &job).expect_err("no GS v 0");
    assert_eq!(
        error.to_string(),
        "printer profile `column-only-58mm` has no GS v 0; it supports ESC *"
    );
}

#[test]
fn the_stream_starts_with_init_and_ends_with_feed_and_cut() {
    let profile = PrinterProfile::builtin_named("epson-tm-t20").expect("built in");
    let bitmap = Bitmap::new(576, 3).expect("small");
    let job = encode(&profile, &Job::new(&bitmap).with_header(["hi"])).expect("encodes");
    let bytes = job.bytes();
    assert_eq!(&bytes[..5], &[0x1B, b'@', b'h', b'i', 0x0A]);
    // 15 mm is 120 rows: 4 lines of 34, then a partial cut.
    assert_eq!(&bytes[bytes.len() - 6..], &[0x1B, b'd', 4, 0x1D, b'V', 1]);
    assert_eq!(job.feed_rows(), 136);
    // Segments cover the stream in order and their rows add up to the paper used.
    let segments = job.segments();
    assert!(segments.windows(2).all(|w| w[0].end < w[1].end));
    assert_eq!(segments.last().map(|s| s.end), Some(bytes.len()));
    let rows: u32 = segments.iter().map(|s| s.rows).sum();
    assert_eq!(rows, job.text_rows() + job.raster_rows() + job.feed_rows());
}

#[test]
fn long_and_non_ascii_text_is_wrapped_and_replaced_before_the_printer_sees_it() {
    let profile = PrinterProfile::builtin_named("generic-58mm-usb").expect("built in");
    let bitmap = Bitmap::new(384, 0).expect("empty");
    let line = format!("{}— end\u{1b}", "x".repeat(30));
    let job = encode(&profile, &Job::new(&bitmap).with_footer([line])).expect("encodes");
    let printer = print(&profile, &job);
    let texts: Vec<String> = printer.text().into_iter().map(|t| t.text).collect();
    assert_eq!(texts, [format!("{}? ", "x".repeat(30)), "end?".to_owned()]);
    assert_eq!(printer.unknown_commands(), 0);
}

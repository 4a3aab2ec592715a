use super::*;
use crate::port::Link;
use crate::{SimBoard, SimPortControl};
use atelier_hal::Clock;
use embedded_io::{Read, Write};

fn printer(config: ThermalPrinterConfig) -> ThermalPrinter {
    ThermalPrinter::new(config).expect("valid config")
}

/// Feeds `bytes` straight into the model in chunks of `chunk`, with time far apart so the
/// head is always idle (no buffer effects), and lets it finish.
fn feed_all(printer: &mut ThermalPrinter, bytes: &[u8], chunk: usize) {
    let mut now = Instant::ZERO;
    for piece in bytes.chunks(chunk.max(1)) {
        let mut rest = piece;
        while !rest.is_empty() {
            let taken = printer.receive(now, rest);
            rest = &rest[taken..];
            now += Duration::from_secs(3600);
        }
    }
    printer.print_buffered();
}

fn gs_v_0(width_bytes: u16, rows: &[Vec<u8>]) -> Vec<u8> {
    let [xl, xh] = width_bytes.to_le_bytes();
    let [yl, yh] = (rows.len() as u16).to_le_bytes();
    let mut out = vec![GS, b'v', b'0', 0, xl, xh, yl, yh];
    for row in rows {
        out.extend_from_slice(row);
    }
    out
}

#[test]
fn a_config_out_of_range_names_the_field_and_the_range() {
    let error = ThermalPrinter::new(ThermalPrinterConfig {
        width_dots: 380,
        ..ThermalPrinterConfig::default()
    })
    .expect_err("380 is not a multiple of 8");
    assert_eq!(error.field, "width_dots");
    assert!(error.to_string().contains("multiple of 8"), "{error}");
    let error = ThermalPrinterConfig {
        speed_mm_per_s: f64::NAN,
        ..ThermalPrinterConfig::default()
    }
    .validate()
    .expect_err("NaN speed");
    assert_eq!(error.field, "speed_mm_per_s");
}

#[test]
fn gs_v_0_prints_rows_where_the_bytes_say_at_any_chunk_size() {
    let rows: Vec<Vec<u8>> = (0..5u8)
        .map(|y| {
            (0..48u8)
                .map(|x| x.wrapping_mul(31) ^ y.wrapping_mul(7))
                .collect()
        })
        .collect();
    let stream = [vec![ESC, b'@'], gs_v_0(48, &rows)].concat();
    let mut reference = None;
    for chunk in [1, 3, 16, 1000] {
        let mut model = printer(ThermalPrinterConfig::default());
        feed_all(&mut model, &stream, chunk);
        let paper = model.paper();
        assert_eq!((paper.width(), paper.height()), (384, 5));
        for (y, row) in rows.iter().enumerate() {
            assert_eq!(
                paper.row(y as u32),
                row.as_slice(),
                "row {y}, chunk {chunk}"
            );
        }
        assert!(model.errors().is_empty(), "{:?}", model.errors());
        match &reference {
            None => reference = Some(paper),
            Some(first) => assert_eq!(first, &paper),
        }
    }
}

#[test]
fn gs_v_0_double_width_and_height_scale_each_dot() {
    // One byte wide, one row: 1000_0001 → dots 0–1 and 14–15 on two rows.
    let stream = [GS, b'v', b'0', 3, 1, 0, 1, 0, 0x81];
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &stream, 4);
    let paper = model.paper();
    assert_eq!(paper.height(), 2);
    for y in 0..2 {
        let black: Vec<u32> = (0..384).filter(|&x| paper.is_black(x, y)).collect();
        assert_eq!(black, vec![0, 1, 14, 15]);
    }
}

#[test]
fn a_raster_wider_than_the_paper_is_an_error_and_prints_nothing() {
    let rows = vec![vec![0xFF; 49]; 3];
    let stream = [gs_v_0(49, &rows), b"ok\n".to_vec()].concat();
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &stream, 7);
    assert_eq!(model.paper().black_dots(), 0);
    assert!(matches!(
        model.errors().as_slice(),
        [PrintError::TooWide {
            width_dots: 392,
            paper_dots: 384,
            ..
        }]
    ));
    // The data was skipped by its declared length, so the stream is still in step.
    assert_eq!(model.text()[0].text, "ok");
}

#[test]
fn text_lines_are_logged_and_advance_by_the_line_spacing() {
    let config = ThermalPrinterConfig::default();
    let spacing = config.default_line_spacing_dots();
    let mut model = printer(config);
    let stream = b"\x1b@Hello\nWorld\x1bd\x02\x1b3\x10third\n\x1b2";
    feed_all(&mut model, stream, 2);
    let text = model.text();
    let rows: Vec<(u32, &str)> = text.iter().map(|t| (t.row, t.text.as_str())).collect();
    assert_eq!(
        rows,
        vec![(0, "Hello"), (spacing, "World"), (3 * spacing, "third")]
    );
    assert_eq!(model.paper().height(), 3 * spacing + 16);
}

#[test]
fn a_long_text_line_wraps_at_the_font_a_width() {
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &[b'x'; 40], 40);
    feed_all(&mut model, b"\n", 1);
    let lengths: Vec<usize> = model.text().iter().map(|t| t.text.len()).collect();
    assert_eq!(lengths, vec![32, 8]);
}

#[test]
fn esc_star_24_dot_double_density_fills_a_band_and_lf_moves_by_the_spacing() {
    // Two columns: the first all black, the second only its top dot.
    let stream = [
        ESC, b'3', 24, ESC, b'*', 33, 2, 0, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, LF, ESC, b'2',
    ];
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &stream, 5);
    let paper = model.paper();
    assert_eq!(paper.height(), 24);
    assert!((0..24).all(|y| paper.is_black(0, y)));
    assert!(paper.is_black(1, 0));
    assert!(!(1..24).any(|y| paper.is_black(1, y)));
    assert_eq!(paper.black_dots(), 25);
}

#[test]
fn esc_star_8_dot_single_density_prints_dots_two_wide_and_three_tall() {
    let stream = [ESC, b'*', 0, 1, 0, 0x80, LF];
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &stream, 1);
    let paper = model.paper();
    let black: Vec<(u32, u32)> = (0..3)
        .flat_map(|y| (0..4).map(move |x| (x, y)))
        .filter(|&(x, y)| paper.is_black(x, y))
        .collect();
    assert_eq!(black, vec![(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (1, 2)]);
}

fn gs_paren_l_store(width: u16, height: u16, data: &[u8]) -> Vec<u8> {
    let p = (10 + data.len()) as u16;
    let [pl, ph] = p.to_le_bytes();
    let [xl, xh] = width.to_le_bytes();
    let [yl, yh] = height.to_le_bytes();
    let mut out = vec![
        GS, b'(', b'L', pl, ph, 48, 112, 48, 1, 1, 49, xl, xh, yl, yh,
    ];
    out.extend_from_slice(data);
    out
}

#[test]
fn gs_paren_l_stores_then_prints_and_gs_8_l_does_the_same() {
    let data: Vec<u8> = (0..2 * 3).map(|i| 0x11 * i as u8).collect();
    let print = [GS, b'(', b'L', 2, 0, 48, 50];
    let store = gs_paren_l_store(16, 3, &data);
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &[store.clone(), print.to_vec()].concat(), 3);
    let paper = model.paper();
    assert_eq!(paper.height(), 3);
    for y in 0..3 {
        assert_eq!(&paper.row(y)[..2], &data[y as usize * 2..][..2]);
    }
    assert!(model.errors().is_empty(), "{:?}", model.errors());

    // GS 8 L: the same body with a four-byte length.
    let mut eight = vec![GS, b'8', b'L'];
    eight.extend_from_slice(&((10 + data.len()) as u32).to_le_bytes());
    eight.extend_from_slice(&store[5..]);
    let mut model = printer(ThermalPrinterConfig::default());
    feed_all(&mut model, &[eight, print.to_vec()].concat(), 2);
    assert_eq!(model.paper(), paper);
}

#[test]
fn a_wrapped_gs_paren_l_length_garbles_instead_of_printing() {
    // python-escpos's bug: p = 69 132 wraps to 3 596. The printer reads 3 596 bytes as the
    // command and the rest as commands and text.
    let data = vec![0xAA; 72 * 960];
    let mut stream = gs_paren_l_store(576, 960, &data);
    let wrapped = ((10 + data.len()) % 65_536) as u16;
    stream[3..5].copy_from_slice(&wrapped.to_le_bytes());
    let mut model = printer(ThermalPrinterConfig {
        width_dots: 576,
        ..ThermalPrinterConfig::default()
    });
    feed_all(&mut model, &stream, 4096);
    assert!(matches!(
        model.errors().first(),
        Some(PrintError::GraphicsLength { .. })
    ));
    assert!(!model.text().is_empty(), "the image data came out as text");
}

#[test]
fn function_a_cuts_at_the_cutter_and_function_b_feeds_to_it_first() {
    let config = ThermalPrinterConfig {
        cutter_distance_dots: 100,
        ..ThermalPrinterConfig::default()
    };
    let rows = vec![vec![0xFF; 48]; 150];
    // Function A right after the image: the cut goes through row 50.
    let mut model = printer(config.clone());
    feed_all(
        &mut model,
        &[gs_v_0(48, &rows), vec![GS, b'V', 1]].concat(),
        9,
    );
    let receipts = model.receipts();
    assert_eq!(model.cut_count(), 1);
    assert_eq!(receipts[0].height(), 50);
    assert_eq!(receipts[1].height(), 100);
    // Function B with n = 8: the whole image and 8 blank rows go with the receipt.
    let mut model = printer(config);
    feed_all(
        &mut model,
        &[gs_v_0(48, &rows), vec![GS, b'V', 66, 8]].concat(),
        9,
    );
    let receipts = model.receipts();
    assert_eq!(receipts[0].height(), 158);
    assert_eq!(receipts[0].black_dots(), 150 * 384);
    assert_eq!(
        receipts.len(),
        2,
        "100 rows of blank paper stay on the roll"
    );
}

#[test]
fn dle_eot_answers_at_once_and_reports_paper_end() {
    let board = SimBoard::new();
    let model = printer(ThermalPrinterConfig::default());
    let control: SimPortControl = board.attach_port("/dev/usb/lp0", model.clone(), Link::USB);
    let mut port = control.open();
    let mut reply = [0u8; 1];
    port.write_all(&[DLE, EOT, 4]).expect("write");
    port.read_exact(&mut reply).expect("status");
    assert_eq!(reply[0], 0x12, "paper present");
    model.set_paper_out(true);
    for (request, expected) in [(1, 0x1A), (2, 0x32), (4, 0x7E)] {
        port.write_all(&[DLE, EOT, request]).expect("write");
        port.read_exact(&mut reply).expect("status");
        assert_eq!(reply[0], expected, "DLE EOT {request}");
    }
}

#[test]
fn the_port_says_a_reply_is_waiting_only_while_one_is() {
    let board = SimBoard::new();
    let model = printer(ThermalPrinterConfig::default());
    let control: SimPortControl = board.attach_port("/dev/usb/lp0", model, Link::USB);
    let mut port = control.open();
    assert!(!embedded_io::ReadReady::read_ready(&mut port).expect("ready"));
    // Picture data that happens to hold DLE EOT 1 is answered like a question.
    port.write_all(&[0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x01, 0x00, DLE])
        .expect("write");
    port.write_all(&[EOT, 1]).expect("write");
    assert!(embedded_io::ReadReady::read_ready(&mut port).expect("ready"));
    let mut reply = [0u8; 1];
    port.read_exact(&mut reply).expect("the stale reply");
    assert!(!embedded_io::ReadReady::read_ready(&mut port).expect("ready"));
}

#[test]
fn with_paper_out_the_head_stops_and_resumes_with_a_new_roll() {
    let mut model = printer(ThermalPrinterConfig::default());
    model.set_paper_out(true);
    let rows = vec![vec![0xFF; 48]; 10];
    model.receive(Instant::ZERO, &gs_v_0(48, &rows));
    model.print_buffered();
    assert_eq!(model.paper().height(), 0);
    assert_eq!(model.buffered_bytes(), 8 + 480);
    model.set_paper_out(false);
    model.print_buffered();
    assert_eq!(model.paper().black_dots(), 10 * 384);
}

#[test]
fn the_buffer_drains_at_the_print_speed() {
    // 203 dpi at 25.4 mm/s is 203 rows a second: 100 rows keep the head busy for 100/203 s.
    let mut model = printer(ThermalPrinterConfig {
        speed_mm_per_s: 25.4,
        buffer_bytes: 8192,
        ..ThermalPrinterConfig::default()
    });
    let rows = vec![vec![0x0F; 48]; 100];
    let stream = gs_v_0(48, &rows);
    assert_eq!(model.receive(Instant::ZERO, &stream), stream.len());
    // The head took the header and the first row, then waits for the paper.
    assert_eq!(model.buffered_bytes(), stream.len() - 8 - 48);
    let done = model.print_buffered();
    let row = Duration::from_nanos((1e9_f64 / 203.0).round() as u64);
    assert_eq!(done.since_start(), row * 100);
}

#[test]
fn with_flow_control_a_full_buffer_refuses_and_says_when_it_has_room() {
    let mut model = printer(ThermalPrinterConfig {
        buffer_bytes: 100,
        ..ThermalPrinterConfig::default()
    });
    let rows = vec![vec![0x01; 48]; 10];
    let stream = gs_v_0(48, &rows);
    // Head takes the header + one row (56 bytes), then 100 fit in the buffer.
    let taken = model.receive(Instant::ZERO, &stream);
    assert_eq!(taken, 156);
    assert_eq!(model.overflowed_bytes(), 0);
    let ready = model.ready_at(Instant::ZERO);
    assert_eq!(ready, Instant::ZERO + model.config().row_time());
    assert_eq!(model.receive(ready, &stream[taken..]), 48);
}

#[test]
fn a_serial_link_without_flow_control_loses_what_does_not_fit() {
    let board = SimBoard::new();
    let config = ThermalPrinterConfig {
        buffer_bytes: 512,
        flow_control: false,
        speed_mm_per_s: 4.0,
        ..ThermalPrinterConfig::default()
    };
    let model = printer(config);
    let control = board.attach_port("/dev/serial0", model.clone(), Link::serial(19_200));
    let rows = vec![vec![0x55; 48]; 300];
    let stream = gs_v_0(48, &rows);
    control.open().write_all(&stream).expect("write");
    model.print_buffered();
    assert!(model.overflowed_bytes() > 0);
    assert_eq!(model.bytes_received(), stream.len() as u64);
    assert!(board.now() > Instant::ZERO);
}

#[test]
fn garbage_never_panics_and_is_counted() {
    use rand::{RngExt, SeedableRng};
    // Bytes biased towards command prefixes, so every parser state is visited.
    let alphabet = [
        ESC, GS, DLE, FS, DC2, LF, 0, b'v', b'0', b'(', b'L', b'8', b'*', b'V',
    ];
    for seed in 0..200u64 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let length = rng.random_range(1..4000);
        let bytes: Vec<u8> = (0..length)
            .map(|_| {
                if rng.random_bool(0.5) {
                    alphabet[rng.random_range(0..alphabet.len())]
                } else {
                    rng.random()
                }
            })
            .collect();
        let mut model = printer(ThermalPrinterConfig {
            buffer_bytes: 64,
            flow_control: seed % 2 == 0,
            ..ThermalPrinterConfig::default()
        });
        let mut now = Instant::ZERO;
        let mut rest = bytes.as_slice();
        while !rest.is_empty() {
            let chunk = rng.random_range(1..=rest.len().min(97));
            let taken = model.receive(now, &rest[..chunk]);
            rest = &rest[if model.config().flow_control {
                taken
            } else {
                chunk
            }..];
            now = model.ready_at(now).max(now + Duration::from_millis(1));
        }
        let mut reply = [0u8; 300];
        model.send(now, &mut reply);
        model.print_buffered();
        let paper = model.paper();
        assert_eq!(paper.width(), 384);
        assert!(paper.black_dots() <= paper.height() as usize * 384);
    }
}

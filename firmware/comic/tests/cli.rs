//! The `comic` command line end to end on a small library: make, print on the simulator's
//! printer, reprint from the archive, check; and the printed dots against an independent raster.
//! Run in-process (`comic::cli::run`); tests/daemon.rs starts the real binary.

mod common;

use std::path::{Path, PathBuf};

use clap::Parser as _;

use comic::archive::Sidecar;
use common::Fixture;

fn write_config(fixture: &Fixture) -> PathBuf {
    write_config_for(fixture, "csn-a2-ttl")
}

/// A config on the simulated board with the printer `profile`.
fn write_config_for(fixture: &Fixture, profile: &str) -> PathBuf {
    let root = fixture.root();
    let config = root.join("comic.toml");
    std::fs::write(
        &config,
        format!(
            "[board]\nbackend = \"sim\"\n\n[pins]\nbutton = 5\nready_led = 4\nbusy_led = 27\nerror_led = 17\n\n\
             [printer]\nport = \"serial:/dev/serial0@19200\"\nprofile = \"{profile}\"\n\n\
             [comic]\nevent = \"Test day\"\nlibrary = \"{}\"\narchive_dir = \"archive\"\n\
             page_width_mm = 100.0\narchive_dpi = 120\n",
            root.display()
        ),
    )
    .expect("config");
    config
}

/// `comic --config CONFIG ARGS…`: what it prints, or its error as the binary would print it.
fn comic(config: &Path, args: &[&str]) -> Result<String, String> {
    let config = config.display().to_string();
    // The state folder (archive, edits) next to the config, never the developer's own.
    let state = Path::new(&config).with_file_name("").display().to_string();
    let argv = ["comic", "--config", &config, "--state", &state]
        .into_iter()
        .chain(args.iter().copied());
    let parsed = comic::cli::Args::try_parse_from(argv).map_err(|e| e.to_string())?;
    comic::cli::run(parsed).map_err(|e| format!("{e:#}"))
}

fn ok(output: Result<String, String>) -> String {
    output.unwrap_or_else(|error| panic!("failed: {error}"))
}

fn sidecar(archive: &Path, number: u64) -> Sidecar {
    let text = std::fs::read(archive.join(format!("comic-{number:06}.json"))).expect("sidecar");
    serde_json::from_slice(&text).expect("valid sidecar")
}

#[test]
fn make_print_and_reprint_through_the_archive() {
    let fixture = Fixture::new(12, 0);
    let config = write_config(&fixture);
    let archive = fixture.root().join("archive");

    let footer = ok(comic(
        &config,
        &["make", "--seed", "42", "--date", "2026-11-25"],
    ));
    assert_eq!(footer.trim(), "No. 1 | Test day | 2026-11-25 | seed 42");
    let first = sidecar(&archive, 1);
    assert_eq!((first.comic.seed, first.comic.number), (42, 1));
    assert_eq!(
        first.print.as_ref().map(|p| p.profile.as_str()),
        Some("csn-a2-ttl")
    );
    let png = image::open(archive.join(&first.png))
        .expect("png")
        .to_luma8();
    assert_eq!(png.width(), 472, "100 mm at 120 dpi");

    // Same seed again: the same art in the same places; only the number differs.
    ok(comic(
        &config,
        &["make", "--seed", "42", "--date", "2026-11-25"],
    ));
    let second = sidecar(&archive, 2);
    assert_eq!(
        second.comic.panels, first.comic.panels,
        "same art, same places"
    );
    let png2 = image::open(archive.join(&second.png))
        .expect("png")
        .to_luma8();
    let rows = first.artwork_rows as usize * 472;
    assert_eq!(
        png.as_raw()[..rows],
        png2.as_raw()[..rows],
        "artwork identical"
    );

    // Print on the simulator's printer (paced over 19200 baud in virtual time).
    ok(comic(
        &config,
        &["print", "--seed", "7", "--date", "2026-11-25"],
    ));
    let paper = image::open(archive.join("comic-000003.paper.png"))
        .expect("paper")
        .to_luma8();
    assert_eq!(paper.width(), 384, "the 58 mm head");
    let black = paper.pixels().filter(|p| p.0[0] == 0).count();
    assert!(
        black > 5_000,
        "the comic is on the paper ({black} black dots)"
    );

    // A reprint re-encodes the archived PNG, which gives exactly the stream saved with it.
    let saved =
        std::fs::read(archive.join(&first.print.as_ref().expect("print").file)).expect("escpos");
    let page = comic::library::read_gray(&archive.join(&first.png)).expect("png");
    let again = comic::print::job(
        &page.top_rows(first.artwork_rows),
        comic::print::footer_lines_for(1, "2026-11-25", "Test day", 42),
        &comic::profile::PrinterProfile::builtin_named("csn-a2-ttl").expect("profile"),
        comic::raster::Binarisation::Atkinson,
    )
    .expect("encodes");
    assert_eq!(again.bytes(), saved.as_slice());
    ok(comic(&config, &["reprint", "1"]));
    let reprinted = image::open(archive.join("comic-000001.paper.png"))
        .expect("paper")
        .to_luma8();
    assert_eq!(reprinted.width(), 384);

    let message = comic(&config, &["reprint", "99"]).expect_err("no such comic");
    assert!(
        message.contains("no comic number 99") && message.contains("comics 1–3"),
        "{message}"
    );
}

#[test]
fn check_reports_the_library_and_its_problems() {
    let fixture = Fixture::new(3, 1);
    let config = write_config(&fixture);
    std::fs::write(fixture.root().join("grids/broken.png"), b"nope").expect("broken grid");
    let report = ok(comic(&config, &["check"]));
    assert!(report.contains("2 grids, 3 pieces of art"), "{report}");
    assert!(report.contains("grid `four` panel"), "{report}");
    assert!(
        report.contains("skipped: grid skipped:") && report.contains("broken.png"),
        "{report}"
    );

    let bad_date = comic(&config, &["make", "--date", "25/11/2026"]).expect_err("bad date");
    assert!(bad_date.contains("accepted: YYYY-MM-DD"), "{bad_date}");
}

#[test]
fn the_printed_dots_are_the_comics_raster() {
    use atelier_sim::SimBoard;
    use comic::compose::{Request, compose};
    use comic::print;
    use comic::profile::PrinterProfile;
    use comic::raster::{Binarisation, GrayImage};
    use embedded_io::Write as _;

    let fixture = Fixture::new(12, 0);
    let library = fixture.library();
    let comic = compose(
        &library,
        &Request {
            seed: 3,
            theme: None,
            number: 1,
            date: "2026-11-25".into(),
            event: "Test".into(),
        },
    )
    .expect("composes");
    let artwork = comic.page.top_rows(comic.artwork_rows);
    let page =
        image::GrayImage::from_raw(artwork.width(), artwork.height(), artwork.pixels().to_vec())
            .expect("same size");
    for profile in PrinterProfile::builtin() {
        // The expectation shares no code with the encoder's raster: the page is brought to the
        // head's width by the `image` crate, and the comic's own scaling then has nothing to
        // do; a threshold is the one binarisation whose every dot is known without running it.
        let width = profile.width_dots;
        let height = (u64::from(page.height()) * u64::from(width) / u64::from(page.width())) as u32;
        let fitted =
            image::imageops::resize(&page, width, height, image::imageops::FilterType::Triangle);
        let expected_black = |x: u32, y: u32| fitted.get_pixel(x, y).0[0] < 128;
        let at_width = GrayImage::new(width, height, fitted.as_raw().clone()).expect("image");
        let job = print::job(
            &at_width,
            print::footer_lines(&comic.record),
            &profile,
            Binarisation::Threshold { level: 128 },
        )
        .expect("encodes");
        let board = SimBoard::new();
        let printer = comic::simulated::printer_for(&profile);
        board.attach_port(
            "/dev/printer",
            printer.clone(),
            comic::simulated::link_for(&profile),
        );
        let mut port = board.open_port("/dev/printer").expect("port");
        print::send(&mut port, &profile, &job, board.clock()).expect("sent");
        port.flush().expect("flushed");
        printer.print_buffered();
        let paper = printer.paper();
        assert!(paper.height() >= height, "{}", profile.name);
        let mut black = 0;
        for y in 0..height {
            for x in 0..width {
                assert_eq!(
                    paper.is_black(x, y),
                    expected_black(x, y),
                    "{}: dot ({x}, {y})",
                    profile.name
                );
                black += usize::from(expected_black(x, y));
            }
        }
        assert!(black > 1000, "{}: a picture, not a blank", profile.name);
        let text: Vec<String> = printer.text().into_iter().map(|t| t.text).collect();
        assert!(
            text.iter().any(|t| t.contains("seed 3")),
            "{}: {text:?}",
            profile.name
        );
        assert_eq!(
            printer.overflowed_bytes(),
            0,
            "{}: nothing lost",
            profile.name
        );
    }
}

/// A network printer on a loopback port that answers the status questions a session opens with
/// (`DLE EOT n`), with or without paper, and keeps everything it gets.
fn network_printer(paper: bool) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("a connection");
        let mut received = Vec::new();
        let mut answered = 0;
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
            // Questions are whole 3-byte groups at the start; the job comes after them.
            while let Some(&[0x10, 0x04, n]) = received.get(answered..answered + 3) {
                let flags = match (n, paper) {
                    (1, false) => 0x08, // offline
                    (2, false) => 0x20, // because of paper end
                    _ => 0,
                };
                stream.write_all(&[0x12 | flags]).expect("reply");
                answered += 3;
            }
        }
        received
    });
    (port, handle)
}

#[test]
fn printing_over_tcp_and_to_a_file_sends_the_archived_stream() {
    let fixture = Fixture::new(12, 0);
    // A network printer: its link has flow control, so the job goes out unpaced (a TTL profile
    // would be paced to its print speed, in real time here).
    let config = write_config_for(&fixture, "epson-tm-t20");
    let archive = fixture.root().join("archive");

    let (port, printer) = network_printer(true);
    let tcp = format!("tcp:127.0.0.1:{port}");
    ok(comic(
        &config,
        &["print", "--seed", "9", "--board", "cdev", "--port", &tcp],
    ));
    let received = printer.join().expect("printer thread");
    let saved = std::fs::read(archive.join("comic-000001.escpos")).expect("saved stream");
    assert_eq!(
        &received[..6],
        &[0x10, 0x04, 1, 0x10, 0x04, 4],
        "asked if ready, then about the roll"
    );
    assert_eq!(
        &received[6..],
        saved.as_slice(),
        "then the job, byte for byte"
    );

    let file = fixture.root().join("out.bin");
    let spec = format!("file:{}", file.display());
    ok(comic(
        &config,
        &["reprint", "1", "--board", "cdev", "--port", &spec],
    ));
    assert_eq!(
        std::fs::read(&file).expect("written"),
        saved,
        "a file gets no status query"
    );
}

#[test]
fn a_printer_out_of_paper_stops_the_print_and_keeps_the_comic() {
    let fixture = Fixture::new(12, 0);
    let config = write_config(&fixture);
    let (port, printer) = network_printer(false);
    let tcp = format!("tcp:127.0.0.1:{port}");
    let message = comic(
        &config,
        &["print", "--seed", "9", "--board", "cdev", "--port", &tcp],
    )
    .expect_err("no paper");
    assert!(
        message.contains("out of paper") && message.contains("comic reprint 1"),
        "{message}"
    );
    let received = printer.join().expect("printer thread");
    assert_eq!(
        received,
        [0x10, 0x04, 1, 0x10, 0x04, 2],
        "nothing but the questions were sent"
    );
    assert!(
        fixture.root().join("archive/comic-000001.json").exists(),
        "the comic is kept"
    );
}

//! Press → first byte of the comic at the printer, in real time, on the simulated board with
//! the shipped library: the robot's real loop, real debounce driver, real spool writes (fsync)
//! and the next comic made ahead. Target: p99 < 100 ms.
//!
//! A custom harness rather than divan: the number that matters is a tail percentile of one
//! event per press, and each press must wait until the robot is idle with its next comic made.
//!
//! `cargo bench -p comic --bench press_to_paper [-- PRESSES]`

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_board::Board;
use atelier_hal::Clock as _;
use atelier_sim::{Bounce, ButtonScript, Direction, Pace, SimBoard, VirtualClock};
use comic::config::ComicConfig;
use comic::maker::Maker;
use comic::robot::spool::Spool;
use comic::robot::{Event, Finish, Robot, Wiring};

/// A printer port that cannot answer status (`file:`): the robot sends as soon as it has a job,
/// so the time measured is the robot's own.
const PORT: &str = "file:/bench/printer.bin";

fn main() {
    let presses: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40);
    let checkout = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let state = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(checkout.join("hardware/comic.toml"))
        .expect("shipped config")
        .replace("backend = \"rpi\"", "backend = \"sim\"")
        .replace("serial:/dev/serial0@19200", PORT)
        .replace("profile = \"csn-a2-ttl\"", "profile = \"generic-58mm-usb\"")
        .replace("library = \"comic\"", "library = \"../assets/comic\"")
        .replace(
            "archive_dir = \"archive\"",
            &format!(
                "archive_dir = \"{}\"",
                state.path().join("archive").display()
            ),
        );
    let config_path = checkout.join("hardware/comic.toml");
    let mut config: ComicConfig =
        atelier_config::parse_checked(&text, &config_path).expect("config");
    config.comic.library = checkout.join("assets/comic");
    config.robot.queue_limit = presses + 1;

    let sim = SimBoard::with_clock(VirtualClock::with_pace(Pace::RealTime { speed: 1.0 }));
    let printer = atelier_sim::ByteCapture::new();
    let port = sim.attach_port(PORT, printer, atelier_sim::Link::USB);
    let button = sim.input_line(config.pins.button.number(), true);
    let mut board = Board::sim(sim.clone());
    let wiring = Wiring::from_board(&mut board, &config).expect("wiring");
    let maker = Maker::new(&config, &config_path, &config.comic.archive_dir).expect("maker");
    let spool = Spool::open(&state.path().join("spool")).expect("spool");

    let events: Arc<Mutex<Vec<Event>>> = Arc::default();
    let heard = Arc::clone(&events);
    let started = Robot::new(wiring, maker, spool)
        .start(move |event| heard.lock().expect("events").push(event.clone()))
        .expect("starts");
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = Arc::clone(&stop);
    let clock = sim.clock();
    let robot = std::thread::spawn(move || started.run(None, stopper, Finish::AfterCurrent));

    let ready = |number: u64| {
        events
            .lock()
            .expect("events")
            .iter()
            .any(|e| matches!(e, Event::Ready { number: n, .. } if *n == number))
    };
    let mut latencies = Vec::with_capacity(presses);
    for number in 1..=presses as u64 {
        // Idle, with this press's comic made ahead, as a visitor would find the robot.
        while !ready(number) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(50));
        let before = port.log_len();
        let pressed_at = clock.now() + Duration::from_millis(5);
        let script = ButtonScript::active_low(number).press(
            pressed_at,
            Duration::from_millis(120),
            Bounce::TACTILE,
        );
        button.schedule_all(script.levels());
        let first_byte = loop {
            if let Some(record) = port
                .log_since(before)
                .iter()
                .find(|r| r.direction == Direction::ToDevice)
            {
                break record.at;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        latencies.push(first_byte - pressed_at);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    robot.join().expect("robot thread").expect("robot");

    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "press → first byte over {presses} presses: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms \
         (includes the 20 ms settle time)",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*latencies.last().expect("presses"))
    );
}

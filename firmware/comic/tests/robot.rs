//! The comic robot as a machine, on the simulated board in virtual time: bouncy presses on the
//! real debounce driver, the real robot loop, and the simulated thermal printer decoding the
//! bytes independently of the encoder (its own ESC/POS interpreter, text and cuts).

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atelier_board::Board;
use atelier_hal::Clock as _;
use atelier_hal::Instant;
use atelier_sim::{Bounce, ButtonScript, SimBoard, SimPortControl, ThermalPrinter, VirtualClock};
use comic::config::ComicConfig;
use comic::maker::Maker;
use comic::profile::PrinterProfile;
use comic::robot::spool::Spool;
use comic::robot::{Event, Fault, Finish, Inbox, Refusal, Request, Robot, Wiring};
use comic::simulated::{decode_paper_log, link_for, printer_for};
use common::Fixture;

const PORT: &str = "serial:/dev/serial0@19200";
const BUTTON: u8 = 5;

fn at_ms(ms: u64) -> Instant {
    Instant::from_nanos(ms * 1_000_000)
}

/// A robot config on the simulated board, with `robot` as its `[robot]` table.
fn config(fixture: &Fixture, robot: &str) -> (ComicConfig, PathBuf) {
    let root = fixture.root();
    let path = root.join("comic.toml");
    let text = format!(
        "[board]\nbackend = \"sim\"\n\n[pins]\nbutton = {BUTTON}\nready_led = 4\nbusy_led = 27\nerror_led = 17\n\n\
         [printer]\nport = \"{PORT}\"\nprofile = \"csn-a2-ttl\"\n\n\
         [comic]\nevent = \"Test day\"\nlibrary = \"{}\"\narchive_dir = \"{}\"\n\
         page_width_mm = 100.0\narchive_dpi = 120\n\n[robot]\n{robot}\n",
        root.display(),
        root.join("archive").display(),
    );
    std::fs::write(&path, &text).expect("config");
    let config = atelier_config::load_checked::<ComicConfig>(&path).expect("valid config");
    (config, path)
}

struct Run {
    events: Vec<Event>,
    printer: ThermalPrinter,
    /// Every LED change as the world saw it: (GPIO, time, lit).
    leds: Vec<(u8, Instant, bool)>,
}

impl Run {
    /// Whether LED `bcm` was lit at `at`.
    fn level_at(&self, bcm: u8, at: Instant) -> bool {
        self.leds
            .iter()
            .rfind(|(pin, when, _)| *pin == bcm && *when <= at)
            .is_some_and(|(_, _, on)| *on)
    }

    /// When LED `bcm` was switched on.
    fn lit(&self, bcm: u8) -> Vec<Instant> {
        self.leds
            .iter()
            .filter(|(pin, _, on)| *pin == bcm && *on)
            .map(|(_, at, _)| *at)
            .collect()
    }
}

/// Runs the robot on the simulated board until `until`, presses scripted by `script`, then
/// lets it print every job it accepted.
fn run_robot(fixture: &Fixture, robot_settings: &str, script: ButtonScript, until: Instant) -> Run {
    run_robot_in(fixture, robot_settings, script, until, |_, _, _, _| {})
}

/// [`run_robot`] with `world` running beside the robot on the same virtual clock: a person
/// pulling the paper, unplugging the printer.
fn run_robot_in(
    fixture: &Fixture,
    robot_settings: &str,
    script: ButtonScript,
    until: Instant,
    world: impl FnOnce(VirtualClock, ThermalPrinter, SimPortControl, Inbox) + Send + 'static,
) -> Run {
    let (config, config_path) = config(fixture, robot_settings);
    let sim = SimBoard::new();
    let profile = PrinterProfile::builtin_named("csn-a2-ttl").expect("profile");
    let printer = printer_for(&profile);
    let port = sim.attach_port(PORT, printer.clone(), link_for(&profile));
    sim.input_line(BUTTON, true).schedule_all(script.levels());
    let leds = Arc::new(Mutex::new(Vec::new()));
    for bcm in [4, 27, 17] {
        let leds = Arc::clone(&leds);
        sim.output_line(bcm)
            .on_change(move |at, on| leds.lock().expect("leds").push((bcm, at, on)));
    }
    let mut board = Board::sim(sim.clone());
    let wiring = Wiring::from_board(&mut board, &config).expect("wiring");
    let maker = Maker::new(&config, &config_path, &config.comic.archive_dir).expect("maker");
    let spool = Spool::open(&fixture.root().join("spool")).expect("spool");
    let events = Arc::new(Mutex::new(Vec::new()));
    let heard = Arc::clone(&events);
    let inbox = Inbox::new();
    let world_inbox = inbox.clone();
    let started = Robot::new(wiring, maker, spool)
        .with_inbox(inbox)
        .start(move |event| heard.lock().expect("events").push(event.clone()))
        .expect("robot starts");
    // The world takes part in virtual time from the robot's start, so no instant slips past
    // either of them.
    let member = sim.clock().participant();
    let (clock, world_printer) = (sim.clock(), printer.clone());
    let world = std::thread::spawn(move || {
        let _member = member;
        world(clock, world_printer, port, world_inbox);
    });
    started
        .run(Some(until), Arc::new(AtomicBool::new(false)), Finish::Drain)
        .expect("robot runs");
    world.join().expect("the world's thread");
    let events = events.lock().expect("events").clone();
    let leds = leds.lock().expect("leds").clone();
    Run {
        events,
        printer,
        leds,
    }
}

/// The comic numbers the simulated printer printed, in paper order, read from the footer
/// text its interpreter decoded.
fn numbers_on_paper(printer: &ThermalPrinter) -> Vec<u64> {
    printer
        .text()
        .iter()
        .filter_map(|line| {
            let rest = line.text.trim().strip_prefix("No. ")?;
            rest.split_whitespace().next()?.parse().ok()
        })
        .collect()
}

fn spool_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("spool")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("job-"))
        .collect();
    names.sort();
    names
}

#[test]
fn bouncy_presses_become_that_many_comics_on_paper_in_order() {
    let fixture = Fixture::new(8, 0);
    let mut script = ButtonScript::active_low(7);
    for (i, ms) in [1_000, 2_500, 40_000].into_iter().enumerate() {
        script = script.press(
            at_ms(ms),
            Duration::from_millis(120 + 40 * i as u64),
            Bounce::TACTILE,
        );
    }
    let run = run_robot(&fixture, "", script, at_ms(60_000));

    assert_eq!(numbers_on_paper(&run.printer), [1, 2, 3]);
    assert_eq!(run.printer.overflowed_bytes(), 0);
    assert!(
        run.printer.errors().is_empty(),
        "{:?}",
        run.printer.errors()
    );
    let accepted: Vec<u64> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Accepted { number, .. } => Some(*number),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, [1, 2, 3]);
    assert!(spool_files(&fixture.root().join("spool")).is_empty());

    // The press path does no composing: every comic was ready before its press (composing
    // takes no virtual time, so only the order of events can show this).
    let position = |wanted: &dyn Fn(&Event) -> bool| run.events.iter().position(wanted);
    for number in 1..=3 {
        let ready = position(&|e| matches!(e, Event::Ready { number: n, .. } if *n == number));
        let accepted =
            position(&|e| matches!(e, Event::Accepted { number: n, .. } if *n == number));
        assert!(
            ready.expect("made") < accepted.expect("accepted"),
            "comic {number} was made after its press"
        );
    }
    // Its first byte goes out at the press itself, plus the settle time and a status question.
    let pressed = run.events.iter().find_map(|e| match e {
        Event::Accepted {
            number: 1,
            pressed_at,
            ..
        } => Some(*pressed_at),
        _ => None,
    });
    let printing = run.events.iter().find_map(|e| match e {
        Event::Printing { number: 1, at } => Some(*at),
        _ => None,
    });
    let (pressed, printing) = (pressed.expect("pressed"), printing.expect("printing"));
    assert!(
        printing - pressed < Duration::from_millis(100),
        "first byte {:?} after the press",
        printing - pressed
    );
    // The busy LED came on for each comic; the ready LED was on before the first press.
    let printing_started: Vec<Instant> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Printing { at, .. } => Some(*at),
            _ => None,
        })
        .collect();
    for started in printing_started {
        let during = started + Duration::from_millis(500);
        assert!(run.level_at(27, during), "busy LED dark while printing");
        assert!(!run.level_at(17, during), "red LED lit while printing");
    }
    assert!(run.lit(4).iter().any(|&on| on < pressed));
}

#[test]
fn fifty_presses_in_a_second_hold_the_bound_and_every_refusal_is_signalled() {
    let fixture = Fixture::new(8, 0);
    let mut script = ButtonScript::active_low(3);
    for i in 0..50 {
        script = script.press(
            at_ms(1_000 + 20 * i),
            Duration::from_millis(8),
            Bounce::NONE,
        );
    }
    let run = run_robot(
        &fixture,
        "queue_limit = 4\nsettle_ms = 2",
        script,
        at_ms(10_000),
    );

    let accepted = run
        .events
        .iter()
        .filter(|e| matches!(e, Event::Accepted { .. }))
        .count();
    let refused: Vec<&Refusal> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Refused { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(accepted, 4);
    assert_eq!(refused.len(), 46);
    assert!(
        refused
            .iter()
            .all(|r| **r == Refusal::QueueFull { limit: 4 })
    );
    assert_eq!(numbers_on_paper(&run.printer), [1, 2, 3, 4]);
    // The refusal showed: the red LED flashed while the queue was full.
    let flashes = run
        .lit(17)
        .into_iter()
        .filter(|&at| at > at_ms(1_000) && at < at_ms(4_000))
        .count();
    assert!(flashes >= 4, "red LED lit {flashes} times while refusing");
}

#[test]
fn a_cut_off_comic_swallows_the_next_unless_the_printer_is_resynchronised() {
    let fixture = Fixture::new(8, 0);
    let (mut config, config_path) = config(&fixture, "");
    // Bands as tall as the picture: a cut-off band waits for more bytes than a comic has.
    config.printer.profile = "epson-tm-t20".into();
    let maker = Maker::new(&config, &config_path, &config.comic.archive_dir).expect("maker");
    let date = || "2026-12-06".to_owned();
    let first = maker.make(1, 11, date(), None).expect("comic 1").job;
    let second = maker.make(2, 22, date(), None).expect("comic 2").job;
    let profile = maker.profile();
    // Cut off in the middle of its picture, as a killed process or a pulled cable leaves it.
    let cut_off = &first.bytes()[..first.bytes().len() / 2];

    let without = decode_paper_log(profile, &[cut_off, second.bytes()].concat());
    assert!(
        !numbers_on_paper(&without).contains(&2),
        "the simulated printer should read the next comic as picture data"
    );
    let resync = comic::escpos::resynchronise(profile);
    let with = decode_paper_log(profile, &[cut_off, &resync, second.bytes()].concat());
    assert_eq!(numbers_on_paper(&with), [2]);
    assert!(with.errors().is_empty(), "{:?}", with.errors());
}

#[test]
fn paper_out_in_the_middle_of_a_comic_then_paper_back_prints_it_whole_once() {
    let fixture = Fixture::new(8, 0);
    let script = ButtonScript::active_low(5)
        .press(at_ms(1_000), Duration::from_millis(100), Bounce::TACTILE)
        .press(at_ms(3_000), Duration::from_millis(100), Bounce::TACTILE);
    let run = run_robot_in(
        &fixture,
        "retry_first_s = 1.0\nretry_max_s = 4.0",
        script,
        at_ms(110_000),
        |clock, printer, _port, _inbox| {
            // Comic 1 takes about 20 s on this printer: the roll ends 6 s in, a new one goes in
            // a minute later.
            clock.sleep_until(at_ms(7_000));
            printer.set_paper_out(true);
            clock.sleep_until(at_ms(67_000));
            printer.set_paper_out(false);
        },
    );
    assert_eq!(numbers_on_paper(&run.printer), [1, 2]);
    let faults: Vec<&Fault> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Fault { fault, .. } => Some(fault),
            _ => None,
        })
        .collect();
    assert!(!faults.is_empty() && faults.iter().all(|f| **f == Fault::PaperOut));
    assert!(run.events.contains(&Event::Resynchronised));
    // The red LED blinked while the paper was out.
    let blinks = run
        .lit(17)
        .into_iter()
        .filter(|&at| at > at_ms(20_000) && at < at_ms(67_000))
        .count();
    assert!(
        blinks >= 20,
        "red LED lit {blinks} times in 47 s of paper out"
    );
    assert!(spool_files(&fixture.root().join("spool")).is_empty());
}

#[test]
fn a_printer_unplugged_while_printing_gets_the_comic_whole_when_plugged_back() {
    let fixture = Fixture::new(8, 0);
    let script =
        ButtonScript::active_low(9).press(at_ms(1_000), Duration::from_millis(100), Bounce::NONE);
    let run = run_robot_in(
        &fixture,
        "retry_first_s = 0.5\nretry_max_s = 2.0",
        script,
        at_ms(60_000),
        |clock, _printer, port, _inbox| {
            clock.sleep_until(at_ms(6_000));
            port.unplug();
            clock.sleep_until(at_ms(30_000));
            port.plug();
        },
    );
    assert_eq!(numbers_on_paper(&run.printer), [1]);
    let unreachable = run
        .events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::Fault {
                    fault: Fault::Unreachable(_) | Fault::NotAnswering,
                    ..
                }
            )
        })
        .count();
    assert!(unreachable >= 3, "{:?}", run.events);
    assert!(run.events.contains(&Event::Resynchronised));
    // The red LED was on, steadily, while the printer was gone.
    assert!(run.level_at(17, at_ms(20_000)) && run.level_at(17, at_ms(20_600)));
    assert!(!run.level_at(17, at_ms(50_000)));
}

#[test]
fn holding_the_button_prints_that_comic_then_runs_the_shutdown_command() {
    let fixture = Fixture::new(8, 0);
    let marker = fixture.root().join("shut-down");
    let script = ButtonScript::active_low(4)
        .press(at_ms(1_000), Duration::from_millis(200), Bounce::TACTILE)
        .press(at_ms(2_000), Duration::from_millis(6_000), Bounce::TACTILE)
        .press(at_ms(9_000), Duration::from_millis(200), Bounce::TACTILE);
    let settings = format!(
        "hold_to_shut_down_s = 5.0\nshutdown_command = [\"touch\", \"{}\"]",
        marker.display()
    );
    let run = run_robot(&fixture, &settings, script, at_ms(120_000));

    // The held press made its comic; the one after the hold was refused; then the command ran.
    assert_eq!(numbers_on_paper(&run.printer), [1, 2]);
    let position = |wanted: &Event| run.events.iter().position(|e| e == wanted);
    let requested = position(&Event::ShutdownRequested).expect("shutdown requested");
    let started = position(&Event::ShutdownStarted).expect("shutdown started");
    let last_printed = run
        .events
        .iter()
        .rposition(|e| matches!(e, Event::Printed { .. }))
        .expect("printed");
    assert!(requested < last_printed && last_printed < started);
    assert!(run.events.iter().any(|e| matches!(
        e,
        Event::Refused {
            reason: Refusal::ShuttingDown,
            ..
        }
    )));
    assert!(marker.exists(), "the shutdown command did not run");
    // All three LEDs blinked together while waiting for the last comic.
    let at = run
        .events
        .iter()
        .find_map(|e| match e {
            Event::Printing { number: 2, at } => Some(*at),
            _ => None,
        })
        .expect("comic 2 printing")
        + Duration::from_secs(8);
    let lit = |at| [4, 27, 17].map(|led| run.level_at(led, at));
    assert!(
        (0..8).any(|i| lit(at + Duration::from_millis(125 * i)) == [true; 3])
            && (0..8).any(|i| lit(at + Duration::from_millis(125 * i)) == [false; 3]),
        "LEDs did not blink together"
    );
}

#[test]
fn the_page_presses_reprints_and_prints_a_note_through_the_inbox() {
    let fixture = Fixture::new(8, 0);
    // Comic 1 from the button; then, from the page: a press (comic 2), a reprint of comic 1,
    // a reprint of comic 2 while it still waits, a reprint of a comic never made, a note, and
    // once comic 1 is out, a reprint of it.
    let script = ButtonScript::active_low(5).press(
        at_ms(1_000),
        Duration::from_millis(100),
        Bounce::TACTILE,
    );
    let run = run_robot_in(&fixture, "", script, at_ms(90_000), |clock, _, _, inbox| {
        clock.sleep_until(at_ms(2_000));
        inbox.send(Request::Press).expect("room");
        clock.sleep_until(at_ms(2_500));
        inbox.send(Request::Reprint(2)).expect("room");
        inbox.send(Request::Reprint(41)).expect("room");
        inbox
            .send(Request::Note(vec!["Pairing code 123456".into()]))
            .expect("room");
        // Comic 1 is on paper about 19 s in: now it may be printed again.
        clock.sleep_until(at_ms(25_000));
        inbox.send(Request::Reprint(1)).expect("room");
    });
    // The printer's own interpreter read the footers: the reprint is comic 1 whole again.
    assert_eq!(numbers_on_paper(&run.printer), [1, 2, 1]);
    assert_eq!(run.printer.overflowed_bytes(), 0);
    assert!(
        run.printer.errors().is_empty(),
        "{:?}",
        run.printer.errors()
    );
    assert!(
        run.printer
            .text()
            .iter()
            .any(|line| line.text.contains("Pairing code 123456")),
        "{:?}",
        run.printer.text()
    );
    assert!(run.events.contains(&Event::Note { printed: true }));
    let refusals: Vec<&Refusal> = run
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Refused { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(
        refusals,
        [
            &Refusal::AlreadyWaiting { number: 2 },
            &Refusal::NotArchived { number: 41 }
        ]
    );
    // The reprint is not the comic made ahead: the next press still gets a new number.
    let ahead = Spool::open(&fixture.root().join("spool"))
        .expect("spool")
        .ahead()
        .expect("ahead");
    assert_eq!(ahead, Some(3));
    assert!(
        run.events
            .contains(&Event::Showing(comic::robot::Pattern::Ready))
    );
}

#[test]
fn the_inbox_is_bounded() {
    let inbox = Inbox::new();
    for _ in 0..comic::robot::INBOX_LIMIT {
        inbox.send(Request::Press).expect("room");
    }
    assert_eq!(
        inbox.send(Request::Press),
        Err(comic::robot::InboxFull),
        "a page cannot queue unbounded work"
    );
}

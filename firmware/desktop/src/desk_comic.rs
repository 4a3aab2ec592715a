//! The comic robot in the desktop simulator: the robot's real loop (button thread, composer,
//! printer thread, spool, archive) on a simulated board, with the parts a person touches on
//! the hardware panel: the button, the three LEDs, the thermal paper as the printer model
//! decoded it from the real ESC/POS bytes, the paper roll and the printer's cable.

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::Board;
use atelier_config::Places;
use atelier_sim::Pace;
use atelier_sim::{SimPortControl, ThermalPrinter};
use comic::config::ComicConfig;
use comic::daemon::{SimParts, attach_printer, sim_parts};
use comic::maker::Maker;
use comic::page::{ComicPage, PrinterSwitch, Watch};
use comic::robot::spool::Spool;
use comic::robot::{Event, Finish, Inbox, Robot, Wiring};
use serde::{Deserialize, Serialize};

/// Lines of printed text the panel shows.
const TEXT_LINES_SHOWN: usize = 8;

/// Events kept for the panel's log.
const EVENTS_KEPT: usize = 40;

/// The most paper rows sent to the page: the end of the roll, some 50 cm at 8 dots/mm.
const PAPER_ROWS_SHOWN: u32 = 4000;

/// What the panel shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComicPanel {
    /// The three LEDs, lit or not, now.
    pub leds: Leds,
    /// Presses accepted since the simulator started.
    pub accepted: u64,
    /// Comics on paper since the simulator started.
    pub printed: u64,
    /// Cuts on the paper so far.
    pub cuts: usize,
    /// The roll is out.
    pub paper_out: bool,
    /// The cable is in.
    pub plugged: bool,
    /// The printer model on the port: its head's width in dots.
    pub paper_width_dots: u32,
    /// The last lines of text on the paper (footers, a pairing code), newest last.
    pub printed_text: Vec<String>,
    /// What happened, newest last.
    pub events: Vec<String>,
}

/// The three LEDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Leds {
    /// Green: ready for a press.
    pub ready: bool,
    /// Yellow: composing or printing.
    pub busy: bool,
    /// Red: the printer needs a hand, or the queue is full.
    pub error: bool,
}

/// A change to the printer from the panel.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterChange {
    /// Take the roll out (true) or put a new one in (false).
    pub paper_out: Option<bool>,
    /// Plug the cable in (true) or pull it (false).
    pub plugged: Option<bool>,
}

#[derive(Debug, Default)]
struct Log {
    events: VecDeque<String>,
    accepted: u64,
    printed: u64,
    /// Presses the robot took or refused: a press from the page ends once it is heard.
    heard: u64,
}

/// The simulated comic robot, running.
#[derive(Debug)]
pub struct DeskComic {
    /// The board, the button and its idle level (the printer in `printer`).
    parts: SimParts,
    /// The printer on the port now, and its cable: another model after a switch.
    printer: Arc<Mutex<(ThermalPrinter, SimPortControl)>>,
    config: ComicConfig,
    log: Arc<Mutex<Log>>,
    plugged: AtomicBool,
    /// What the robot's page needs: its inbox, its view, its archive and spool, its folders.
    inbox: Inbox,
    watch: Watch,
    archive: comic::archive::Archive,
    spool: Spool,
    places: Places,
    /// The running robot's own stop, and whether it starts again after it.
    robot_stop: Arc<AtomicBool>,
    restart: Arc<AtomicBool>,
}

/// The robot's config as the desktop runs it: holding the button shuts a Pi down, and a
/// simulated button must never power off the desktop it runs on.
fn desktop_config(places: &Places) -> anyhow::Result<ComicConfig> {
    let mut config = ComicConfig::load(places)?;
    config.robot.shutdown_command.clear();
    Ok(config)
}

/// The robot's thread: runs the robot; after a printer switch, the new printer model on the
/// port and the robot again.
struct RobotLoop {
    places: Places,
    board: atelier_sim::SimBoard,
    printer: Arc<Mutex<(ThermalPrinter, SimPortControl)>>,
    log: Arc<Mutex<Log>>,
    inbox: Inbox,
    watch: Watch,
    stop: Arc<AtomicBool>,
    robot_stop: Arc<AtomicBool>,
    restart: Arc<AtomicBool>,
}

impl RobotLoop {
    fn run(self, first: (ComicConfig, Maker, Spool)) {
        let mut next = Some(first);
        while let Some((config, maker, spool)) = next.take() {
            if let Err(error) = self.run_once(&config, maker, spool) {
                tracing::error!("the comic robot stopped: {error:#}");
                return;
            }
            if !self.restart.swap(false, Ordering::SeqCst) || self.stop.load(Ordering::SeqCst) {
                return;
            }
            self.robot_stop.store(false, Ordering::SeqCst);
            // The robot's process, as it were, starts again: its pins are free to open.
            self.board.close_all();
            match self.switched() {
                Ok(again) => next = Some(again),
                Err(error) => tracing::error!("the comic robot cannot start again: {error:#}"),
            }
        }
    }

    fn run_once(&self, config: &ComicConfig, maker: Maker, spool: Spool) -> anyhow::Result<()> {
        let mut board = Board::sim(self.board.clone());
        let wiring = Wiring::from_board(&mut board, config)?;
        let robot = Robot::new(wiring, maker, spool).with_inbox(self.inbox.clone());
        let (watching, heard) = (self.watch.clone(), Arc::clone(&self.log));
        let on_event = move |event: &Event| {
            watching.record(event);
            record(&heard, event);
        };
        robot.run(
            None,
            Arc::clone(&self.robot_stop),
            Finish::AfterCurrent,
            on_event,
        )?;
        Ok(())
    }

    /// The config as switched, its maker, and its printer model on the port.
    fn switched(&self) -> anyhow::Result<(ComicConfig, Maker, Spool)> {
        let config = desktop_config(&self.places)?;
        let maker = Maker::new(&config, &self.places.defaults, &config.comic.archive_dir)?;
        let spool = Spool::open(&self.places.state.join("spool"))?;
        let attached = attach_printer(&self.board, &config, &maker, &self.places.state)?;
        tracing::info!(profile = %config.printer.profile, "the simulated printer is switched");
        *self.printer.lock().unwrap_or_else(PoisonError::into_inner) = attached;
        Ok((config, maker, spool))
    }
}

impl DeskComic {
    /// Loads the robot's config from `places` (its state folder, spool and archive are the
    /// simulator's own) and starts the robot on a thread of its own, its clock at `speed`
    /// virtual seconds per wall second. The robot finishes the comic it is printing and stops
    /// when `stop` is set. A printer switched from the robot's page starts the robot again
    /// with that printer model on the port (the board, button and LEDs stay).
    pub fn start(
        places: &Places,
        speed: f64,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<(Arc<DeskComic>, std::thread::JoinHandle<()>)> {
        let config = desktop_config(places)?;
        let maker = Maker::new(&config, &places.defaults, &config.comic.archive_dir)?;
        let spool = Spool::open(&places.state.join("spool"))?;
        // Real time (scaled): the robot's threads wait on queues and locks as well as on the
        // clock, and a clock that waited for them (Pace::AtMost) stalled the button thread.
        let parts = sim_parts(&config, &maker, &places.state, Pace::RealTime { speed })?;
        let log = Arc::new(Mutex::new(Log::default()));
        let (inbox, watch) = (Inbox::new(), Watch::new());
        let archive = maker.archive().clone();
        let printer = Arc::new(Mutex::new((parts.printer.clone(), parts.cable.clone())));
        // The robot has a stop of its own: a printer switch stops it to start it again.
        let (robot_stop, restart) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let relay = {
            let (stop, robot_stop) = (Arc::clone(&stop), Arc::clone(&robot_stop));
            move || {
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(50));
                }
                robot_stop.store(true, Ordering::SeqCst);
            }
        };
        std::thread::Builder::new()
            .name("comic stop".into())
            .spawn(relay)
            .context("starting the comic robot's stop relay")?;
        let looping = RobotLoop {
            places: places.clone(),
            board: parts.board.clone(),
            printer: Arc::clone(&printer),
            log: Arc::clone(&log),
            inbox: inbox.clone(),
            watch: watch.clone(),
            stop,
            robot_stop: Arc::clone(&robot_stop),
            restart: Arc::clone(&restart),
        };
        let first = (config.clone(), maker, spool.clone());
        let thread = std::thread::Builder::new()
            .name("comic robot".into())
            .spawn(move || looping.run(first))
            .context("starting the comic robot's thread")?;
        let comic = DeskComic {
            parts,
            printer,
            config,
            log,
            plugged: AtomicBool::new(true),
            inbox,
            watch,
            archive,
            spool,
            places: places.clone(),
            robot_stop,
            restart,
        };
        Ok((Arc::new(comic), thread))
    }

    /// The robot's page, as `comic run` serves it (pairings in the simulator's state folder;
    /// codes come out on the simulated paper). Watching needs no pairing here: the simulator
    /// listens on 127.0.0.1 only.
    pub fn page_router(&self) -> anyhow::Result<axum::Router> {
        let settings = comic::config::PageSettings {
            open_read: true,
            ..self.config.page.clone()
        };
        let pairings = self.places.state.join("pairings.json");
        let gate = comic::page::gate(&pairings, &settings, self.inbox.clone())
            .with_context(|| format!("the robot's pairings in {}", pairings.display()))?;
        let switch = {
            let (restart, robot_stop) = (Arc::clone(&self.restart), Arc::clone(&self.robot_stop));
            PrinterSwitch::new(self.places.clone(), move || {
                restart.store(true, Ordering::SeqCst);
                robot_stop.store(true, Ordering::SeqCst);
            })
        };
        let page = ComicPage::new(
            self.watch.clone(),
            self.inbox.clone(),
            self.archive.clone(),
            self.spool.clone(),
            switch,
        );
        Ok(comic::page::router(page, gate).0)
    }

    /// The printer on the port now and its cable.
    fn printer(&self) -> (ThermalPrinter, SimPortControl) {
        self.printer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The robot's simulated board (its pins, its printer's port, and their recording).
    pub fn board(&self) -> atelier_sim::SimBoard {
        self.parts.board.clone()
    }

    /// A person presses the button and holds it until the robot reacts (takes or refuses the
    /// press): 2 s of the robot's clock at most (5 s asks for shutdown), 5 s of wall time at
    /// most. A press of a fixed length could end unseen: the simulated clock may run many times
    /// faster than the wall, and a loaded machine (or qemu) can leave the button thread
    /// unscheduled for longer than a short press lasts.
    pub fn press(&self) {
        tracing::info!("the comic robot's button is pressed from the page");
        let heard_before = self
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .heard;
        let idle = self.parts.button_idle_high;
        let line = self.parts.button.clone();
        let clock = self.parts.board.clock();
        let log = Arc::clone(&self.log);
        let pressed_at = atelier_hal::Clock::now(&clock);
        bounce_to(&line, pressed_at, !idle);
        let released = std::thread::Builder::new()
            .name("button press".into())
            .spawn(move || {
                let limit = std::time::Instant::now() + Duration::from_secs(5);
                loop {
                    let heard = log.lock().unwrap_or_else(PoisonError::into_inner).heard;
                    let held = atelier_hal::Clock::now(&clock) - pressed_at;
                    if heard > heard_before
                        || held >= Duration::from_secs(2)
                        || std::time::Instant::now() >= limit
                    {
                        bounce_to(&line, atelier_hal::Clock::now(&clock), idle);
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        if let Err(error) = released {
            tracing::warn!("cannot time the press ({error}); released at once");
            self.parts.button.set(idle);
        }
    }

    /// What the panel shows now.
    pub fn panel(&self) -> ComicPanel {
        let (printer, _) = self.printer();
        printer.settle(atelier_hal::Clock::now(&self.parts.board.clock()));
        let pins = &self.config.pins;
        let lit = |pin: atelier_board::Bcm| self.parts.board.output_line(pin.number()).level();
        let log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
        ComicPanel {
            leds: Leds {
                ready: lit(pins.ready_led),
                busy: lit(pins.busy_led),
                error: lit(pins.error_led),
            },
            accepted: log.accepted,
            printed: log.printed,
            cuts: printer.cut_count(),
            paper_out: printer.paper_out(),
            paper_width_dots: printer.config().width_dots,
            printed_text: {
                let lines = printer.text();
                let from = lines.len().saturating_sub(TEXT_LINES_SHOWN);
                lines[from..].iter().map(|line| line.text.clone()).collect()
            },
            plugged: self.plugged.load(std::sync::atomic::Ordering::Relaxed),
            events: log.events.iter().cloned().collect(),
        }
    }

    /// Takes the roll out or puts it back, pulls the cable or plugs it in.
    pub fn change_printer(&self, change: &PrinterChange) -> ComicPanel {
        if let Some(out) = change.paper_out {
            self.printer().0.set_paper_out(out);
        }
        if let Some(plugged) = change.plugged {
            if plugged {
                self.printer().1.plug();
            } else {
                self.printer().1.unplug();
            }
            self.plugged
                .store(plugged, std::sync::atomic::Ordering::Relaxed);
        }
        self.panel()
    }

    /// The end of the paper (its last [`PAPER_ROWS_SHOWN`] rows) as a PNG, text lines drawn in.
    pub fn paper_png(&self) -> anyhow::Result<Vec<u8>> {
        let (printer, _) = self.printer();
        printer.settle(atelier_hal::Clock::now(&self.parts.board.clock()));
        let paper = comic::simulated::paper_image(&printer);
        let rows = paper.height().min(PAPER_ROWS_SHOWN);
        let end = image::imageops::crop_imm(&paper, 0, paper.height() - rows, paper.width(), rows)
            .to_image();
        let mut png = Vec::new();
        end.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .context("encoding the paper as PNG")?;
        Ok(png)
    }
}

fn record(log: &Mutex<Log>, event: &Event) {
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    let line = match event {
        Event::Accepted { number, queued, .. } => {
            log.accepted += 1;
            log.heard += 1;
            format!("press accepted: comic {number} ({queued} waiting)")
        }
        Event::Ready { number, .. } => format!("comic {number} made"),
        Event::Refused { reason, .. } => {
            log.heard += 1;
            format!("press refused: {reason}")
        }
        Event::Printing { number, .. } => format!("printing comic {number}"),
        Event::Printed { number, .. } => {
            log.printed += 1;
            format!("comic {number} on paper")
        }
        Event::Fault { number, fault, .. } => {
            format!("printer stopped ({fault:?}); comic {number} kept, tried again soon")
        }
        Event::Resynchronised => "printer brought back to a known state".to_owned(),
        Event::Showing(_) => return,
        Event::Note { printed: true } => "note printed".to_owned(),
        Event::Note { printed: false } => "note not printed".to_owned(),
        Event::ShutdownRequested => "button held: shutting down after this comic".to_owned(),
        Event::ShutdownStarted => "shutdown command started".to_owned(),
    };
    if log.events.len() == EVENTS_KEPT {
        log.events.pop_front();
    }
    log.events.push_back(line);
}

/// The line settles at `level` from `at` after a tactile switch's bounce (1.4 ms of chatter).
fn bounce_to(line: &atelier_sim::InputLine, at: atelier_hal::Instant, level: bool) {
    for (micros, settled) in [
        (0, true),
        (200, false),
        (500, true),
        (900, false),
        (1400, true),
    ] {
        line.schedule(at + Duration::from_micros(micros), level == settled);
    }
}

//! The comic robot in the desktop simulator: the robot's real loop (button thread, composer,
//! printer thread, spool, archive) on a simulated board, with the parts a person touches on
//! the hardware panel: the button, the three LEDs, the thermal paper as the printer model
//! decoded it from the real ESC/POS bytes, the paper roll and the printer's cable.

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::Board;
use atelier_config::Places;
use atelier_sim::Pace;
use comic::config::ComicConfig;
use comic::daemon::{SimParts, sim_parts};
use comic::maker::Maker;
use comic::page::{ComicPage, Watch};
use comic::robot::spool::Spool;
use comic::robot::{Event, Finish, Inbox, Robot, Wiring};
use serde::{Deserialize, Serialize};

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
    parts: SimParts,
    config: ComicConfig,
    log: Arc<Mutex<Log>>,
    plugged: AtomicBool,
    /// What the robot's page needs: its inbox, its view, its archive and spool, its folder.
    inbox: Inbox,
    watch: Watch,
    archive: comic::archive::Archive,
    spool: Spool,
    state: std::path::PathBuf,
}

impl DeskComic {
    /// Loads the robot's config from `places` (its state folder, spool and archive are the
    /// simulator's own) and starts the robot on a thread of its own, its clock at `speed`
    /// virtual seconds per wall second. The robot
    /// finishes the comic it is printing and stops when `stop` is set.
    pub fn start(
        places: &Places,
        speed: f64,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<(Arc<DeskComic>, std::thread::JoinHandle<()>)> {
        let mut config = ComicConfig::load(places)?;
        // Holding the button shuts a Pi down; a simulated button must never power off the
        // desktop it runs on.
        config.robot.shutdown_command.clear();
        let maker = Maker::new(&config, &places.defaults, &config.comic.archive_dir)?;
        let spool = Spool::open(&places.state.join("spool"))?;
        // Real time (scaled): the robot's threads wait on queues and locks as well as on the
        // clock, and a clock that waited for them (Pace::AtMost) stalled the button thread.
        let parts = sim_parts(&config, &maker, &places.state, Pace::RealTime { speed })?;
        let mut board = Board::sim(parts.board.clone());
        let wiring = Wiring::from_board(&mut board, &config)?;
        let log = Arc::new(Mutex::new(Log::default()));
        let heard = Arc::clone(&log);
        let (inbox, watch) = (Inbox::new(), Watch::new());
        let archive = maker.archive().clone();
        let robot = Robot::new(wiring, maker, spool.clone()).with_inbox(inbox.clone());
        let watching = watch.clone();
        let thread = std::thread::Builder::new()
            .name("comic robot".into())
            .spawn(move || {
                let on_event = move |event: &Event| {
                    watching.record(event);
                    record(&heard, event);
                };
                if let Err(error) = robot.run(None, stop, Finish::AfterCurrent, on_event) {
                    tracing::error!("the comic robot stopped: {error}");
                }
            })
            .context("starting the comic robot's thread")?;
        let comic = DeskComic {
            parts,
            config,
            log,
            plugged: AtomicBool::new(true),
            inbox,
            watch,
            archive,
            spool,
            state: places.state.clone(),
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
        let pairings = self.state.join("pairings.json");
        let gate = comic::page::gate(&pairings, &settings, self.inbox.clone())
            .with_context(|| format!("the robot's pairings in {}", pairings.display()))?;
        let page = ComicPage::new(
            self.watch.clone(),
            self.inbox.clone(),
            self.archive.clone(),
            self.spool.clone(),
        );
        Ok(comic::page::router(page, gate).0)
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
            cuts: self.parts.printer.cut_count(),
            paper_out: self.parts.printer.paper_out(),
            plugged: self.plugged.load(std::sync::atomic::Ordering::Relaxed),
            events: log.events.iter().cloned().collect(),
        }
    }

    /// Takes the roll out or puts it back, pulls the cable or plugs it in.
    pub fn change_printer(&self, change: &PrinterChange) -> ComicPanel {
        if let Some(out) = change.paper_out {
            self.parts.printer.set_paper_out(out);
        }
        if let Some(plugged) = change.plugged {
            if plugged {
                self.parts.cable.plug();
            } else {
                self.parts.cable.unplug();
            }
            self.plugged
                .store(plugged, std::sync::atomic::Ordering::Relaxed);
        }
        self.panel()
    }

    /// The end of the paper (its last [`PAPER_ROWS_SHOWN`] rows) as a PNG, text lines drawn in.
    pub fn paper_png(&self) -> anyhow::Result<Vec<u8>> {
        let paper = comic::simulated::paper_image(&self.parts.printer);
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

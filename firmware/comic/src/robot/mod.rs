//! The comic robot as a machine: a press on the button becomes a comic on paper.
//!
//! - [`leds`]: the pattern the three LEDs show for each state.
//! - [`spool`]: one file per accepted press, removed only once the comic is on paper.
//! - [`Inbox`]: what the machine's page asks of the robot (a press, a reprint, a note on the
//!   paper), taken by the button thread between LED ticks.
//! - [`Robot`]: the loop. Three threads share the work, each doing one thing:
//!   - the *button* thread (the caller's) waits for the debounced button and drives the LEDs;
//!     a press takes the comic already made ahead, spools it and hands it to the printer, so
//!     the press path never composes;
//!   - the *composer* makes the next comic ahead (compose, encode, archive) while nobody
//!     presses, and any comic a spooled job still needs after a restart;
//!   - the *printer* thread sends spooled jobs in order, asks the printer whether the comic
//!     came out, and rides out faults (paper out, cover open, unplugged) by waiting and trying
//!     again, the job kept.
//!
//! Everything runs on the board's clock, so the same code runs on a Pi and, in virtual time,
//! in tests: the threads hand work over through [`bench`] queues that keep virtual time from
//! jumping past work in progress.
//!
//! # The promise
//! Every accepted press ends as at least one complete comic on paper. A comic is printed twice
//! only when the process died (or the printer failed) while printing it; then the cut-off part
//! is followed by a cut and the whole comic. On ports that answer status (serial with its TX
//! wire, TCP, direct USB) a job is removed after the printer answered a status question asked
//! after the cut; on ports that cannot answer (`/dev/usb/lp0`, `file:`) after the last byte was
//! written, which is a weaker promise: a printer that ran out of paper there loses the end of
//! that comic.

mod bench;
pub mod leds;
pub mod spool;

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use atelier_board::{AnyClock, AnyInput, AnyOutput, AnyPort, Board, OpenError, PortOpener};
use atelier_button::DebouncedButton;
use atelier_hal::{Clock, Instant};
use embedded_hal::digital::OutputPin;

use crate::config::{ComicConfig, RobotSettings};
use crate::escpos::EncodedJob;
use crate::maker::{Maker, today_utc};
use crate::print::{self, Readiness};
use crate::timing::PrintTime;

use bench::Bench;
use leds::Lights;
pub use leds::Pattern;
use spool::{Spool, SpoolError, SpooledJob};

/// Why the printer cannot print now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Out of paper.
    PaperOut,
    /// The cover is open.
    CoverOpen,
    /// Offline for another reason.
    Offline,
    /// The port could not be opened or written (unplugged, switched off, network down).
    Unreachable(String),
    /// A port that answers status gave no answer.
    NotAnswering,
    /// The comic could not be made (the library or archive is broken).
    CannotMake(String),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::PaperOut => write!(f, "the printer is out of paper"),
            Fault::CoverOpen => write!(f, "the printer's cover is open"),
            Fault::Offline => write!(f, "the printer is offline"),
            Fault::Unreachable(why) => write!(f, "the printer cannot be reached: {why}"),
            Fault::NotAnswering => write!(f, "the printer does not answer status questions"),
            Fault::CannotMake(why) => write!(f, "the comic cannot be made: {why}"),
        }
    }
}

/// Why a press was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// As many presses as the queue holds are already waiting.
    QueueFull {
        /// The configured bound.
        limit: usize,
    },
    /// The press could not be written to the spool (disk full, read-only).
    SpoolUnwritable(String),
    /// The machine is shutting down.
    ShuttingDown,
    /// A reprint of a comic the archive does not hold.
    NotArchived {
        /// The number asked for.
        number: u64,
    },
    /// A reprint of a comic already waiting to print.
    AlreadyWaiting {
        /// The number asked for.
        number: u64,
    },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::QueueFull { limit } => write!(f, "{limit} comics are already waiting"),
            Refusal::SpoolUnwritable(why) => write!(f, "the spool cannot be written: {why}"),
            Refusal::ShuttingDown => write!(f, "the robot is shutting down"),
            Refusal::NotArchived { number } => write!(f, "comic {number} is not in the archive"),
            Refusal::AlreadyWaiting { number } => write!(f, "comic {number} is already waiting"),
        }
    }
}

/// What the machine's page asks of the robot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The same as a press on the button.
    Press,
    /// Print an archived comic again.
    Reprint(u64),
    /// Print these lines on their own (a pairing code). Printed once if the printer takes it;
    /// never spooled.
    Note(Vec<String>),
}

/// Requests waiting at most, so a page cannot queue unbounded work.
pub const INBOX_LIMIT: usize = 16;

/// A request the inbox has no room for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the comic robot has {INBOX_LIMIT} requests waiting; try again in a moment")]
pub struct InboxFull;

/// The robot's inbox: requests from outside the button, taken by the button thread between LED
/// ticks (an eighth of a second) in order, answered by [`Event`]s.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    queue: Arc<Mutex<VecDeque<Request>>>,
}

impl Inbox {
    /// An empty inbox.
    pub fn new() -> Inbox {
        Inbox::default()
    }

    /// Leaves `request` for the robot.
    pub fn send(&self, request: Request) -> Result<(), InboxFull> {
        let mut queue = lock(&self.queue);
        if queue.len() >= INBOX_LIMIT {
            return Err(InboxFull);
        }
        queue.push_back(request);
        Ok(())
    }

    /// Requests not yet taken.
    pub fn waiting(&self) -> usize {
        lock(&self.queue).len()
    }

    fn take(&self) -> Option<Request> {
        lock(&self.queue).pop_front()
    }
}

/// What happened: for the log, the page and the tests.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A press became a spooled job for comic `number`.
    Accepted {
        /// The comic it will print.
        number: u64,
        /// The first edge of the press.
        pressed_at: Instant,
        /// Jobs waiting, this one included.
        queued: usize,
    },
    /// Comic `number` is made (composed, encoded, archived, or read back from the archive)
    /// and waits for its press or its turn at the printer.
    Ready {
        /// The comic.
        number: u64,
        /// When.
        at: Instant,
    },
    /// A press was refused.
    Refused {
        /// The first edge of the press.
        pressed_at: Instant,
        /// Why.
        reason: Refusal,
    },
    /// The first byte of comic `number` is going to the printer.
    Printing {
        /// The comic.
        number: u64,
        /// When.
        at: Instant,
    },
    /// Comic `number` is on paper and its job gone from the spool.
    Printed {
        /// The comic.
        number: u64,
        /// When the printer confirmed it (or the last byte was written).
        at: Instant,
    },
    /// The printer stopped; the job is kept and tried again at `retry_at`.
    Fault {
        /// The comic waiting.
        number: u64,
        /// What is wrong.
        fault: Fault,
        /// When it is tried again.
        retry_at: Instant,
    },
    /// The printer was brought back to a known state after an interrupted job.
    Resynchronised,
    /// The LEDs show a new pattern.
    Showing(Pattern),
    /// A note (a pairing code) was printed, or could not be.
    Note {
        /// Whether it reached the paper.
        printed: bool,
    },
    /// The button was held: the machine shuts down after the comic being printed.
    ShutdownRequested,
    /// The shutdown command was started.
    ShutdownStarted,
}

/// A robot that could not start or went wrong beyond riding out.
#[derive(Debug, thiserror::Error)]
pub enum RobotError {
    /// A pin could not be opened.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// The spool could not be read.
    #[error(transparent)]
    Spool(#[from] SpoolError),
    /// A GPIO failed while running.
    #[error("{0}")]
    Gpio(String),
    /// A thread of the robot panicked.
    #[error("the robot's {0} thread stopped unexpectedly")]
    Thread(&'static str),
}

/// The parts of the board the robot drives.
#[derive(Debug)]
pub struct Wiring {
    /// The push button.
    pub button: AnyInput,
    /// Whether the button reads high while pressed.
    pub pressed_level: bool,
    /// Green, yellow, red.
    pub ready: AnyOutput,
    /// Yellow.
    pub busy: AnyOutput,
    /// Red.
    pub error: AnyOutput,
    /// Opens the printer's port, again after it went away.
    pub printer: PortOpener,
    /// The board's clock.
    pub clock: AnyClock,
}

impl Wiring {
    /// The pins and printer port `config` names, on `board`.
    pub fn from_board(board: &mut Board, config: &ComicConfig) -> Result<Wiring, OpenError> {
        let pins = &config.pins;
        Ok(Wiring {
            button: board.input(pins.button, pins.button_pull, "button")?,
            // A button wired to ground reads low while pressed; one to 3.3 V reads high.
            pressed_level: pins.button_pull == atelier_board::Pull::Down,
            ready: board.output(pins.ready_led, "ready LED")?,
            busy: board.output(pins.busy_led, "busy LED")?,
            error: board.output(pins.error_led, "error LED")?,
            printer: board.port_opener(&config.printer.port),
            clock: board.clock(),
        })
    }
}

/// How [`Robot::run`] ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// Stop taking presses, then print every job accepted (tests, a planned stop).
    Drain,
    /// Stop after the comic being printed; the rest stay spooled for the next start.
    AfterCurrent,
}

/// What the LEDs are driven from; shared by the three threads.
#[derive(Debug, Default)]
struct Status {
    /// Jobs accepted and not yet on paper.
    queued: usize,
    /// The comic whose bytes are going out.
    printing: Option<u64>,
    /// The printer's trouble, until a job gets through.
    fault: Option<Fault>,
    /// Whether the comic for the next press is being made.
    composing: bool,
    /// When a press was last refused for a full queue.
    refused_at: Option<Instant>,
    /// The button was held.
    shutdown: bool,
}

/// Comics made (or failed), by number, for the printer to take.
type Made = BTreeMap<u64, Result<Arc<EncodedJob>, String>>;

struct Shared {
    status: Mutex<Status>,
    made: Mutex<Made>,
    made_changed: Condvar,
    on_event: Box<dyn Fn(&Event) + Send + Sync>,
    /// The printer thread stops after the current job.
    stopping: AtomicBool,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn status(&self) -> MutexGuard<'_, Status> {
        lock(&self.status)
    }

    fn tell(&self, event: Event) {
        match &event {
            Event::Accepted { number, queued, .. } => {
                tracing::info!(number, queued, "press accepted")
            }
            Event::Refused { reason, .. } => tracing::warn!(?reason, "press refused"),
            Event::Ready { number, .. } => tracing::debug!(number, "comic ready"),
            Event::Printing { number, .. } => tracing::info!(number, "printing"),
            Event::Printed { number, .. } => tracing::info!(number, "printed"),
            Event::Fault { number, fault, .. } => {
                tracing::warn!(number, "{fault}; the comic is kept and tried again")
            }
            Event::Resynchronised => tracing::info!("printer brought back to a known state"),
            Event::Showing(pattern) => tracing::debug!(?pattern, "LEDs"),
            Event::Note { printed } => tracing::info!(printed, "note for the printer"),
            Event::ShutdownRequested => tracing::info!("shutdown asked for by holding the button"),
            Event::ShutdownStarted => tracing::info!("shutting down"),
        }
        (self.on_event)(&event);
    }
}

/// The comic robot: see the [module docs](self).
pub struct Robot {
    wiring: Wiring,
    maker: Arc<Maker>,
    spool: Spool,
    settings: RobotSettings,
    answers: bool,
    inbox: Inbox,
}

impl std::fmt::Debug for Robot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Robot")
            .field("wiring", &self.wiring)
            .field("spool", &self.spool)
            .finish_non_exhaustive()
    }
}

/// How long to wait before trying a stopped printer again, after `tries` failed tries.
fn backoff(settings: &RobotSettings, tries: u32) -> Duration {
    let first = Duration::from_secs_f64(settings.retry_first_s);
    let max = Duration::from_secs_f64(settings.retry_max_s);
    first.saturating_mul(1 << tries.min(16)).min(max)
}

impl Robot {
    /// A robot on `wiring` that makes comics with `maker` and spools presses in `spool`.
    pub fn new(wiring: Wiring, maker: Maker, spool: Spool) -> Robot {
        let settings = maker.config().robot.clone();
        let answers = wiring.printer.spec().answers();
        Robot {
            wiring,
            maker: Arc::new(maker),
            spool,
            settings,
            answers,
            inbox: Inbox::new(),
        }
    }

    /// Takes requests from `inbox` too (the machine's page holds the other end).
    pub fn with_inbox(mut self, inbox: Inbox) -> Robot {
        self.inbox = inbox;
        self
    }

    /// Starts the composer and the printer (jobs a previous run left come first) and takes the
    /// calling thread's place in virtual time; [`Started::run`] then watches the button on
    /// this thread. Anything else that shares the simulated clock (a scripted world) can start
    /// between the two without time running ahead of the robot. `on_event` hears everything
    /// that happens (it must not block).
    pub fn start(
        self,
        on_event: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Result<Started, RobotError> {
        let Robot {
            wiring,
            maker,
            spool,
            settings,
            answers,
            inbox,
        } = self;
        let clock = wiring.clock.clone();
        // This thread takes part in virtual time until it stops watching the button.
        let watching = clock.hold();
        let shared = Arc::new(Shared {
            status: Mutex::new(Status::default()),
            made: Mutex::new(BTreeMap::new()),
            made_changed: Condvar::new(),
            on_event: Box::new(on_event),
            stopping: AtomicBool::new(false),
        });
        let composer: Bench<u64> = Bench::new(clock.clone());
        let printer: Bench<Work> = Bench::new(clock.clone());

        // What a previous run left: an interrupted job first, then every job in order.
        if spool.printing()?.is_some() {
            printer.push(Work::Resynchronise);
        }
        let pending = spool.pending()?;
        for job in &pending {
            composer.push(job.number);
            printer.push(Work::Print(job.number));
        }
        shared.status().queued = pending.len();
        let newest_archived = maker
            .archive()
            .numbers()
            .ok()
            .and_then(|n| n.last().copied());
        let newest_job = pending.last().map(|job| job.number);
        let next_number = match spool.ahead()? {
            // The comic made ahead last time, still unclaimed: the next press gets it.
            Some(ahead) if newest_job.is_none_or(|job| ahead > job) => ahead,
            _ => newest_archived.max(newest_job).map_or(1, |n| n + 1),
        };
        composer.push(next_number);

        let composing = {
            let (bench, shared, maker, spool, clock) = (
                composer.clone(),
                Arc::clone(&shared),
                Arc::clone(&maker),
                spool.clone(),
                clock.clone(),
            );
            std::thread::Builder::new()
                .name("comic composer".into())
                .spawn(move || compose_loop(&bench, &shared, &maker, &spool, &clock))
                .map_err(|_| RobotError::Thread("composer"))?
        };
        let printing = {
            let worker = PrinterWorker {
                bench: printer.clone(),
                composer: composer.clone(),
                shared: Arc::clone(&shared),
                maker: Arc::clone(&maker),
                spool: spool.clone(),
                settings: settings.clone(),
                opener: wiring.printer.clone(),
                clock: clock.clone(),
                answers,
            };
            std::thread::Builder::new()
                .name("comic printer".into())
                .spawn(move || worker.run())
                .map_err(|_| RobotError::Thread("printer"))?
        };
        Ok(Started {
            button: wiring.button,
            pressed_level: wiring.pressed_level,
            panel: Panel {
                ready: wiring.ready,
                busy: wiring.busy,
                error: wiring.error,
                shown: None,
            },
            clock,
            watching,
            shared,
            composer,
            printer,
            composing,
            printing,
            spool,
            settings,
            next_number,
            inbox,
            maker,
        })
    }

    /// [`Robot::start`], then [`Started::run`].
    pub fn run(
        self,
        until: Option<Instant>,
        stop: Arc<AtomicBool>,
        finish: Finish,
        on_event: impl Fn(&Event) + Send + Sync + 'static,
    ) -> Result<(), RobotError> {
        self.start(on_event)?.run(until, stop, finish)
    }
}

/// A robot whose composer and printer run; see [`Robot::start`].
pub struct Started {
    button: AnyInput,
    pressed_level: bool,
    panel: Panel,
    clock: AnyClock,
    watching: Option<atelier_sim::Participant>,
    shared: Arc<Shared>,
    composer: Bench<u64>,
    printer: Bench<Work>,
    composing: std::thread::JoinHandle<()>,
    printing: std::thread::JoinHandle<()>,
    spool: Spool,
    settings: RobotSettings,
    next_number: u64,
    inbox: Inbox,
    maker: Arc<Maker>,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("next_number", &self.next_number)
            .finish_non_exhaustive()
    }
}

impl Started {
    /// Watches the button and drives the LEDs until `stop` is set or the clock reaches
    /// `until`, then finishes as `finish` says.
    pub fn run(
        self,
        until: Option<Instant>,
        stop: Arc<AtomicBool>,
        finish: Finish,
    ) -> Result<(), RobotError> {
        let Started {
            button,
            pressed_level,
            mut panel,
            clock,
            watching,
            shared,
            composer,
            printer,
            composing,
            printing,
            spool,
            settings,
            mut next_number,
            inbox,
            maker,
        } = self;
        let watched = watch_button(
            button,
            pressed_level,
            &clock,
            &settings,
            until,
            &stop,
            &mut panel,
            &inbox,
            |input| {
                let (number, pressed_at) = match input {
                    Input::Note(lines) => {
                        printer.push(Work::Note(lines));
                        return;
                    }
                    Input::Press(at) => (None, at),
                    Input::Reprint(number, at) => (Some(number), at),
                };
                let mut status = shared.status();
                let refuse = |reason| Event::Refused { pressed_at, reason };
                let refusal = if status.shutdown {
                    Some(Refusal::ShuttingDown)
                } else if status.queued >= settings.queue_limit {
                    status.refused_at = Some(pressed_at);
                    Some(Refusal::QueueFull {
                        limit: settings.queue_limit,
                    })
                } else {
                    match number {
                        Some(number)
                            if number >= next_number
                                || maker.archive().sidecar(number).is_err() =>
                        {
                            Some(Refusal::NotArchived { number })
                        }
                        Some(number) if spool.holds(number) => {
                            Some(Refusal::AlreadyWaiting { number })
                        }
                        _ => None,
                    }
                };
                if let Some(reason) = refusal {
                    drop(status);
                    shared.tell(refuse(reason));
                    return;
                }
                let job = SpooledJob {
                    number: number.unwrap_or(next_number),
                    pressed_unix_ms: unix_ms(),
                };
                if let Err(error) = spool.add(&job) {
                    drop(status);
                    shared.tell(refuse(Refusal::SpoolUnwritable(error.to_string())));
                    return;
                }
                status.queued += 1;
                let queued = status.queued;
                drop(status);
                printer.push(Work::Print(job.number));
                if number.is_some() {
                    // A reprint: the composer reads it back from the archive.
                    composer.push(job.number);
                } else {
                    next_number += 1;
                    composer.push(next_number);
                }
                shared.tell(Event::Accepted {
                    number: job.number,
                    pressed_at,
                    queued,
                });
            },
            &shared,
        );

        if finish == Finish::AfterCurrent {
            shared.stopping.store(true, Ordering::SeqCst);
        }
        printer.close();
        composer.close();
        // Joining is not waiting on the clock: leave virtual time to the printer first.
        drop(watching);
        let printed = printing.join();
        let composed = composing.join();
        panel.show(Lights::default());
        watched?;
        printed.map_err(|_| RobotError::Thread("printer"))?;
        composed.map_err(|_| RobotError::Thread("composer"))?;
        if shared.status().shutdown && !stop.load(Ordering::SeqCst) {
            shared.tell(Event::ShutdownStarted);
            run_shutdown(&settings.shutdown_command);
        }
        Ok(())
    }
}

fn unix_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn run_shutdown(command: &[String]) {
    let Some((program, args)) = command.split_first() else {
        return;
    };
    match std::process::Command::new(program).args(args).status() {
        Ok(status) if status.success() => {}
        Ok(status) => tracing::error!(?command, %status, "the shutdown command failed"),
        Err(error) => tracing::error!(?command, %error, "the shutdown command could not start"),
    }
}

/// The three LEDs, written only when they change.
struct Panel {
    ready: AnyOutput,
    busy: AnyOutput,
    error: AnyOutput,
    shown: Option<Lights>,
}

impl Panel {
    fn show(&mut self, lights: Lights) {
        if self.shown == Some(lights) {
            return;
        }
        for (pin, on) in [
            (&mut self.ready, lights.ready),
            (&mut self.busy, lights.busy),
            (&mut self.error, lights.error),
        ] {
            // An LED that cannot be lit is no reason to stop printing comics.
            if let Err(error) = pin.set_state(on.into()) {
                tracing::warn!(%error, "LED");
            }
        }
        self.shown = Some(lights);
    }
}

/// How long the queue-full pattern stays after a refused press.
const REFUSED_SHOWN: Duration = Duration::from_secs(2);

fn pattern(status: &Status, settings: &RobotSettings, now: Instant) -> Pattern {
    let room = status.queued < settings.queue_limit;
    let refused_lately = status.refused_at.is_some_and(|at| now < at + REFUSED_SHOWN);
    match &status.fault {
        _ if status.shutdown => Pattern::ShuttingDown,
        Some(Fault::PaperOut) => Pattern::PaperOut { room },
        Some(_) => Pattern::PrinterFault { room },
        None if !room || refused_lately => Pattern::QueueFull,
        None if status.printing.is_some() => Pattern::Printing { room },
        None if status.composing => Pattern::Composing,
        None => Pattern::Ready,
    }
}

/// What the button thread hands on: a press (on the button or from the page), a reprint, a
/// note to print.
enum Input {
    Press(Instant),
    Reprint(u64, Instant),
    Note(Vec<String>),
}

/// The button thread: presses and the inbox's requests become `on_input` calls; holding asks for shutdown; the LEDs
/// follow the status. Returns at `until` or when `stop` is set.
#[allow(clippy::too_many_arguments)]
fn watch_button(
    button: AnyInput,
    pressed_level: bool,
    clock: &AnyClock,
    settings: &RobotSettings,
    until: Option<Instant>,
    stop: &AtomicBool,
    panel: &mut Panel,
    inbox: &Inbox,
    mut on_input: impl FnMut(Input),
    shared: &Shared,
) -> Result<(), RobotError> {
    let settle = Duration::from_millis(settings.settle_ms);
    let hold = (settings.hold_to_shut_down_s > 0.0)
        .then(|| Duration::from_secs_f64(settings.hold_to_shut_down_s));
    let mut button = DebouncedButton::new(button, clock.clone(), pressed_level, settle)
        .map_err(|e| RobotError::Gpio(format!("reading the button: {e}")))?;
    let mut held_since = None;
    let mut showing = None;
    loop {
        let now = clock.now();
        if stop.load(Ordering::SeqCst) || until.is_some_and(|until| now >= until) {
            return Ok(());
        }
        while let Some(request) = inbox.take() {
            on_input(match request {
                Request::Press => Input::Press(now),
                Request::Reprint(number) => Input::Reprint(number, now),
                Request::Note(lines) => Input::Note(lines),
            });
        }
        let status = shared.status();
        if status.shutdown && status.printing.is_none() && status.queued == 0 {
            return Ok(());
        }
        let pattern = pattern(&status, settings, now);
        drop(status);
        if showing != Some(pattern) {
            showing = Some(pattern);
            shared.tell(Event::Showing(pattern));
        }
        panel.show(pattern.lights(now));
        // Wake at the next LED tick: blinking and status changes need no other wake-up.
        let tick = leds::TICK.as_nanos() as u64;
        let next_tick = Instant::from_nanos((now.as_nanos() / tick + 1) * tick);
        let deadline = until.map_or(next_tick, |until| until.min(next_tick));
        match button.wait_for_change(deadline) {
            Ok(Some(atelier_button::ButtonEvent::Pressed(at))) => {
                held_since = Some(at);
                on_input(Input::Press(at));
            }
            Ok(Some(atelier_button::ButtonEvent::Released(_))) => held_since = None,
            Ok(None) => {}
            Err(error) => return Err(RobotError::Gpio(format!("reading the button: {error}"))),
        }
        if let (Some(since), Some(hold)) = (held_since, hold)
            && clock.now() >= since + hold
        {
            held_since = None;
            let mut status = shared.status();
            if !status.shutdown {
                status.shutdown = true;
                drop(status);
                shared.tell(Event::ShutdownRequested);
            }
        }
    }
}

/// The composer thread: makes each comic number it is given (or takes it from the archive when
/// a previous run made it), and notes the newest as made ahead.
fn compose_loop(
    bench: &Bench<u64>,
    shared: &Shared,
    maker: &Maker,
    spool: &Spool,
    clock: &AnyClock,
) {
    while let Some(number) = bench.next() {
        if lock(&shared.made).contains_key(&number) {
            continue;
        }
        shared.status().composing = true;
        let archived = maker.archive().sidecar(number).is_ok();
        let made = prepare(maker, number);
        // Only a new comic is the one made ahead for the next press; a reprint or a spooled
        // job read back from the archive is not.
        if made.is_ok()
            && !archived
            && let Err(error) = spool.set_ahead(Some(number))
        {
            tracing::warn!(%error, "cannot note the comic made ahead");
        }
        let ready = made.is_ok();
        lock(&shared.made).insert(number, made.map(Arc::new));
        shared.status().composing = false;
        shared.made_changed.notify_all();
        if ready {
            shared.tell(Event::Ready {
                number,
                at: clock.now(),
            });
        }
    }
}

/// Comic `number`'s job: from the archive when it is there, else made now.
fn prepare(maker: &Maker, number: u64) -> Result<EncodedJob, String> {
    if maker.archive().sidecar(number).is_ok() {
        return maker.job_from_archive(number).map_err(|e| e.to_string());
    }
    maker
        .make(number, atelier_cli::fresh_seed(), today_utc(), None)
        .map(|made| made.job)
        .map_err(|e| e.to_string())
}

/// What the printer thread is asked to do.
#[derive(Debug)]
enum Work {
    /// Bring the printer back to a known state after a job was cut off.
    Resynchronise,
    /// Print comic `number`'s spooled job.
    Print(u64),
    /// Print these lines once.
    Note(Vec<String>),
}

struct PrinterWorker {
    bench: Bench<Work>,
    composer: Bench<u64>,
    shared: Arc<Shared>,
    maker: Arc<Maker>,
    spool: Spool,
    settings: RobotSettings,
    opener: PortOpener,
    clock: AnyClock,
    answers: bool,
}

/// Why one try at a job did not get it onto paper.
struct Failed {
    fault: Fault,
    /// Bytes of the job may be in the printer: bring it back to a known state first.
    cut_off: bool,
}

impl PrinterWorker {
    fn run(self) {
        let mut port: Option<AnyPort> = None;
        let mut resync = false;
        while let Some(work) = self.bench.next() {
            let number = match work {
                Work::Resynchronise => {
                    resync = true;
                    continue;
                }
                Work::Print(number) => number,
                Work::Note(lines) => {
                    let printed = self.print_note(&lines, &mut port, &mut resync);
                    if let Err(failed) = &printed {
                        port = None;
                        resync |= failed.cut_off;
                        tracing::warn!("the note was not printed: {}", failed.fault);
                    }
                    self.shared.tell(Event::Note {
                        printed: printed.is_ok(),
                    });
                    continue;
                }
            };
            let mut tries = 0;
            // The job is kept across tries: the composer made it once.
            let mut job: Option<Arc<EncodedJob>> = None;
            loop {
                let attempt = match &job {
                    Some(job) => self.try_print(number, job, &mut port, &mut resync),
                    None => match self.job(number) {
                        Ok(made) => {
                            let made = job.insert(made);
                            self.try_print(number, made, &mut port, &mut resync)
                        }
                        Err(fault) => Err(Failed {
                            fault,
                            cut_off: false,
                        }),
                    },
                };
                match attempt {
                    Ok(()) => break,
                    Err(failed) => {
                        port = None;
                        resync |= failed.cut_off;
                        let retry_at = self.clock.now() + backoff(&self.settings, tries);
                        tries += 1;
                        self.shared.status().fault = Some(failed.fault.clone());
                        self.shared.tell(Event::Fault {
                            number,
                            fault: failed.fault,
                            retry_at,
                        });
                        if self.shared.stopping.load(Ordering::SeqCst) {
                            return;
                        }
                        self.clock.sleep_until(retry_at);
                    }
                }
            }
            if self.shared.stopping.load(Ordering::SeqCst) {
                return;
            }
        }
    }

    /// The job of comic `number`, waiting for the composer if it is still at it.
    fn job(&self, number: u64) -> Result<Arc<EncodedJob>, Fault> {
        let mut made = lock(&self.shared.made);
        loop {
            match made.remove(&number) {
                Some(Ok(job)) => return Ok(job),
                Some(Err(why)) => {
                    // Ask again for the next try: the library may have been mended.
                    drop(made);
                    self.composer.push(number);
                    return Err(Fault::CannotMake(why));
                }
                None => {
                    made = self
                        .shared
                        .made_changed
                        .wait(made)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
    }

    fn try_print(
        &self,
        number: u64,
        job: &EncodedJob,
        port: &mut Option<AnyPort>,
        resync: &mut bool,
    ) -> Result<(), Failed> {
        let fault = |fault| Failed {
            fault,
            cut_off: false,
        };
        let port = self.ready_port(port, resync)?;
        self.spool
            .set_printing(Some(number))
            .map_err(|e| fault(Fault::Unreachable(e.to_string())))?;
        {
            // The printer took the job: whatever stopped it before is over.
            let mut status = self.shared.status();
            status.printing = Some(number);
            status.fault = None;
        }
        self.shared.tell(Event::Printing {
            number,
            at: self.clock.now(),
        });
        let sent = print::send(port, self.maker.profile(), job, self.clock.clone());
        self.shared.status().printing = None;
        let cut_off = |fault| Failed {
            fault,
            cut_off: true,
        };
        let sent = sent.map_err(|e| cut_off(Fault::Unreachable(e.to_string())))?;
        if self.answers {
            // The printer answers real-time questions at once, so wait until it has burnt the
            // comic before asking whether it came out.
            let burnt = sent.started + PrintTime::estimate(self.maker.profile(), job).total();
            self.clock.sleep_until(sent.expected_done.max(burnt));
            self.ready(port).map_err(cut_off)?;
        }
        self.spool
            .done(number)
            .and_then(|()| self.spool.set_printing(None))
            .map_err(|e| fault(Fault::Unreachable(e.to_string())))?;
        let mut status = self.shared.status();
        status.queued = status.queued.saturating_sub(1);
        status.fault = None;
        drop(status);
        self.shared.tell(Event::Printed {
            number,
            at: self.clock.now(),
        });
        Ok(())
    }

    /// The open port, the printer asked whether it can print (where it answers) and brought
    /// back to a known state if a job was cut off.
    fn ready_port<'p>(
        &self,
        port: &'p mut Option<AnyPort>,
        resync: &mut bool,
    ) -> Result<&'p mut AnyPort, Failed> {
        let fault = |fault| Failed {
            fault,
            cut_off: false,
        };
        if port.is_none() {
            *port = Some(
                self.opener
                    .open()
                    .map_err(|e| fault(Fault::Unreachable(e.to_string())))?,
            );
        }
        let Some(port) = port.as_mut() else {
            return Err(fault(Fault::Unreachable("the port is not open".into())));
        };
        // Asked first: a printer out of paper on a link without flow control would drop the
        // resynchronising bytes.
        if self.answers {
            self.ready(port).map_err(fault)?;
        }
        if *resync {
            let bytes = crate::escpos::resynchronise(self.maker.profile());
            embedded_io::Write::write_all(port, &bytes)
                .and_then(|()| embedded_io::Write::flush(port))
                .map_err(|e| fault(Fault::Unreachable(e.to_string())))?;
            *resync = false;
            self.shared.tell(Event::Resynchronised);
        }
        Ok(port)
    }

    /// Prints `lines` on their own, once.
    fn print_note(
        &self,
        lines: &[String],
        port: &mut Option<AnyPort>,
        resync: &mut bool,
    ) -> Result<(), Failed> {
        let port = self.ready_port(port, resync)?;
        let blank = crate::raster::Bitmap::new(0, 0).map_err(|e| Failed {
            fault: Fault::CannotMake(e.to_string()),
            cut_off: false,
        })?;
        let job = crate::escpos::Job::new(&blank).with_header(lines.iter().cloned());
        let job = crate::escpos::encode(self.maker.profile(), &job).map_err(|e| Failed {
            fault: Fault::CannotMake(e.to_string()),
            cut_off: false,
        })?;
        let sent =
            print::send(port, self.maker.profile(), &job, self.clock.clone()).map_err(|e| {
                Failed {
                    fault: Fault::Unreachable(e.to_string()),
                    cut_off: true,
                }
            })?;
        // The next job's bytes must not land in a buffer still full of this one's.
        let burnt = sent.started + PrintTime::estimate(self.maker.profile(), &job).total();
        self.clock.sleep_until(sent.expected_done.max(burnt));
        Ok(())
    }

    /// Whether the printer says it can print.
    fn ready(&self, port: &mut AnyPort) -> Result<(), Fault> {
        match print::ask_readiness(port) {
            Readiness::Ready => Ok(()),
            Readiness::PaperNearEnd => {
                tracing::warn!("the paper roll is nearly used up");
                Ok(())
            }
            Readiness::PaperOut => Err(Fault::PaperOut),
            Readiness::CoverOpen => Err(Fault::CoverOpen),
            Readiness::Offline => Err(Fault::Offline),
            Readiness::Unknown => Err(Fault::NotAnswering),
        }
    }
}

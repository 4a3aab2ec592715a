//! `comic run`: the robot on a real board or on the simulated one, until a signal stops it.
//!
//! The robot's own loop is threads on the board's clock (see [`crate::robot`]): that keeps a
//! simulated run deterministic and the same code on a Pi. Tokio waits for the signals and
//! serves the robot's page ([`crate::page`]) on threads of their own.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::{BackendKind, Board};
use atelier_hal::{Clock, Instant};
use atelier_sim::{
    Bounce, ButtonScript, InputLine, Pace, SimBoard, SimPortControl, ThermalPrinter, VirtualClock,
};

use crate::config::ComicConfig;
use crate::maker::Maker;
use crate::page::{ComicPage, PrinterSwitch, Watch};
use crate::robot::spool::Spool;
use crate::robot::{Finish, Inbox, Robot, Wiring};
use crate::simulated::{PaperLog, link_for, printer_for};

/// How `comic run` was asked to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The board: the config's unless overridden.
    pub backend: BackendKind,
    /// The state folder: spool, and on the simulator its paper.
    pub state: PathBuf,
    /// The archive folder.
    pub archive_dir: PathBuf,
    /// The config file (profiles named by path are found beside it).
    pub config_path: PathBuf,
    /// Simulator only: virtual seconds per wall second.
    pub speed: f64,
    /// Simulator only: a person presses the button this often.
    pub press_every: Option<Duration>,
    /// Stop after this long on the board's clock, printing every job accepted first.
    pub run_for: Option<Duration>,
    /// Where the config and its edits are: a printer switched from the page is saved there and
    /// read again.
    pub places: atelier_config::Places,
}

/// The simulated robot's paper: every byte its printer took, across runs.
pub fn paper_log_path(state: &Path) -> PathBuf {
    state.join("sim").join("paper.escpos")
}

/// The simulated robot's hardware: the board, and handles on the parts a person touches (the
/// desktop simulator's panel does).
#[derive(Clone, Debug)]
pub struct SimParts {
    /// The board, with the printer on the configured port and the button on its pin.
    pub board: SimBoard,
    /// The printer: its paper, and paper-out.
    pub printer: ThermalPrinter,
    /// The printer's cable: unplug and plug.
    pub cable: SimPortControl,
    /// The button's pin, idle at the level the pull gives it.
    pub button: InputLine,
    /// The level the button's pin rests at.
    pub button_idle_high: bool,
}

/// The simulated robot for `config`: the printer its profile describes on its port (every
/// byte also kept in the state folder's paper log), the button on its pin, on a clock at
/// `pace`.
pub fn sim_parts(
    config: &ComicConfig,
    maker: &Maker,
    state: &Path,
    pace: Pace,
) -> anyhow::Result<SimParts> {
    let board = SimBoard::with_clock(VirtualClock::with_pace(pace));
    let (printer, cable) = attach_printer(&board, config, maker, state)?;
    let button_idle_high = config.pins.button_pull != atelier_board::Pull::Down;
    let button = board.input_line(config.pins.button.number(), button_idle_high);
    Ok(SimParts {
        board,
        printer,
        cable,
        button,
        button_idle_high,
    })
}

/// Attaches the printer `maker`'s profile describes to `board`'s printer port (in place of any
/// printer there before), every byte it takes also kept in the state folder's paper log.
pub fn attach_printer(
    board: &SimBoard,
    config: &ComicConfig,
    maker: &Maker,
    state: &Path,
) -> anyhow::Result<(ThermalPrinter, SimPortControl)> {
    let profile = maker.profile();
    let paper = paper_log_path(state);
    let printer = printer_for(profile);
    let log = PaperLog::new(printer.clone(), &paper)
        .with_context(|| format!("cannot open the simulated paper {}", paper.display()))?;
    let cable = board.attach_port(&config.printer.port.to_string(), log, link_for(profile));
    Ok((printer, cable))
}

/// Builds the simulated robot for `config`: [`sim_parts`], with presses every `press_every`
/// on the button pin.
pub fn sim_board(
    config: &ComicConfig,
    maker: &Maker,
    options: &RunOptions,
) -> anyhow::Result<SimBoard> {
    let pace = Pace::RealTime {
        speed: options.speed,
    };
    let parts = sim_parts(config, maker, &options.state, pace)?;
    if let Some(every) = options.press_every {
        let mut script = ButtonScript::with_idle(parts.button_idle_high, 1);
        let end = options.run_for.unwrap_or(Duration::from_secs(24 * 3600));
        let mut at = every;
        while at < end {
            script = script.press(
                Instant::ZERO + at,
                Duration::from_millis(150),
                Bounce::TACTILE,
            );
            at += every;
        }
        parts.button.schedule_all(script.levels());
    }
    Ok(parts.board)
}

/// Sets `stop` and `signalled` at SIGINT or SIGTERM, on a small runtime of its own.
fn stop_on_signals(stop: Arc<AtomicBool>, signalled: Arc<AtomicBool>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal handler")?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            runtime.block_on(async {
                let mut terminate =
                    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        Ok(signal) => signal,
                        Err(error) => {
                            tracing::warn!(%error, "cannot listen for SIGTERM");
                            return;
                        }
                    };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
                tracing::info!("stopping after the comic being printed");
                signalled.store(true, Ordering::SeqCst);
                stop.store(true, Ordering::SeqCst);
            });
        })
        .context("cannot start the signal handler")?;
    Ok(())
}

/// Runs the robot until a signal (or `run_for`). A printer switched from the page starts the
/// robot again with the new printer (after the comic being printed), its page and queue kept.
pub fn run(config: &ComicConfig, options: &RunOptions) -> anyhow::Result<()> {
    let spool_dir = options.state.join("spool");
    let stop = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    stop_on_signals(Arc::clone(&stop), Arc::clone(&signalled))?;
    let restart = Arc::new(AtomicBool::new(false));
    let (inbox, watch) = (Inbox::new(), Watch::new());
    let mut config = config.clone();
    let mut page = None;
    loop {
        let maker = Maker::new(&config, &options.config_path, &options.archive_dir)?;
        let spool = Spool::open(&spool_dir)?;
        if page.is_none() {
            let switch = {
                let (restart, stop) = (Arc::clone(&restart), Arc::clone(&stop));
                PrinterSwitch::new(options.places.clone(), move || {
                    restart.store(true, Ordering::SeqCst);
                    stop.store(true, Ordering::SeqCst);
                })
            };
            page = serve_page(
                &config,
                &options.state,
                &maker,
                &spool,
                &inbox,
                &watch,
                switch,
            )?;
        }
        let mut board = if options.backend == BackendKind::Sim {
            Board::sim(sim_board(&config, &maker, options)?)
        } else {
            let mut board_config = config.board.clone();
            board_config.backend = options.backend;
            Board::open(&board_config)?
        };
        let wiring = Wiring::from_board(&mut board, &config)?;
        let clock = wiring.clock.clone();
        let until = options.run_for.map(|run_for| clock.now() + run_for);
        tracing::info!(
            board = %options.backend,
            printer = %config.printer.port,
            profile = %config.printer.profile,
            spool = %spool_dir.display(),
            archive = %options.archive_dir.display(),
            "comic robot running"
        );
        let finish = if until.is_some() {
            Finish::Drain
        } else {
            Finish::AfterCurrent
        };
        let robot = Robot::new(wiring, maker, spool).with_inbox(inbox.clone());
        let heard = watch.clone();
        robot.run(until, Arc::clone(&stop), finish, move |event| {
            heard.record(event)
        })?;
        drop(board);
        if restart.swap(false, Ordering::SeqCst) && !signalled.load(Ordering::SeqCst) {
            stop.store(false, Ordering::SeqCst);
            config = ComicConfig::load(&options.places)?;
            tracing::info!(profile = %config.printer.profile, "printer switched: starting again");
            continue;
        }
        break;
    }
    drop(page);
    Ok(())
}

/// Where the robot's page listens and the name it is found by (the package ships avahi's
/// service file for the defaults: cross/deb/comic/avahi-comic.xml).
pub fn page_site(settings: &crate::config::PageSettings) -> atelier_web::Site {
    atelier_web::Site {
        bind: settings.bind.clone(),
        port: settings.port,
        hostname: settings.hostname.clone(),
        instance: "Comic robot".to_owned(),
        table: "page",
    }
}

/// Serves the robot's page as `[page]` says (bound now: a port in use stops the start with a
/// message naming the setting), or nothing when it is switched off.
pub fn serve_page(
    config: &ComicConfig,
    state: &Path,
    maker: &Maker,
    spool: &Spool,
    inbox: &Inbox,
    watch: &Watch,
    printer: PrinterSwitch,
) -> anyhow::Result<Option<atelier_web::Background>> {
    let settings = &config.page;
    if !settings.enabled {
        return Ok(None);
    }
    let gate = crate::page::gate(&state.join("pairings.json"), settings, inbox.clone())?;
    let page = ComicPage::new(
        watch.clone(),
        inbox.clone(),
        maker.archive().clone(),
        spool.clone(),
        printer,
    );
    let (router, _) = crate::page::router(page, gate);
    let site = page_site(settings);
    let served = atelier_web::serve_in_background(&site, router)?;
    tracing::info!(
        "the robot's page: http://{}:{} (or http://{}.local:{})",
        served.address().ip(),
        served.address().port(),
        settings.hostname,
        served.address().port()
    );
    Ok(Some(served))
}

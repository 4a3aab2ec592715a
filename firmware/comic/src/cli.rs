//! The `comic` command line: make, print, reprint, check, run, config. In the library rather
//! than in main.rs so tests run it in-process, quickly, on the host and under qemu alike.

use std::path::PathBuf;
use std::time::Duration;

use crate::compose;
use crate::config::ComicConfig;
use crate::escpos::EncodedJob;
use crate::maker::{Made, Maker, today_utc};
use crate::print::{self, Readiness};
use crate::timing::PrintTime;
use anyhow::{Context as _, bail};
use atelier_board::{AnyClock, BackendKind, Board, PortSpec};
use atelier_config::Places;
use atelier_hal::MonotonicClock;
use clap::{Parser, Subcommand};

/// Makes comics from hand-drawn grids and an art library, archives them and prints them on a
/// thermal printer.
#[derive(Debug, Parser)]
#[command(name = "comic", version, about, long_about = None)]
pub struct Args {
    /// The machine's config (default: /etc/atelier/comic.toml, or hardware/comic.toml when run
    /// from a source checkout). Edits made on the machine are laid over it from the state folder.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The state folder, where the archive, the spool and config edits live (default:
    /// $ATELIER_STATE_DIR/comic, $STATE_DIRECTORY/comic under systemd, else
    /// $XDG_STATE_HOME/atelier/comic or ~/.local/state/atelier/comic).
    #[arg(long, global = true)]
    state: Option<PathBuf>,
    /// The archive folder, where comics are written and reprinted from (default:
    /// `comic.archive_dir` from the config).
    #[arg(short, long, global = true)]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Makes a comic and archives it: PNG, JSON sidecar, and the printer's bytes.
    Make {
        #[command(flatten)]
        what: What,
    },
    /// Makes a comic, archives it and prints it.
    Print {
        #[command(flatten)]
        what: What,
        #[command(flatten)]
        printer: PrinterArgs,
    },
    /// Prints an archived comic again.
    Reprint {
        /// Its number (from the footer or the archive's file names).
        number: u64,
        #[command(flatten)]
        printer: PrinterArgs,
    },
    /// Runs the robot: the button makes a comic and prints it, the LEDs say what is going on,
    /// every press is spooled until its comic is on paper (SIGINT/SIGTERM stop it after the
    /// comic being printed; the rest print at the next start).
    Run {
        /// The board: rpi, cdev or sim (default: the config's). `sim` runs a simulated robot
        /// whose paper is kept in the state folder (sim/paper.escpos).
        #[arg(long)]
        board: Option<BackendKind>,
        /// Simulator only: a simulated person presses the button every this many seconds.
        #[arg(long)]
        press_every: Option<f64>,
        /// Simulator only: virtual seconds per wall second.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Stop after this many seconds (on the board's clock), every accepted press printed.
        #[arg(long = "for")]
        run_for: Option<f64>,
    },
    /// Loads the library and says what is usable: skipped files, themes, grids that cannot be
    /// filled. Run it after adding grids or art.
    Check,
    /// Where the robot's files are (config, edits, archive, library) and its config in force.
    Config,
}

#[derive(Debug, clap::Args)]
struct What {
    /// Seed for every random choice: the same seed (and number and date) makes the same comic.
    /// Without it a fresh seed is drawn; it is printed in the footer and saved.
    #[arg(long)]
    seed: Option<u64>,
    /// Only art of this theme (default: `comic.theme` from the config, else any).
    #[arg(long)]
    theme: Option<String>,
    /// The date in the footer, YYYY-MM-DD (default: today, UTC).
    #[arg(long)]
    date: Option<String>,
}

#[derive(Debug, clap::Args)]
struct PrinterArgs {
    /// Which board to open ports on: rpi, cdev or sim (default: the config's). On `sim` the
    /// comic is printed on the simulator's printer and its paper saved as a PNG.
    #[arg(long)]
    board: Option<BackendKind>,
    /// The printer's port (default: `printer.port` from the config): /dev/usb/lp0,
    /// serial:/dev/serial0@19200, tcp:HOST:9100 or file:PATH.
    #[arg(long)]
    port: Option<PortSpec>,
}

/// Runs one command; returns what it has to say on standard output (the footer of a comic
/// made, where the simulator's paper went, the library report).
pub fn run(args: Args) -> anyhow::Result<String> {
    let mut places = Places::find("comic", args.config.as_deref());
    if let Some(state) = args.state {
        places = places.with_state(state);
    }
    let config = ComicConfig::load(&places)?;
    let config_path = places.defaults.clone();
    let archive_dir = args.out.unwrap_or_else(|| config.comic.archive_dir.clone());
    match args.command {
        Command::Make { what } => {
            let maker = Maker::new(&config, &config_path, &archive_dir)?;
            Ok(make(&maker, what)?.comic.footer)
        }
        Command::Print { what, printer } => {
            let maker = Maker::new(&config, &config_path, &archive_dir)?;
            let made = make(&maker, what)?;
            send(&maker, &printer, &made.job, made.saved.number)
        }
        Command::Reprint { number, printer } => {
            let maker = Maker::new(&config, &config_path, &archive_dir)?;
            let job = maker.job_from_archive(number)?;
            send(&maker, &printer, &job, number)
        }
        Command::Run {
            board,
            press_every,
            speed,
            run_for,
        } => {
            let seconds = |name: &str, value: Option<f64>| match value {
                Some(s) if s.is_finite() && s > 0.0 && s < 1e9 => {
                    Ok(Some(Duration::from_secs_f64(s)))
                }
                Some(s) => bail!("--{name} must be a positive number of seconds, not {s}"),
                None => Ok(None),
            };
            if !(speed.is_finite() && speed > 0.0 && speed <= 10_000.0) {
                bail!("--speed must be above 0 and at most 10000, not {speed}");
            }
            let options = crate::daemon::RunOptions {
                backend: board.unwrap_or(config.board.backend),
                state: places.state.clone(),
                archive_dir,
                config_path,
                speed,
                press_every: seconds("press-every", press_every)?,
                run_for: seconds("for", run_for)?,
                places: places.clone(),
            };
            crate::daemon::run(&config, &options)?;
            Ok(String::new())
        }
        Command::Check => check(&Maker::new(&config, &config_path, &archive_dir)?),
        Command::Config => Ok(places.report::<ComicConfig>()?),
    }
}

/// Makes the next comic as the command line asked.
fn make(maker: &Maker, what: What) -> anyhow::Result<Made> {
    let date = match what.date {
        Some(date) => check_date(&date)?,
        None => today_utc(),
    };
    let seed = what.seed.unwrap_or_else(atelier_cli::fresh_seed);
    Ok(maker.make(maker.archive().next_number()?, seed, date, what.theme)?)
}

/// Sends a job to the configured (or given) printer, asking about paper first.
fn send(
    maker: &Maker,
    printer: &PrinterArgs,
    job: &EncodedJob,
    number: u64,
) -> anyhow::Result<String> {
    let (config, profile, archive) = (maker.config(), maker.profile(), maker.archive());
    let port_spec = printer
        .port
        .clone()
        .unwrap_or_else(|| config.printer.port.clone());
    let backend = printer.board.unwrap_or(config.board.backend);
    let estimate = PrintTime::estimate(profile, job);
    tracing::info!(
        link_s = estimate.link.as_secs_f64(),
        paper_s = estimate.paper.as_secs_f64(),
        total_s = estimate.total().as_secs_f64(),
        bound = if estimate.link_bound() {
            "link"
        } else {
            "paper"
        },
        "print time estimate"
    );
    // Only the simulator needs a board for a printer; a real one is a port and nothing else.
    let (mut port, clock, simulated) = if backend == BackendKind::Sim {
        let sim = atelier_sim::SimBoard::new();
        let printer = crate::simulated::printer_for(profile);
        sim.attach_port(
            &port_spec.to_string(),
            printer.clone(),
            crate::simulated::link_for(profile),
        );
        let mut board = Board::sim(sim);
        (board.port(&port_spec)?, board.clock(), Some(printer))
    } else {
        let clock = AnyClock::Monotonic(MonotonicClock::new());
        (atelier_board::open_port(&port_spec)?, clock, None)
    };
    let readiness = if port_spec.answers() {
        print::ask_readiness(&mut port)
    } else {
        Readiness::Unknown
    };
    let stopped = |why: &str| {
        anyhow::anyhow!(
            "the printer on {port_spec} {why}; the comic is archived: fix it and run \
             `comic reprint {number}`"
        )
    };
    match readiness {
        Readiness::PaperOut => return Err(stopped("is out of paper")),
        Readiness::CoverOpen => return Err(stopped("has its cover open")),
        Readiness::Offline => return Err(stopped("is offline")),
        Readiness::PaperNearEnd => tracing::warn!("the paper roll is nearly used up"),
        Readiness::Ready => tracing::debug!("printer ready"),
        Readiness::Unknown => tracing::debug!("the printer did not say whether it is ready"),
    }
    let sent = print::send(&mut port, profile, job, clock)
        .with_context(|| format!("printing comic {number} on {port_spec}"))?;
    let took = Duration::from_nanos(sent.expected_done.as_nanos() - sent.started.as_nanos());
    tracing::info!(number, seconds = took.as_secs_f64(), "printed");
    if let Some(printer) = simulated {
        // Let the simulated printer burn what is still in its buffer.
        printer.print_buffered();
        let path = archive.dir().join(format!("comic-{number:06}.paper.png"));
        crate::simulated::save_paper(&printer, &path)?;
        return Ok(format!(
            "printed on the simulator's printer: {}",
            path.display()
        ));
    }
    Ok(format!("printed comic {number} on {port_spec}"))
}

fn check(maker: &Maker) -> anyhow::Result<String> {
    use std::fmt::Write as _;
    let (config, library) = (maker.config(), maker.library());
    let mut report = String::new();
    writeln!(
        report,
        "{}: {} grids, {} pieces of art",
        config.comic.library.display(),
        library.grids.len(),
        library.art.len()
    )?;
    for grid in &library.grids {
        writeln!(
            report,
            "  grid {:<20} {} panels",
            grid.name,
            grid.panels.len()
        )?;
    }
    let mut themes: Vec<Option<String>> = vec![None];
    themes.extend(library.themes().into_iter().map(Some));
    let mut usable_anywhere = false;
    for theme in themes {
        let verdicts = compose::feasibility(library, theme.as_deref());
        let usable = verdicts.iter().filter(|(_, v)| v.is_ok()).count();
        usable_anywhere |= usable > 0;
        let pieces = library
            .art
            .iter()
            .filter(|a| a.in_theme(theme.as_deref()))
            .count();
        writeln!(
            report,
            "  theme {:<12} {pieces:>3} pieces, {usable}/{} grids can be filled",
            theme.as_deref().unwrap_or("(any)"),
            verdicts.len()
        )?;
        for (_, verdict) in verdicts {
            if let Err(reason) = verdict {
                writeln!(report, "      {reason}")?;
            }
        }
    }
    for warning in &library.warnings {
        writeln!(report, "  skipped: {warning}")?;
    }
    if !usable_anywhere {
        bail!("{report}no grid can be filled with this library");
    }
    Ok(report)
}

fn check_date(date: &str) -> anyhow::Result<String> {
    let parts: Vec<&str> = date.split('-').collect();
    let valid = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && parts[2].parse::<u32>().is_ok_and(|d| (1..=31).contains(&d))
        && parts[0].parse::<u32>().is_ok();
    if !valid {
        bail!("--date {date}: accepted: YYYY-MM-DD, such as 2026-11-25");
    }
    Ok(date.to_owned())
}

//! `polargraph`: plans drawings for a polargraph plotter and plots them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;
use atelier_board::BackendKind;
use atelier_config::Places;
use clap::{Parser, Subcommand};
use polargraph::daemon::{Reply, Request};
use polargraph::input::{self, Drawing};
use polargraph::job::{Job, JobOptions};
use polargraph::plan::StyleOptions;
use polargraph::plotter::{Outcome, Progress};
use polargraph::session::{self, PlottingClaim, Session};
use polargraph::{Plan, PlotterConfig, Point, Style, output};

/// Plans, previews and plots drawings on a polargraph plotter.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Turns an image or SVG into a plan: SVG preview, PNG of the ink, JSON summary, G-code,
    /// and what rebuilds it (`polargraph plot` takes the folder and plots that very plan).
    Plan(PlanArgs),
    /// Plots an image, SVG, generative style, or a plan folder from `polargraph plan`: plans
    /// it, keeps what rebuilds the plan in the job folder, and drives the motors and the pen (on `--board sim`, the simulated plotter,
    /// whose paper is saved as DIR/canvas.png). Ctrl-C or SIGTERM stops after the current step
    /// with the pen up; `polargraph resume` goes on.
    Plot {
        #[command(flatten)]
        job: JobArgs,
        #[command(flatten)]
        board: BoardArgs,
        /// The job folder: a copy of the input, the options, the config, the journal.
        #[arg(short, long, default_value = "plot")]
        out: PathBuf,
    },
    /// Goes on with a plot that was paused, stopped or killed, or cut by a power loss (then
    /// only after `set-home`).
    Resume {
        /// The job folder (default: the plot started last).
        dir: Option<PathBuf>,
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Runs the plotter as a machine that stays up: `plot`, `pause`, `resume`, `set-home`,
    /// `home` and `status` go through its queue (a socket in the state folder). After a restart
    /// it comes up paused and never moves on its own; idle motors are released after
    /// `drivers.release_after_s`. It serves the plotter's page (`[page]`, port 8082; pair with
    /// `polargraph pair`). SIGTERM or Ctrl-C pause a running job safely, then stop.
    Run {
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Prints a pairing code for the plotter's page (served by `polargraph run`): type it on
    /// the page within five minutes. Single-use; wrong codes lock pairing for a while.
    Pair {
        /// The machine's config (for where its state folder is).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// What `polargraph run` is doing.
    Status {
        /// The machine's config (for where its state folder is).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Stops the running plot safely: the pen up, the position and the journal saved.
    Pause {
        /// The machine's config (for where its state folder is).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Declares that the pen is on its home spot (after a power loss or released motors).
    SetHome {
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Travels with the pen up to the home spot.
    Home {
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Moves the pen, up, by DX and DY millimetres (x to the right, y down).
    Jog {
        /// Millimetres to the right (negative: left).
        #[arg(allow_negative_numbers = true)]
        dx: f64,
        /// Millimetres down (negative: up).
        #[arg(allow_negative_numbers = true)]
        dy: f64,
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Lifts or lowers the pen.
    Pen {
        /// `up` or `down`.
        #[arg(value_parser = ["up", "down"])]
        position: String,
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Finds the motor spacing and home cord lengths: `draw` plots nine crosses and writes a
    /// sheet (calibration.toml in the state folder) for the distances you measure between
    /// them; `fit` reads it back and saves the geometry that fits into the config's edits.
    Calibrate {
        #[command(subcommand)]
        step: CalibrateStep,
    },
    /// Where the plotter's files are, and its config in force (the defaults with the edits
    /// made on this machine).
    Config {
        /// The machine's config (default: /etc/atelier/polargraph.toml, or
        /// hardware/polargraph.toml when run from a source checkout).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum CalibrateStep {
    /// Plots the test pattern (from home, back to home) and writes the sheet to fill in.
    Draw {
        #[command(flatten)]
        board: BoardArgs,
    },
    /// Fits the geometry to the measured sheet and saves it into the config's edits.
    Fit {
        /// The filled-in sheet (default: calibration.toml in the state folder).
        #[arg(long)]
        sheet: Option<PathBuf>,
        /// The machine's config (default: /etc/atelier/polargraph.toml, or
        /// hardware/polargraph.toml when run from a source checkout).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
struct BoardArgs {
    /// The board: rpi, cdev or sim (default: the config's). On `sim` the simulated plotter's
    /// cords and paper are kept in the state folder (sim/world), as a real plotter keeps them.
    #[arg(long)]
    board: Option<BackendKind>,
    /// Simulator only: at most this many virtual seconds per wall second (default: as fast as
    /// possible).
    #[arg(long)]
    speed: Option<f64>,
    /// Simulator only: write every pin edge and PWM change of the run to this VCD file as it
    /// happens (GTKWave, PulseView; a whole plot is gigabytes).
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// The machine's config (default: /etc/atelier/polargraph.toml, or
    /// hardware/polargraph.toml when run from a source checkout), with the edits from the
    /// state folder laid over it.
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct JobArgs {
    /// A PNG or JPEG (drawn in a style), an SVG (drawn as its paths), or a folder written by
    /// `polargraph plan` (its picture, style and seed: the plan previewed). Leave out for
    /// generative styles.
    input: Option<PathBuf>,
    /// Drawing style for images: scribble, squarewave, spiral, squiggle, crosshatch, stipple, or the
    /// generative spirograph.
    #[arg(long, value_parser = parse_style)]
    style: Option<Style>,
    /// Seed for every random choice (default: a fresh one, printed and kept in the job).
    #[arg(long)]
    seed: Option<u64>,
    /// Cell size in mm for scribble and squarewave.
    #[arg(long)]
    cell: Option<f64>,
    /// Number of dots for stipple.
    #[arg(long)]
    dots: Option<usize>,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// A PNG or JPEG (drawn in a style) or an SVG (drawn as its paths). Leave out for
    /// generative styles.
    input: Option<PathBuf>,
    /// Drawing style for images: scribble, squarewave, spiral, squiggle, crosshatch, stipple, or the
    /// generative spirograph. Default: scribble for images, spirograph without an input.
    #[arg(long, value_parser = parse_style)]
    style: Option<Style>,
    /// Seed for every random choice; the same seed redraws the same plot. Without it a fresh
    /// seed is drawn, printed and saved.
    #[arg(long)]
    seed: Option<u64>,
    /// The machine's config (default: /etc/atelier/polargraph.toml, or
    /// hardware/polargraph.toml when run from a source checkout), with the edits from the
    /// state folder laid over it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Folder for the outputs (created if missing).
    #[arg(short, long, default_value = "plan")]
    out: PathBuf,
    /// Also write Cartesian G-code for Makelangelo's Marlin polargraph firmware.
    #[arg(long)]
    gcode: bool,
    /// Cell size in mm for scribble (default: one picture pixel) and squarewave (default: six
    /// pen widths, giving seven tones).
    #[arg(long)]
    cell: Option<f64>,
    /// Number of dots for stipple (default: about one per (3 pen widths)² of ink).
    #[arg(long)]
    dots: Option<usize>,
    /// Resolution of the ink PNG, pixels per millimetre.
    #[arg(long, default_value_t = 4.0)]
    px_per_mm: f64,
}

fn parse_style(text: &str) -> Result<Style, String> {
    text.parse()
}

fn main() -> std::process::ExitCode {
    atelier_cli::init_logging();
    let args = Args::parse();
    atelier_cli::run(|| run(args))
}

fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Command::Config { config } => {
            let places = atelier_config::Places::find("polargraph", config.as_deref());
            atelier_cli::print_stdout(places.report::<PlotterConfig>()?.trim_end())?;
            Ok(())
        }
        Command::Plan(plan) => run_plan(plan),
        Command::Plot { job, board, out } => run_plot(job, board, out),
        Command::Calibrate {
            step: CalibrateStep::Draw { board },
        } => calibrate_draw(&board),
        Command::Calibrate {
            step: CalibrateStep::Fit { sheet, config },
        } => calibrate_fit(sheet, config),
        Command::Resume { dir, board } => run_resume(dir, board),
        Command::Pause { config } => {
            let places = Places::find("polargraph", config.as_deref());
            if let Some(reply) = through_daemon(&places, &Request::Pause)? {
                return show_reply(&reply);
            }
            let pid = session::pause(&places.state)?;
            println!("asked the plot (process {pid}) to stop with the pen up");
            Ok(())
        }
        Command::Pair { config } => {
            let places = Places::find("polargraph", config.as_deref());
            match through_daemon(&places, &Request::Pair)? {
                Some(reply) if reply.ok => {
                    atelier_cli::print_stdout(&reply.message).context("printing the code")
                }
                Some(reply) => anyhow::bail!("polargraph run: {}", reply.message),
                None => anyhow::bail!(
                    "no `polargraph run` is running (its socket would be {}): the page and its \
                     pairing come with it",
                    places.state.join(polargraph::daemon::SOCKET).display()
                ),
            }
        }
        Command::Status { config } => {
            let places = Places::find("polargraph", config.as_deref());
            match through_daemon(&places, &Request::Status)? {
                Some(reply) => show_reply(&reply),
                None => {
                    println!(
                        "no `polargraph run` is running (its socket would be {})",
                        places.state.join(polargraph::daemon::SOCKET).display()
                    );
                    Ok(())
                }
            }
        }
        Command::Run { board } => {
            let (config, places, session) = open(&board)?;
            let page = polargraph::page::PageSite {
                settings: config.page.clone(),
                samples: places.assets.join("plotter"),
            };
            let shutdown = Arc::new(AtomicBool::new(false));
            for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
                signal_hook::flag::register(signal, Arc::clone(&shutdown))
                    .context("listening for Ctrl-C and SIGTERM")?;
            }
            let stop = session.plotter.stop_flag();
            polargraph::daemon::run(
                session,
                std::time::Duration::from_secs_f64(config.drivers.release_after_s),
                stop,
                shutdown,
                Some(page),
            )
        }
        Command::SetHome { board } => {
            let places = Places::find("polargraph", board.config.as_deref());
            if let Some(reply) = through_daemon(&places, &Request::SetHome)? {
                return show_reply(&reply);
            }
            let (_, places, mut session) = open(&board)?;
            let _claim = PlottingClaim::take(&places.state)?;
            session.move_gondola_home_by_hand()?;
            session.plotter.set_home()?;
            println!("home set: {}", where_is(&session));
            Ok(())
        }
        Command::Home { board } => {
            let places = Places::find("polargraph", board.config.as_deref());
            if let Some(reply) = through_daemon(&places, &Request::Home)? {
                return show_reply(&reply);
            }
            let (_, places, mut session) = open(&board)?;
            let _claim = PlottingClaim::take(&places.state)?;
            session.plotter.go_home()?;
            println!("at home: {}", where_is(&session));
            Ok(())
        }
        Command::Jog { dx, dy, board } => {
            let (_, places, mut session) = open(&board)?;
            let _claim = PlottingClaim::take(&places.state)?;
            let from = session
                .plotter
                .pen_position()
                .ok_or(polargraph::plotter::PlotterError::PositionUnknown)?;
            session
                .plotter
                .travel_to(Point::new(from.x + dx, from.y + dy))?;
            println!("moved: {}", where_is(&session));
            Ok(())
        }
        Command::Pen { position, board } => {
            let (_, places, mut session) = open(&board)?;
            let _claim = PlottingClaim::take(&places.state)?;
            session.plotter.pen(position == "down")?;
            println!("pen {position}");
            Ok(())
        }
    }
}

/// Sends `request` to the `polargraph run` of this machine, if one is running.
fn through_daemon(places: &Places, request: &Request) -> anyhow::Result<Option<Reply>> {
    match polargraph::daemon::ask(&places.state, request) {
        None => Ok(None),
        Some(reply) => Ok(Some(reply.context("talking to `polargraph run`")?)),
    }
}

fn show_reply(reply: &Reply) -> anyhow::Result<()> {
    if !reply.ok {
        anyhow::bail!("polargraph run: {}", reply.message);
    }
    let s = &reply.status;
    atelier_cli::print_stdout(&format!(
        "{}\n{:?}{}, stroke {}/{}, pen {}, position {}, {} waiting: {}",
        reply.message,
        s.activity,
        s.job
            .as_ref()
            .map(|j| format!(" {}", j.display()))
            .unwrap_or_default(),
        s.stroke,
        s.strokes,
        if s.pen_down { "down" } else { "up" },
        if s.position_known { "known" } else { "unknown" },
        s.queued,
        s.message
    ))?;
    Ok(())
}

/// Opens the plotter for a command: config, places, board, Ctrl-C and SIGTERM.
fn open(board: &BoardArgs) -> anyhow::Result<(PlotterConfig, Places, Session)> {
    let places = Places::find("polargraph", board.config.as_deref());
    let config: PlotterConfig = places.load()?;
    // Before any pin is touched: one driver of the plotter at a time.
    if let Some(pid) = session::plotting_process(&places.state) {
        anyhow::bail!(
            "another polargraph (process {pid}) is driving the plotter: wait for it, or \
             `polargraph pause` it"
        );
    }
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("listening for Ctrl-C and SIGTERM")?;
    }
    let backend = board.board.unwrap_or(config.board.backend);
    if board.speed.is_some() && backend != BackendKind::Sim {
        anyhow::bail!("--speed is for the simulated board (--board sim)");
    }
    let pace = match board.speed {
        Some(speed) if speed.is_finite() && speed > 0.0 => {
            Some(atelier_sim::Pace::AtMost { speed })
        }
        Some(speed) => anyhow::bail!("--speed must be a positive number, not {speed}"),
        None => None,
    };
    if board.vcd.is_some() && backend != BackendKind::Sim {
        anyhow::bail!("--vcd is for the simulated board (--board sim)");
    }
    let session = Session::open(&config, backend, &places, pace, stop)?;
    if let (Some(path), Some(rig)) = (&board.vcd, &session.rig) {
        rig.sim
            .recorder()
            .stream_vcd(path)
            .with_context(|| format!("creating {}", path.display()))?;
    }
    Ok((config, places, session))
}

fn calibrate_draw(board: &BoardArgs) -> anyhow::Result<()> {
    use polargraph::calibration::{Pattern, SHEET_FILE, Sheet};
    let (config, places, mut session) = open(board)?;
    let _claim = PlottingClaim::take(&places.state)?;
    let pattern = Pattern::for_machine(session.plotter.machine());
    let strokes = pattern.strokes(session.plotter.machine());
    session.new_sheet()?;
    let view = ProgressView::start(strokes.len());
    let outcome = session.plotter.draw(&strokes, &mut |p| view.update(p));
    view.finish();
    if let Outcome::Paused { reason, .. } = outcome? {
        anyhow::bail!(
            "the pattern was not finished ({reason}): run `polargraph calibrate draw` again"
        );
    }
    let sheet_path = places.state.join(SHEET_FILE);
    atelier_config::write_atomically(&sheet_path, Sheet::blank(pattern).to_text().as_bytes())
        .with_context(|| format!("writing {}", sheet_path.display()))?;
    if session.rig.is_some() {
        session.save_canvas(&config, &places.state.join("calibration.png"))?;
    }
    println!(
        "nine crosses drawn. Measure the distances listed in {} and run `polargraph calibrate fit`",
        sheet_path.display()
    );
    Ok(())
}

fn calibrate_fit(sheet: Option<PathBuf>, config: Option<PathBuf>) -> anyhow::Result<()> {
    use polargraph::calibration::{Geometry, SHEET_FILE, Sheet};
    let places = Places::find("polargraph", config.as_deref());
    let config: PlotterConfig = places.load()?;
    let path = sheet.unwrap_or_else(|| places.state.join(SHEET_FILE));
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {origin} (`polargraph calibrate draw` writes it)"))?;
    let sheet = Sheet::parse(&text, &origin)?;
    let before = Geometry {
        motor_spacing_mm: config.geometry.motor_spacing_mm,
        left_cord_mm: config.home.left_cord_mm,
        right_cord_mm: config.home.right_cord_mm,
    };
    let fit = sheet
        .pattern
        .fit(&sheet.measured(&origin)?, sheet.taped_spacing(), before)
        .with_context(|| format!("fitting {origin}"))?;
    let after = fit.geometry;
    let round = |mm: f64| (mm * 100.0).round() / 100.0;
    places.edit::<PlotterConfig>(|edits, _| {
        edits["geometry"]["motor_spacing_mm"] = toml_edit::value(round(after.motor_spacing_mm));
        edits["home"]["left_cord_mm"] = toml_edit::value(round(after.left_cord_mm));
        edits["home"]["right_cord_mm"] = toml_edit::value(round(after.right_cord_mm));
        Ok(())
    })?;
    println!(
        "motor spacing {:.2} → {:.2} mm, home cords {:.2} / {:.2} → {:.2} / {:.2} mm (fit within {:.2} mm rms); saved to {}. With the pen on its home spot, run `polargraph set-home`.",
        before.motor_spacing_mm,
        after.motor_spacing_mm,
        before.left_cord_mm,
        before.right_cord_mm,
        after.left_cord_mm,
        after.right_cord_mm,
        fit.rms_mm,
        places.edits.display()
    );
    Ok(())
}

fn where_is(session: &Session) -> String {
    match session.plotter.pen_position() {
        Some(p) => format!("pen at ({:.1}, {:.1}) mm", p.x, p.y),
        None => "position unknown".to_owned(),
    }
}

fn run_plot(job: JobArgs, board: BoardArgs, out: PathBuf) -> anyhow::Result<()> {
    let JobArgs {
        input,
        style,
        seed,
        cell,
        dots,
    } = job;
    let places = Places::find("polargraph", board.config.as_deref());
    let daemon = through_daemon(&places, &Request::Status)?.is_some();
    if let Ok(journal) = std::fs::read_to_string(out.join(polargraph::journal::JOURNAL_FILE))
        && !journal.contains("\"done\"")
    {
        anyhow::bail!(
            "{} holds a plot that is not finished: `polargraph resume {}` goes on with it; choose \
             another folder with -o to start a new one",
            out.display(),
            out.display()
        );
    }
    let (input, options, planned_with) = match input {
        Some(dir) if dir.is_dir() => {
            if style.is_some() || seed.is_some() || cell.is_some() || dots.is_some() {
                anyhow::bail!(
                    "{} is a plan folder: its style, seed, cell and dots are the plan's; leave out \
                     --style, --seed, --cell and --dots (or plan again with them)",
                    dir.display()
                );
            }
            let planned = Job::open(&dir).with_context(|| {
                format!(
                    "{} is not a plan folder from `polargraph plan` (or an image or SVG)",
                    dir.display()
                )
            })?;
            let input = planned.options.input.as_ref().map(|name| dir.join(name));
            tracing::info!(
                seed = planned.options.seed,
                "plotting the plan in {}",
                dir.display()
            );
            (input, planned.options, Some(planned.config))
        }
        input => {
            let seed = seed.unwrap_or_else(atelier_cli::fresh_seed);
            tracing::info!(seed, "seed (repeat this plot with --seed {seed})");
            let options = JobOptions {
                input: None,
                style: style.map(|s| s.name().to_owned()),
                seed,
                cell_mm: cell,
                dots,
            };
            (input, options, None)
        }
    };
    let warn_if_changed = |config: &PlotterConfig| {
        if let Some(planned) = &planned_with
            && toml::to_string(planned).ok() != toml::to_string(config).ok()
        {
            tracing::warn!(
                "the machine's config changed since the plan was made: it is planned again for \
                 the config as it is now, and may differ a little from the preview"
            );
        }
    };
    if daemon {
        let config: PlotterConfig = places.load()?;
        warn_if_changed(&config);
        Job::create(&out, input.as_deref(), options, &config)?;
        let dir = std::path::absolute(&out)?;
        let reply =
            through_daemon(&places, &Request::Plot { dir })?.context("`polargraph run` stopped")?;
        return show_reply(&reply);
    }
    let (config, places, mut session) = open(&board)?;
    let _claim = PlottingClaim::take(&places.state)?;
    if session.plotter.steps().is_none() {
        return Err(polargraph::plotter::PlotterError::PositionUnknown.into());
    }
    warn_if_changed(&config);
    let job = Job::create(&out, input.as_deref(), options, &config)?;
    session::remember_job(&places.state, &out)?;
    session.new_sheet()?;
    let view = ProgressView::start(job.plan()?.strokes.len());
    let outcome = session.plotter.plot(&job, &mut |p| view.update(p));
    view.finish();
    finish(&session, &config, &job, outcome?)
}

fn run_resume(dir: Option<PathBuf>, board: BoardArgs) -> anyhow::Result<()> {
    let places = Places::find("polargraph", board.config.as_deref());
    let absolute = dir.as_deref().map(std::path::absolute).transpose()?;
    if let Some(reply) = through_daemon(&places, &Request::Resume { dir: absolute })? {
        return show_reply(&reply);
    }
    let (config, places, mut session) = open(&board)?;
    let _claim = PlottingClaim::take(&places.state)?;
    let dir = match dir {
        Some(dir) => dir,
        None => session::current_job(&places.state)?,
    };
    let job = Job::open(&dir)?;
    session::remember_job(&places.state, &dir)?;
    let view = ProgressView::start(job.plan()?.strokes.len());
    let outcome = session.plotter.resume(&job, &mut |p| view.update(p));
    view.finish();
    finish(&session, &config, &job, outcome?)
}

/// The progress bar, drawn by a thread of its own: the plotting thread only stores numbers
/// (a terminal write in the timed loop could make a step late).
struct ProgressView {
    shared: Arc<(std::sync::atomic::AtomicU64, AtomicBool, AtomicBool)>,
    drawer: Option<std::thread::JoinHandle<()>>,
}

impl ProgressView {
    fn start(strokes: usize) -> ProgressView {
        let bar = indicatif::ProgressBar::new(strokes as u64).with_style(
            indicatif::ProgressStyle::with_template(
                "plotting {bar:40} {pos}/{len} strokes, pen {msg} ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let shared: Arc<(std::sync::atomic::AtomicU64, AtomicBool, AtomicBool)> = Arc::default();
        let watched = Arc::clone(&shared);
        let drawer = std::thread::spawn(move || {
            use std::sync::atomic::Ordering::Relaxed;
            let (stroke, pen_down, done) = &*watched;
            while !done.load(Relaxed) {
                bar.set_position(stroke.load(Relaxed));
                bar.set_message(if pen_down.load(Relaxed) { "down" } else { "up" });
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressView {
            shared,
            drawer: Some(drawer),
        }
    }

    fn update(&self, progress: Progress) {
        use std::sync::atomic::Ordering::Relaxed;
        self.shared.0.store(progress.stroke as u64, Relaxed);
        self.shared.1.store(progress.pen_down, Relaxed);
    }

    fn finish(mut self) {
        self.shared
            .2
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            let _ = drawer.join();
        }
    }
}

fn finish(
    session: &Session,
    config: &PlotterConfig,
    job: &Job,
    outcome: Outcome,
) -> anyhow::Result<()> {
    if let Some(rig) = &session.rig {
        session.save_canvas(config, &job.dir.join("canvas.png"))?;
        rig.sim
            .recorder()
            .finish_vcd()
            .context("writing the VCD file")?;
    }
    match outcome {
        Outcome::Done(played) => {
            let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
            println!(
                "plot finished: {} events; lateness p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
                 skew between the two STEP edges p99 {:.0} ns, max {:.0} ns; {:.1} s behind plan; \
                 job in {}",
                played.events,
                ms(played.lateness.quantile(0.5)),
                ms(played.lateness.quantile(0.99)),
                ms(played.lateness.max()),
                played.skew.quantile(0.99).as_nanos(),
                played.skew.max().as_nanos(),
                played.shifted.as_secs_f64(),
                job.dir.display()
            );
        }
        Outcome::Paused { place, reason } => {
            println!(
                "plot paused at stroke {} ({reason}); `polargraph resume {}` goes on",
                place.stroke,
                job.dir.display()
            );
        }
    }
    Ok(())
}

fn run_plan(plan: PlanArgs) -> anyhow::Result<()> {
    let PlanArgs {
        input,
        style,
        seed,
        config,
        out,
        gcode,
        cell,
        dots,
        px_per_mm,
    } = plan;
    if let Some(dots) = dots
        && !(1..=200_000).contains(&dots)
    {
        anyhow::bail!("--dots must be from 1 to 200000, not {dots}");
    }
    if let Some(cell) = cell
        && !(cell.is_finite() && (0.2..=100.0).contains(&cell))
    {
        anyhow::bail!("--cell must be from 0.2 to 100 mm, not {cell}");
    }
    if !(px_per_mm.is_finite() && (0.5..=40.0).contains(&px_per_mm)) {
        anyhow::bail!("--px-per-mm must be from 0.5 to 40, not {px_per_mm}");
    }
    let config: PlotterConfig =
        atelier_config::Places::find("polargraph", config.as_deref()).load()?;
    let drawing = input.as_deref().map(input::load).transpose()?;
    let seed = seed.unwrap_or_else(atelier_cli::fresh_seed);
    tracing::info!(seed, "seed (repeat this plot with --seed {seed})");

    let options = StyleOptions {
        cell_mm: cell,
        dots,
    };
    let plan = Plan::new(&config, drawing.as_ref(), style, &options, seed)?;
    if matches!(drawing, Some(Drawing::Paths(_))) && plan.fitted {
        tracing::warn!("the SVG was larger than the drawable area and was scaled down to fit");
    }
    let progress = indicatif::ProgressBar::new(plan.strokes.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "planning motion {bar:40} {pos}/{len} strokes ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let summary = plan.summary(input.as_ref().map(|p| p.display().to_string()), |n| {
        progress.set_position(n as u64)
    });
    progress.finish_and_clear();

    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    // What rebuilds this very plan, so `polargraph plot OUT` plots what was previewed.
    Job::create(
        &out,
        input.as_deref(),
        JobOptions {
            input: None,
            style: style.map(|s| s.name().to_owned()),
            seed,
            cell_mm: cell,
            dots,
        },
        &config,
    )?;
    let home = plan.machine.home_position();
    let pen = config.pen.width_mm;
    write(
        &out.join("preview.svg"),
        output::svg(
            &plan.strokes,
            home,
            plan.machine.paper,
            plan.machine.drawable,
            pen,
        ),
    )?;
    let ink = output::ink(&plan.strokes, plan.machine.paper, pen, px_per_mm);
    let ink_path = out.join("ink.png");
    ink.save(&ink_path)
        .with_context(|| format!("writing {}", ink_path.display()))?;
    write(
        &out.join("plan.json"),
        serde_json::to_string_pretty(&summary)? + "\n",
    )?;
    if gcode {
        write(
            &out.join("plan.gcode"),
            output::gcode(&plan.strokes, &config, plan.machine.paper),
        )?;
    }
    println!(
        "{} strokes, {:.1} m drawn, {:.1} m pen-up travel, plot time {} (lower bound {}), seed {}; outputs in {} (`polargraph plot {}` plots this plan)",
        summary.strokes,
        summary.pen_down_mm / 1000.0,
        summary.pen_up_mm / 1000.0,
        clock(summary.plot_time_s),
        clock(summary.lower_bound_s),
        summary.seed,
        out.display(),
        out.display()
    );
    Ok(())
}

fn write(path: &Path, text: String) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn clock(seconds: f64) -> String {
    let s = seconds.round() as u64;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

//! `atelier-sim`: Atelier's machines on simulated boards, on the desktop, in a browser page.
//!
//! `atelier-sim` runs each machine's real firmware on simulated hardware and serves a page on
//! 127.0.0.1: each machine's own page (as its daemon serves it on a Pi) beside a panel for the
//! simulated parts: the Lantern lamp, the comic robot and the polargraph plotter.
//! `atelier-sim demo` runs the button-and-light demo (hardware/demo.md).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::Board;
use atelier_config::Places;
use atelier_hal::{Clock, Instant};
use atelier_sim::{Bounce, ButtonScript, Pace, SimBoard, VirtualClock};
use clap::{Parser, Subcommand};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use atelier_desktop::demo::{self, DemoConfig};
use atelier_desktop::desk_comic::DeskComic;
use atelier_desktop::desk_lamp::DeskLamp;
use atelier_desktop::desk_plotter::DeskPlotter;
use atelier_desktop::headless::Scenario;
use atelier_desktop::shell::Machines;

/// Runs Atelier's machines on simulated hardware, live in a browser page.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The page's port on 127.0.0.1 (0: any free port; the URL is printed either way).
    #[arg(long, default_value_t = 8470)]
    port: u16,
    /// Do not open a browser; only print the page's address.
    #[arg(long)]
    no_browser: bool,
    /// The simulator's own state folder (the machines' edits, pairings, outputs). Default:
    /// $ATELIER_STATE_DIR/desktop, else $XDG_STATE_HOME/atelier/desktop or
    /// ~/.local/state/atelier/desktop; never a real machine's.
    #[arg(long)]
    state: Option<PathBuf>,
    /// The lamp's config (default: hardware/lantern.toml in a checkout,
    /// /etc/atelier/lantern.toml when installed).
    #[arg(long)]
    lantern_config: Option<PathBuf>,
    /// The comic robot's config (default: hardware/comic.toml in a checkout,
    /// /etc/atelier/comic.toml when installed).
    #[arg(long)]
    comic_config: Option<PathBuf>,
    /// The comic robot's clock: virtual seconds per wall second (1 is real time; 20 prints a
    /// comic in a second or two instead of half a minute).
    #[arg(long, default_value_t = 1.0)]
    comic_speed: f64,
    /// The plotter's config (default: hardware/polargraph.toml in a checkout,
    /// /etc/atelier/polargraph.toml when installed).
    #[arg(long)]
    plotter_config: Option<PathBuf>,
    /// The plotter's clock at start: virtual seconds per wall second, 0.1 to 1000 (the page
    /// changes it while plotting).
    #[arg(long, default_value_t = 1.0)]
    plotter_speed: f64,
    /// Run a scenario without the page (with --scenario and --out), then stop.
    #[arg(long, requires_all = ["scenario", "out"])]
    headless: bool,
    /// The scenario to run headless (see assets/scenarios).
    #[arg(long, requires = "headless")]
    scenario: Option<PathBuf>,
    /// Where a headless run writes its outputs and summary.json.
    #[arg(long, requires = "headless")]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The button-and-light demo: a simulated person presses a bouncy push button, the real
    /// debounce driver toggles a light, and every pin edge is saved as a VCD file.
    Demo(DemoArgs),
}

/// The demo's options.
#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// The demo's config, pins and button wiring (default: hardware/demo.toml in a checkout,
    /// /etc/atelier/demo.toml when installed).
    #[arg(long)]
    config: Option<PathBuf>,
    /// How many times the simulated person presses the button.
    #[arg(long, default_value_t = 5)]
    presses: u32,
    /// Seed for the simulated person's timing and the contact bounce; printed when drawn.
    #[arg(long)]
    seed: Option<u64>,
    /// Virtual seconds per wall second (1 is real time).
    #[arg(long, default_value_t = 1.0, conflicts_with = "fast")]
    speed: f64,
    /// Run as fast as the CPU allows instead of in real time.
    #[arg(long)]
    fast: bool,
    /// Where to save the pin recording (VCD, for GTKWave or PulseView). Default:
    /// atelier-demo.vcd in the simulator's state folder ($ATELIER_STATE_DIR/demo, else
    /// $XDG_STATE_HOME/atelier/demo or ~/.local/state/atelier/demo), never the source tree.
    #[arg(long)]
    vcd: Option<PathBuf>,
}

fn main() -> std::process::ExitCode {
    atelier_cli::init_logging();
    let cli = Cli::parse();
    atelier_cli::run(|| match cli.command {
        Some(Command::Demo(args)) => run(args),
        None => serve(&cli),
    })
}

/// The three machines running, and what stops them.
struct Desk {
    machines: Machines,
    runtime: tokio::runtime::Runtime,
    stop: Arc<AtomicBool>,
    threads: Vec<(&'static str, std::thread::JoinHandle<()>)>,
}

impl Desk {
    /// Starts the lamp, the comic robot and the plotter on simulated boards, each in the
    /// simulator's own state folder.
    fn start(
        cli: &Cli,
        plotter_config: Option<&std::path::Path>,
        comic_speed: f64,
        plotter_speed: f64,
    ) -> anyhow::Result<Desk> {
        if !(plotter_speed.is_finite() && (0.1..=1000.0).contains(&plotter_speed)) {
            anyhow::bail!(
                "the plotter's speed must be between 0.1 and 1000 virtual seconds per wall \
                 second, not {plotter_speed}"
            );
        }
        if !(comic_speed.is_finite() && comic_speed > 0.0 && comic_speed <= 1000.0) {
            anyhow::bail!(
                "the comic robot's speed must be between 0 and 1000 virtual seconds per wall \
                 second, not {comic_speed}"
            );
        }
        let state = cli
            .state
            .clone()
            .unwrap_or_else(|| Places::find("desktop", None).state);
        let lantern_places = Places::find("lantern", cli.lantern_config.as_deref())
            .with_state(state.join("lantern"));
        let comic_places =
            Places::find("comic", cli.comic_config.as_deref()).with_state(state.join("comic"));
        let plotter_places =
            Places::find("polargraph", plotter_config).with_state(state.join("polargraph"));
        let stop = Arc::new(AtomicBool::new(false));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let (lamp, lamp_thread) =
            DeskLamp::start(lantern_places, runtime.handle().clone(), Arc::clone(&stop))?;
        let (comic, comic_thread) =
            DeskComic::start(&comic_places, comic_speed, Arc::clone(&stop))?;
        let (plotter, plotter_thread) =
            DeskPlotter::start(&plotter_places, plotter_speed, Arc::clone(&stop))?;
        Ok(Desk {
            machines: Machines::new(lamp, comic, plotter),
            runtime,
            stop,
            threads: vec![
                ("the lamp", lamp_thread),
                ("the plotter", plotter_thread),
                // Last: the robot finishes the comic on paper first, as on a Pi.
                ("the comic robot", comic_thread),
            ],
        })
    }

    /// Stops every machine as it stops on a Pi: a plot pauses with the pen up and its place
    /// saved, the robot finishes the comic it prints.
    fn stop(self) {
        self.machines.plotter.pause();
        self.stop.store(true, Ordering::Relaxed);
        for (name, thread) in self.threads {
            if thread.join().is_err() {
                tracing::error!("{name}'s thread panicked");
            }
        }
        self.runtime.shutdown_timeout(Duration::from_secs(2));
    }
}

/// The page and the machines behind it, until Ctrl-C or SIGTERM.
fn serve(cli: &Cli) -> anyhow::Result<()> {
    if cli.headless {
        return headless(cli);
    }
    // Bound first, so a port in use is a clear error before anything starts.
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], cli.port));
    let listener = std::net::TcpListener::bind(address).with_context(|| {
        format!(
            "the simulator's page cannot listen on {address}: is another atelier-sim running? \
             Choose another port with --port (0 picks a free one)"
        )
    })?;
    listener.set_nonblocking(true)?;
    let url = format!("http://{}/", listener.local_addr()?);
    let desk = Desk::start(
        cli,
        cli.plotter_config.as_deref(),
        cli.comic_speed,
        cli.plotter_speed,
    )?;
    let router = atelier_desktop::shell::router(desk.machines.clone())?;
    println!("Atelier simulator: {url}");
    if !cli.no_browser {
        open_browser(&url);
    }
    let served = desk.runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let (stop_serving, serving_stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(atelier_web::serve(listener, router, async {
            let _ = serving_stopped.await;
        }));
        shutdown_signal().await;
        let _ = stop_serving.send(());
        // Live streams (the lamp's preview, its events) never end on their own: they get two
        // seconds, then the simulator stops anyway.
        match tokio::time::timeout(Duration::from_secs(2), server).await {
            Ok(Ok(served)) => served,
            Ok(Err(error)) => Err(std::io::Error::other(error)),
            Err(_) => {
                tracing::info!("open streams cut at shutdown");
                Ok(())
            }
        }
    });
    desk.stop();
    served.context("serving the simulator's page")
}

/// `--headless --scenario FILE --out DIR`: the scenario's steps, every output in DIR.
fn headless(cli: &Cli) -> anyhow::Result<()> {
    let (Some(path), Some(out)) = (&cli.scenario, &cli.out) else {
        anyhow::bail!("--headless needs --scenario FILE.toml and --out DIR");
    };
    let scenario = Scenario::load(path)?;
    let desk = Desk::start(
        cli,
        scenario
            .plotter_config
            .as_deref()
            .or(cli.plotter_config.as_deref()),
        scenario.comic_speed.unwrap_or(cli.comic_speed),
        scenario.plotter_speed.unwrap_or(cli.plotter_speed),
    )?;
    let summary = atelier_desktop::headless::run(&scenario, &desk.machines, out);
    desk.stop();
    let summary = summary?;
    let refused: Vec<String> = summary
        .steps
        .iter()
        .enumerate()
        .filter(|(_, taken)| taken.result != "ok")
        .map(|(n, taken)| {
            format!(
                "step {} at {:.1} s: {}",
                n + 1,
                taken.machine_s,
                taken.result
            )
        })
        .collect();
    println!(
        "{} steps in {:.1} s; outputs and summary.json in {}",
        summary.steps.len(),
        summary.wall_s,
        out.display()
    );
    if !summary.finished {
        anyhow::bail!(
            "the machines were still busy after the scenario's timeout ({} s)",
            scenario.timeout_s
        );
    }
    if !refused.is_empty() {
        anyhow::bail!("some steps were refused:\n{}", refused.join("\n"));
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(error) => {
                tracing::warn!("cannot listen for SIGTERM: {error}");
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("stopping");
}

/// Opens `url` in the desktop's browser when there is one; the URL is printed either way.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        // The opener returns at once (the browser outlives it); reap it off the main thread.
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
        }
        Err(error) => tracing::info!("no browser opened ({opener}: {error}); open {url}"),
    }
}

/// The button-and-light demo.
fn run(args: DemoArgs) -> anyhow::Result<()> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!(
            "--speed must be a positive number of virtual seconds per wall second, not {}",
            args.speed
        );
    }
    let places = atelier_config::Places::find("demo", args.config.as_deref());
    let config = DemoConfig::load(&places.defaults)?;
    let vcd = match args.vcd {
        Some(path) => path,
        None => {
            std::fs::create_dir_all(&places.state)
                .with_context(|| format!("creating the state folder {}", places.state.display()))?;
            places.state.join("atelier-demo.vcd")
        }
    };
    let seed = args.seed.unwrap_or_else(atelier_cli::fresh_seed);
    tracing::info!(
        seed,
        "simulated person (repeat this run with --seed {seed})"
    );

    let pace = if args.fast {
        Pace::AsFastAsPossible
    } else {
        Pace::RealTime { speed: args.speed }
    };
    let sim = SimBoard::with_clock(VirtualClock::with_pace(pace));
    let (script, end) = person(seed, args.presses);
    sim.input_line(
        config.pins.button.number(),
        !matches!(config.button.pressed_level, demo::Level::High),
    )
    .schedule_all(script.levels());

    let mut board = Board::sim(sim.clone());
    let presses = demo::run(&mut board, &config, end)?;
    sim.save_vcd(&vcd)
        .with_context(|| format!("saving the recording to {}", vcd.display()))?;
    println!(
        "{presses} presses in {} of simulated time; light {}; pin recording in {}",
        sim.now(),
        if sim.output_line(config.pins.light.number()).level() {
            "on"
        } else {
            "off"
        },
        vcd.display()
    );
    Ok(())
}

/// A person pressing the button `presses` times, 0.4–1.4 s apart, holding it 60–300 ms each time.
/// Returns the script and a moment shortly after the last release.
fn person(seed: u64, presses: u32) -> (ButtonScript, Instant) {
    let mut script = ButtonScript::active_low(seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut at = Instant::ZERO + Duration::from_millis(300);
    for _ in 0..presses {
        let hold = Duration::from_millis(rng.random_range(60..300));
        script = script.press(at, hold, Bounce::TACTILE);
        at += hold + Duration::from_millis(rng.random_range(400..1400));
    }
    (script, at)
}

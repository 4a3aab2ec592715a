//! `atelier-sim`: Atelier's machines on simulated boards, on the desktop.
//!
//! Until the machines land here, it runs the button-and-light demo (hardware/demo.md) on the
//! simulated board: a simulated person presses a bouncy push button, the real debounce driver
//! toggles the light, and the pin recording is saved as a VCD file.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::Board;
use atelier_hal::{Clock, Instant};
use atelier_sim::{Bounce, ButtonScript, Pace, SimBoard, VirtualClock};
use clap::Parser;

use atelier_desktop::demo::{self, DemoConfig};

/// Runs Atelier's machines on simulated hardware.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// The demo's config (pins and button wiring).
    #[arg(long, default_value = "hardware/demo.toml")]
    config: PathBuf,
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
    /// Where to save the pin recording (VCD, for GTKWave or PulseView).
    #[arg(long, default_value = "atelier-demo.vcd")]
    vcd: PathBuf,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Args::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // One line with the whole chain of causes: these are the user's errors (a config, a
            // path), not the program's, so no backtrace.
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    if !(args.speed.is_finite() && args.speed > 0.0) {
        anyhow::bail!(
            "--speed must be a positive number of virtual seconds per wall second, not {}",
            args.speed
        );
    }
    let config = DemoConfig::load(&find_config(&args.config))?;
    let seed = args.seed.unwrap_or_else(fresh_seed);
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
    sim.save_vcd(&args.vcd)
        .with_context(|| format!("saving the recording to {}", args.vcd.display()))?;
    println!(
        "{presses} presses in {} of simulated time; light {}; pin recording in {}",
        sim.now(),
        if sim.output_line(config.pins.light.number()).level() {
            "on"
        } else {
            "off"
        },
        args.vcd.display()
    );
    Ok(())
}

/// A person pressing the button `presses` times, 0.4–1.4 s apart, holding it 60–300 ms each time.
/// Returns the script and a moment shortly after the last release.
fn person(seed: u64, presses: u32) -> (ButtonScript, Instant) {
    let mut script = ButtonScript::active_low(seed);
    let mut rng = SplitMix(seed);
    let mut at = Instant::ZERO + Duration::from_millis(300);
    for _ in 0..presses {
        let hold = Duration::from_millis(60 + rng.below(240));
        script = script.press(at, hold, Bounce::TACTILE);
        at += hold + Duration::from_millis(400 + rng.below(1000));
    }
    (script, at)
}

/// A tiny deterministic generator for the person's timing (the bounce itself comes from the
/// simulator's seeded ChaCha).
struct SplitMix(u64);

impl SplitMix {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The config as given, or the copy in the source tree when run from elsewhere.
fn find_config(path: &std::path::Path) -> PathBuf {
    if path.exists() || path.is_absolute() {
        return path.to_owned();
    }
    let in_tree = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    if in_tree.exists() {
        in_tree
    } else {
        path.to_owned()
    }
}

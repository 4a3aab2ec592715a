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
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use atelier_desktop::demo::{self, DemoConfig};

/// Runs Atelier's machines on simulated hardware.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
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
    let args = Args::parse();
    atelier_cli::run(|| run(args))
}

fn run(args: Args) -> anyhow::Result<()> {
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

//! `polargraph`: plans drawings for a polargraph plotter.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use polargraph::input::{self, Drawing};
use polargraph::plan::StyleOptions;
use polargraph::{Plan, PlotterConfig, Style, output};

/// Plans and previews drawings for a polargraph plotter.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Turns an image or SVG into a plan: SVG preview, PNG of the ink, JSON summary, G-code.
    Plan(PlanArgs),
    /// Where the plotter's files are, and its config in force (the defaults with the edits
    /// made on this machine).
    Config {
        /// The machine's config (default: /etc/atelier/polargraph.toml, or
        /// hardware/polargraph.toml when run from a source checkout).
        #[arg(long)]
        config: Option<PathBuf>,
    },
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
    }
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
        "{} strokes, {:.1} m drawn, {:.1} m pen-up travel, plot time {} (lower bound {}), seed {}; outputs in {}",
        summary.strokes,
        summary.pen_down_mm / 1000.0,
        summary.pen_up_mm / 1000.0,
        clock(summary.plot_time_s),
        clock(summary.lower_bound_s),
        summary.seed,
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

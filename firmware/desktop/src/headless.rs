//! Scripted runs without a page: `atelier-sim --headless --scenario FILE.toml --out DIR`.
//!
//! A scenario is a list of steps, each for one machine at a time on that machine's own clock
//! (seconds since the simulator started): turn the lamp, press the comic robot's button, pull
//! its paper, plot a picture. The plotter's clock runs only while it plots, so a plotter step
//! whose time has not come is taken at once when the plotter is at rest. The run ends once every step has been taken and the machines are
//! at rest (the plot finished or stopped, every press on paper), or at `timeout_s` of wall
//! time. Everything comes out in DIR: the lamp's frame after each turn, the comic paper, the
//! plotter's canvas, a VCD recording of each machine's board for the whole run, and
//! `summary.json` with what each step did and how each machine ended. Tests use it; makers can
//! use it in their own CI.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant as WallInstant};

use anyhow::Context as _;
use atelier_hal::Clock as _;
use serde::{Deserialize, Serialize};

use crate::desk_comic::PrinterChange;
use crate::desk_lamp::PanelChange;
use crate::desk_plotter::{Activity, PlotRequest};
use crate::shell::Machines;

/// A scenario file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The longest the run may take, wall seconds (default 600).
    #[serde(default = "default_timeout")]
    pub timeout_s: f64,
    /// The comic robot's clock speed (default 1).
    #[serde(default)]
    pub comic_speed: Option<f64>,
    /// The plotter's clock speed (default 1).
    #[serde(default)]
    pub plotter_speed: Option<f64>,
    /// A plotter config, relative to the scenario file (default: the shipped one).
    #[serde(default)]
    pub plotter_config: Option<PathBuf>,
    /// The steps, in any order: each is taken when its machine's clock reaches `at_s`.
    #[serde(default)]
    pub step: Vec<Step>,
}

fn default_timeout() -> f64 {
    600.0
}

/// One step: one machine, one action.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// When, in seconds of the machine's own clock since the start.
    pub at_s: f64,
    /// Turn, shake or knock the lamp.
    #[serde(default)]
    pub lantern: Option<LanternStep>,
    /// Press the comic robot's button (`"press"`), or change its printer.
    #[serde(default)]
    pub comic: Option<ComicStep>,
    /// Plot a picture.
    #[serde(default)]
    pub plot: Option<PlotRequest>,
    /// Pause the plot (`"pause"`) or resume it (`"resume"`).
    #[serde(default)]
    pub plotter: Option<PlotterAction>,
    /// Wait, besides `at_s`, until every machine is at rest (no plot running, every press on
    /// paper): "the roll runs out after the first comic", however long that comic took on a
    /// loaded machine. Later steps of the same machine wait for it.
    #[serde(default)]
    pub settle: bool,
}

impl Step {
    /// The machine it acts on.
    fn machine(&self) -> &'static str {
        if self.lantern.is_some() {
            "lantern"
        } else if self.comic.is_some() {
            "comic"
        } else {
            "plotter"
        }
    }
}

/// What a lantern step does (the hardware panel's controls).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LanternStep {
    /// `ceiling`, `wall` or `table`.
    #[serde(default)]
    pub toward: Option<crate::desk_lamp::Toward>,
    /// Sensor noise, g rms.
    #[serde(default)]
    pub noise_g: Option<f64>,
    /// A knock.
    #[serde(default)]
    pub knock: bool,
}

/// What a comic step does.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComicStep {
    /// Press the button.
    Press,
    /// Take the paper out.
    PaperOut,
    /// Put a new roll in.
    PaperIn,
    /// Pull the printer's cable.
    Unplug,
    /// Plug it back in.
    Plug,
}

/// Pause or resume.
#[derive(Clone, Copy, Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlotterAction {
    /// Stop safely, the pen up.
    Pause,
    /// Go on.
    Resume,
}

impl Scenario {
    /// Reads and checks a scenario file; errors name the file, the step and what is accepted.
    pub fn load(path: &Path) -> anyhow::Result<Scenario> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the scenario {}", path.display()))?;
        let mut scenario: Scenario = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim()))?;
        if !(scenario.timeout_s.is_finite() && scenario.timeout_s > 0.0) {
            anyhow::bail!("{}: timeout_s must be a positive number", path.display());
        }
        for (index, step) in scenario.step.iter().enumerate() {
            let actions = usize::from(step.lantern.is_some())
                + usize::from(step.comic.is_some())
                + usize::from(step.plot.is_some())
                + usize::from(step.plotter.is_some());
            if actions != 1 {
                anyhow::bail!(
                    "{}: step {} must do exactly one thing (lantern, comic, plot or plotter), \
                     not {actions}",
                    path.display(),
                    index + 1
                );
            }
            if !(step.at_s.is_finite() && step.at_s >= 0.0) {
                anyhow::bail!(
                    "{}: step {}: at_s must be zero or more seconds",
                    path.display(),
                    index + 1
                );
            }
        }
        if let Some(config) = &scenario.plotter_config {
            let folder = path.parent().unwrap_or(Path::new("."));
            scenario.plotter_config = Some(folder.join(config));
        }
        Ok(scenario)
    }
}

/// What a step did.
#[derive(Clone, Debug, Serialize)]
pub struct Taken {
    /// The step as written.
    pub step: Step,
    /// The machine's clock when it was taken, seconds.
    pub machine_s: f64,
    /// `ok`, or why the machine refused it.
    pub result: String,
    /// A file the step produced (the lamp's frame once it settled).
    pub output: Option<String>,
}

/// `summary.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// Every step, in the order taken.
    pub steps: Vec<Taken>,
    /// Whether the machines came to rest before the timeout.
    pub finished: bool,
    /// Wall seconds the run took.
    pub wall_s: f64,
    /// How each machine ended.
    pub lantern: crate::desk_lamp::Panel,
    /// See [`Summary::lantern`].
    pub lantern_showing: Option<String>,
    /// See [`Summary::lantern`].
    pub comic: crate::desk_comic::ComicPanel,
    /// See [`Summary::lantern`].
    pub plotter: crate::desk_plotter::PlotterPanel,
    /// The files written, relative to the output folder.
    pub outputs: Vec<String>,
}

/// Runs `scenario` on `machines`, writing into `out`.
pub fn run(scenario: &Scenario, machines: &Machines, out: &Path) -> anyhow::Result<Summary> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    for recording in machines.recordings.values() {
        recording.set(true);
    }
    let started = WallInstant::now();
    let deadline = started + Duration::from_secs_f64(scenario.timeout_s);
    let mut pending: Vec<Step> = scenario.step.clone();
    pending.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    let mut taken = Vec::new();
    let mut outputs = Vec::new();
    let finished = loop {
        let mut index = 0;
        // A machine whose next step waits: its later steps wait too (steps stay in order).
        let mut waiting: Vec<&'static str> = Vec::new();
        while index < pending.len() {
            let step = &pending[index];
            let machine_s = clock_of(machines, step);
            let due = machine_s >= step.at_s || clock_stands_still(machines, step);
            let ready =
                due && !waiting.contains(&step.machine()) && (!step.settle || at_rest(machines));
            if !ready {
                waiting.push(step.machine());
            }
            if ready {
                let step = pending.remove(index);
                let done = take(machines, &step, machine_s, out, taken.len() + 1)?;
                outputs.extend(done.output.clone());
                taken.push(done);
            } else {
                index += 1;
            }
        }
        if pending.is_empty() && at_rest(machines) {
            break true;
        }
        if WallInstant::now() >= deadline {
            tracing::warn!("the scenario timed out after {} s", scenario.timeout_s);
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    for (name, recording) in machines.recordings.iter() {
        recording.set(false);
        let file = format!("{name}.vcd");
        let vcd = recording.vcd().map_err(anyhow::Error::msg)?;
        std::fs::write(out.join(&file), vcd).with_context(|| format!("writing {file}"))?;
        outputs.push(file);
    }
    let paper = machines.comic.paper_png()?;
    std::fs::write(out.join("comic-paper.png"), paper).context("writing comic-paper.png")?;
    outputs.push("comic-paper.png".into());
    let canvas = machines.plotter.canvas_png()?;
    std::fs::write(out.join("plotter-canvas.png"), canvas).context("writing plotter-canvas.png")?;
    outputs.push("plotter-canvas.png".into());
    outputs.push(save_frame(machines, out, "lantern-final.png")?);
    let summary = Summary {
        steps: taken,
        finished,
        wall_s: started.elapsed().as_secs_f64(),
        lantern: machines.lamp.panel(),
        lantern_showing: machines.lamp.handle().state().borrow().showing.clone(),
        comic: machines.comic.panel(),
        plotter: machines.plotter.panel(),
        outputs,
    };
    let json = serde_json::to_string_pretty(&summary).context("writing the summary")?;
    std::fs::write(out.join("summary.json"), json).context("writing summary.json")?;
    Ok(summary)
}

/// The clock of the machine a step is for, seconds since the start.
fn clock_of(machines: &Machines, step: &Step) -> f64 {
    let board = if step.lantern.is_some() {
        machines.lamp.board()
    } else if step.comic.is_some() {
        machines.comic.board()
    } else {
        machines.plotter.board()
    };
    (board.clock().now() - atelier_hal::Instant::ZERO).as_secs_f64()
}

/// Whether the clock of the step's machine stands still: the plotter's runs only while it
/// plots (its virtual time waits for the executor), so a step for a plotter at rest is due now.
fn clock_stands_still(machines: &Machines, step: &Step) -> bool {
    (step.plot.is_some() || step.plotter.is_some())
        && !matches!(
            machines.plotter.panel().activity,
            Activity::Planning | Activity::Plotting
        )
}

/// Whether nothing is left to happen: the plot is not running and every press is on paper.
fn at_rest(machines: &Machines) -> bool {
    let plotter = machines.plotter.panel();
    let comic = machines.comic.panel();
    !matches!(plotter.activity, Activity::Planning | Activity::Plotting)
        && comic.printed >= comic.accepted
}

fn take(
    machines: &Machines,
    step: &Step,
    machine_s: f64,
    out: &Path,
    number: usize,
) -> anyhow::Result<Taken> {
    let mut output = None;
    let result = if let Some(lantern) = &step.lantern {
        let change = PanelChange {
            toward: lantern.toward,
            noise_g: lantern.noise_g,
            knock: lantern.knock,
            ..PanelChange::default()
        };
        match machines.lamp.change(&change) {
            Ok(_) => {
                if let Some(toward) = lantern.toward {
                    let surface = serde_json::to_value(toward)?
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    if wait_until_showing(machines, &surface) {
                        output = Some(save_frame(
                            machines,
                            out,
                            &format!("lantern-{number:02}-{surface}.png"),
                        )?);
                        Ok(())
                    } else {
                        Err(format!("the lamp never showed {surface}"))
                    }
                } else {
                    Ok(())
                }
            }
            Err(why) => Err(why),
        }
    } else if let Some(comic) = &step.comic {
        match comic {
            ComicStep::Press => machines.comic.press(),
            change => {
                let change = match change {
                    ComicStep::PaperOut => PrinterChange {
                        paper_out: Some(true),
                        ..PrinterChange::default()
                    },
                    ComicStep::PaperIn => PrinterChange {
                        paper_out: Some(false),
                        ..PrinterChange::default()
                    },
                    ComicStep::Unplug => PrinterChange {
                        plugged: Some(false),
                        ..PrinterChange::default()
                    },
                    ComicStep::Plug | ComicStep::Press => PrinterChange {
                        plugged: Some(true),
                        ..PrinterChange::default()
                    },
                };
                machines.comic.change_printer(&change);
            }
        }
        Ok(())
    } else if let Some(request) = &step.plot {
        // A plot asked for while the last one is still being planned waits its turn.
        let wait_until = WallInstant::now() + Duration::from_secs(60);
        loop {
            match machines.plotter.plot(request.clone()) {
                Err(why) if why.contains("busy") && WallInstant::now() < wait_until => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => break other,
            }
        }
    } else {
        match step.plotter {
            Some(PlotterAction::Pause) => {
                machines.plotter.pause();
                Ok(())
            }
            Some(PlotterAction::Resume) => {
                // A pause takes effect at the next safe point: wait for it.
                let wait_until = WallInstant::now() + Duration::from_secs(30);
                while machines.plotter.panel().activity == Activity::Plotting
                    && WallInstant::now() < wait_until
                {
                    std::thread::sleep(Duration::from_millis(20));
                }
                machines.plotter.resume()
            }
            None => Ok(()),
        }
    };
    Ok(Taken {
        step: step.clone(),
        machine_s,
        result: result.map_or_else(|why| why, |()| "ok".to_owned()),
        output,
    })
}

/// Waits (up to 20 s of wall time) until the lamp shows `surface` and its crossfade is over.
fn wait_until_showing(machines: &Machines, surface: &str) -> bool {
    let deadline = WallInstant::now() + Duration::from_secs(20);
    while WallInstant::now() < deadline {
        let shows = machines.lamp.handle().state().borrow().showing.as_deref() == Some(surface);
        if shows {
            // The crossfade (0.6 s by default) and a preview period.
            std::thread::sleep(Duration::from_millis(900));
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// The lamp's latest preview frame as a PNG in `out`.
fn save_frame(machines: &Machines, out: &Path, name: &str) -> anyhow::Result<String> {
    let frame = machines.lamp.handle().preview().borrow().clone();
    frame
        .to_image()
        .save(out.join(name))
        .with_context(|| format!("writing {name}"))?;
    Ok(name.to_owned())
}

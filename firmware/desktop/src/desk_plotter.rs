//! The polargraph plotter in the desktop simulator: the real planner and executor playing step
//! times onto a simulated board, where a simulated wall plotter (two steppers on cords, a pen
//! on a servo) draws on virtual paper. The panel picks a sample, a style and a seed, plots,
//! pauses and resumes, and sets how fast virtual time runs (×1 … ×1000); it shows the cords,
//! the gondola, the step counters, the pen, and the paper as the simulated pen inked it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::BackendKind;
use atelier_config::Places;
use atelier_sim::{Pace, SimPlotter, VirtualClock};
use polargraph::daemon::{Activity as DaemonActivity, Control, Daemon, Ended, Request};
use polargraph::session::Session;
use polargraph::studio::Studio;
pub use polargraph::studio::{MAX_UPLOAD_BYTES, PlotRequest, Preview};
use polargraph::{PlotterConfig, Rect};
use serde::Serialize;

/// The fastest the panel runs the plotter's clock.
pub const MAX_SPEED: f64 = 1000.0;

/// Pixels per millimetre of the paper picture sent to the page.
const CANVAS_PX_PER_MM: f64 = 1.5;

/// What the plotter is doing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activity {
    /// Nothing to do.
    Idle,
    /// Planning the job (turning the picture into step times).
    Planning,
    /// Drawing.
    Plotting,
    /// Stopped with the pen up; Resume goes on.
    Paused,
    /// The last job is drawn.
    Done,
    /// The last job failed; `message` says why.
    Failed,
}

/// What the panel shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlotterPanel {
    /// What it is doing.
    pub activity: Activity,
    /// Strokes begun, of the plan's.
    pub stroke: usize,
    /// Strokes in the plan.
    pub strokes: usize,
    /// Whether the pen touches the paper.
    pub pen_down: bool,
    /// The cords' lengths, mm.
    pub cords_mm: [f64; 2],
    /// Where the pen is, mm from the left motor (x right, y down).
    pub pen_mm: Option<[f64; 2]>,
    /// The motors' step counters.
    pub steps: [i64; 2],
    /// The distance between the motors, mm.
    pub motor_spacing_mm: f64,
    /// The paper: left, top, width, height, mm.
    pub paper_mm: [f64; 4],
    /// Virtual seconds per wall second.
    pub speed: f64,
    /// The job: sample, style and seed.
    pub job: Option<PlotRequest>,
    /// Why it paused or failed.
    pub message: Option<String>,
    /// The samples to pick from.
    pub samples: Vec<String>,
    /// The styles to pick from.
    pub styles: Vec<&'static str>,
}

/// The simulated plotter, running: `polargraph run`'s daemon on the simulated board.
#[derive(Debug)]
pub struct DeskPlotter {
    config: PlotterConfig,
    paper: Rect,
    motor_spacing_mm: f64,
    world: SimPlotter,
    board: atelier_sim::SimBoard,
    clock: VirtualClock,
    speed: Mutex<f64>,
    /// The plotter's stop flag: set, a plot pauses after its current step.
    pause: Arc<AtomicBool>,
    control: Control,
    studio: Arc<Studio>,
    /// The job asked for last from the panel.
    job: Mutex<Option<PlotRequest>>,
    /// The plotter's own page, as `polargraph run` serves it.
    page: axum::Router,
}

impl DeskPlotter {
    /// Opens the simulated plotter `places` describes (its world, position and jobs in the
    /// simulator's own state folder) with its clock at `speed`, and starts the plotter's daemon
    /// on a thread of its own (its socket in that state folder too). The thread ends when
    /// `stop` is set; [`DeskPlotter::pause`] first pauses a plot safely (pen up).
    pub fn start(
        places: &Places,
        speed: f64,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<(Arc<DeskPlotter>, std::thread::JoinHandle<()>)> {
        let config: PlotterConfig = places.load()?;
        let pause = Arc::new(AtomicBool::new(false));
        let session = Session::open(
            &config,
            BackendKind::Sim,
            places,
            // At most `speed`: virtual time waits for the executor instead of leaving it late
            // (wall-clock hiccups at ×1000 would otherwise stop every plot as "too late").
            Some(Pace::AtMost { speed }),
            Arc::clone(&pause),
        )?;
        let rig = session.rig.as_ref().context("the simulated plotter")?;
        let world = rig.plotter.clone();
        let board = rig.sim.clone();
        let clock = rig.sim.clock();
        let machine = session.plotter.machine();
        let (paper, motor_spacing_mm) = (machine.paper, machine.spacing);
        let samples = places.assets.join("plotter");
        let studio = Arc::new(Studio::new(
            config.clone(),
            &samples,
            &places.state,
            &places.state.join("jobs"),
        ));
        // A desktop never releases the simulated motors: nobody would set home again.
        let never = Duration::from_secs(u64::MAX / 4);
        let daemon = Daemon::new(session, never, Arc::clone(&pause), stop);
        let control = daemon.control();
        let settings = polargraph::config::PageSettings {
            // The simulator listens on 127.0.0.1 only.
            open_read: true,
            ..config.page.clone()
        };
        let gate = polargraph::page::gate(&places.state.join("pairings.json"), &settings)?;
        control.attach_gate(Arc::clone(&gate));
        let page = polargraph::page::PlotterPage::new(control.clone(), daemon.session(), &samples);
        let (page, _) = polargraph::page::router(page, gate);
        let thread = std::thread::Builder::new()
            .name("plotter".into())
            .spawn(move || {
                if let Err(error) = daemon.run(None) {
                    tracing::error!("the plotter stopped: {error:#}");
                }
            })
            .context("starting the plotter's thread")?;
        let plotter = DeskPlotter {
            config,
            paper,
            motor_spacing_mm,
            world,
            board,
            clock,
            speed: Mutex::new(speed),
            pause,
            control,
            studio,
            job: Mutex::new(None),
            page,
        };
        Ok((Arc::new(plotter), thread))
    }

    /// The plotter's own page, as `polargraph run` serves it on a Pi (open to watch: the
    /// simulator listens on 127.0.0.1 only).
    pub fn page_router(&self) -> axum::Router {
        self.page.clone()
    }

    /// The plotter's simulated board (its STEP, DIR and servo pins, and their recording).
    pub fn board(&self) -> atelier_sim::SimBoard {
        self.board.clone()
    }

    /// The pictures to plot: the samples among the assets, then the uploads
    /// (`uploads/NAME`).
    pub fn samples(&self) -> Vec<String> {
        self.studio.pictures()
    }

    /// Takes an uploaded picture called `name`; see [`Studio::upload`].
    pub fn upload(&self, name: &str, bytes: &[u8]) -> Result<String, String> {
        self.studio.upload(name, bytes)
    }

    /// What the panel shows now.
    pub fn panel(&self) -> PlotterPanel {
        // The pen's contact is otherwise brought up to date only when a motor steps: after a
        // pause the servo has lifted the pen with no step since.
        self.world.settle(atelier_hal::Clock::now(&self.clock));
        let status = self.control.status();
        let (left, right) = self.world.motors();
        let activity = match (status.activity, status.ended) {
            (DaemonActivity::Plotting, _) => Activity::Plotting,
            // Asked for and not yet taken by the plotter (a resume of a paused job too).
            _ if status.queued > 0 => Activity::Planning,
            (_, Some(Ended::Failed)) => Activity::Failed,
            (DaemonActivity::Paused, _) => Activity::Paused,
            (_, Some(Ended::Finished)) => Activity::Done,
            _ => Activity::Idle,
        };
        let message =
            matches!(activity, Activity::Paused | Activity::Failed).then(|| status.message.clone());
        PlotterPanel {
            activity,
            stroke: status.stroke,
            strokes: status.strokes,
            pen_down: self.world.touching(),
            cords_mm: self.world.cords_mm(),
            pen_mm: self.world.pen(),
            steps: [left.position(), right.position()],
            motor_spacing_mm: self.motor_spacing_mm,
            paper_mm: [
                self.paper.left,
                self.paper.top,
                self.paper.width,
                self.paper.height,
            ],
            speed: *self.speed.lock().unwrap_or_else(PoisonError::into_inner),
            job: self
                .job
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
            message,
            samples: self.samples(),
            styles: self.studio.styles(),
        }
    }

    /// Plots `request` through the plotter's queue; refused while another plot runs or waits,
    /// or for a sample or style that is not there.
    pub fn plot(&self, request: PlotRequest) -> Result<(), String> {
        self.studio.check(&request)?;
        let status = self.control.status();
        if status.activity == DaemonActivity::Plotting || status.queued > 0 {
            return Err("the plotter is busy: pause it first".into());
        }
        let job = self
            .studio
            .new_job(&request)
            .map_err(|e| format!("{e:#}"))?;
        let reply = self.control.ask(Request::Plot { dir: job.dir });
        if !reply.ok {
            return Err(reply.message);
        }
        *self.job.lock().unwrap_or_else(PoisonError::into_inner) = Some(request);
        Ok(())
    }

    /// Plans `request` without plotting it; see [`Studio::preview`].
    pub fn preview(&self, request: PlotRequest) -> Result<polargraph::output::Summary, String> {
        self.studio.preview(request)
    }

    /// The latest preview.
    pub fn latest_preview(&self) -> Option<Preview> {
        self.studio.latest_preview()
    }

    /// Stops the plot safely, the pen up.
    pub fn pause(&self) {
        self.pause.store(true, Ordering::SeqCst);
    }

    /// Goes on with the paused plot.
    pub fn resume(&self) -> Result<(), String> {
        if self.control.status().activity != DaemonActivity::Paused {
            return Err("nothing is paused".into());
        }
        let reply = self.control.ask(Request::Resume { dir: None });
        if reply.ok { Ok(()) } else { Err(reply.message) }
    }

    /// Sets how fast the plotter's virtual time runs, 0.1 to [`MAX_SPEED`].
    pub fn set_speed(&self, speed: f64) -> Result<(), String> {
        if !(speed.is_finite() && (0.1..=MAX_SPEED).contains(&speed)) {
            return Err(format!(
                "speed {speed} is out of range: 0.1 to {MAX_SPEED} virtual seconds per second"
            ));
        }
        self.clock.set_pace(Pace::AtMost { speed });
        *self.speed.lock().unwrap_or_else(PoisonError::into_inner) = speed;
        Ok(())
    }

    /// The paper as the simulated pen inked it, as a PNG.
    pub fn canvas_png(&self) -> anyhow::Result<Vec<u8>> {
        let image = polargraph::simulated::canvas(
            &self.world.ink(),
            self.paper,
            self.config.pen.width_mm,
            CANVAS_PX_PER_MM,
        );
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .context("encoding the canvas")?;
        Ok(png)
    }
}

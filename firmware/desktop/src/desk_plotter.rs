//! The polargraph plotter in the desktop simulator: the real planner and executor playing step
//! times onto a simulated board, where a simulated wall plotter (two steppers on cords, a pen
//! on a servo) draws on virtual paper. The panel picks a sample, a style and a seed, plots,
//! pauses and resumes, and sets how fast virtual time runs (×1 … ×1000); it shows the cords,
//! the gondola, the step counters, the pen, and the paper as the simulated pen inked it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use atelier_board::BackendKind;
use atelier_config::Places;
use atelier_sim::{Pace, SimPlotter, VirtualClock};
use polargraph::job::Job;
use polargraph::plotter::{Outcome, Progress};
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

enum Command {
    Plot(PlotRequest),
    Resume,
}

#[derive(Debug)]
struct Status {
    activity: Activity,
    progress: Progress,
    job: Option<PlotRequest>,
    message: Option<String>,
}

/// The simulated plotter, running.
#[derive(Debug)]
pub struct DeskPlotter {
    config: PlotterConfig,
    paper: Rect,
    motor_spacing_mm: f64,
    world: SimPlotter,
    board: atelier_sim::SimBoard,
    clock: VirtualClock,
    speed: Mutex<f64>,
    pause: Arc<AtomicBool>,
    commands: SyncSender<Command>,
    status: Arc<Mutex<Status>>,
    studio: Arc<Studio>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Plot(request) => write!(f, "Plot({request:?})"),
            Command::Resume => f.write_str("Resume"),
        }
    }
}

impl DeskPlotter {
    /// Opens the simulated plotter `places` describes (its world, position and jobs in the
    /// simulator's own state folder) with its clock at `speed`, and starts the thread that
    /// plots. The thread ends when `stop` is set, after pausing a plot safely (pen up).
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
        let status = Arc::new(Mutex::new(Status {
            activity: Activity::Idle,
            progress: Progress {
                stroke: 0,
                strokes: 0,
                pen_down: false,
                steps: [0, 0],
            },
            job: None,
            message: None,
        }));
        let (commands, inbox) = std::sync::mpsc::sync_channel(4);
        let studio = Arc::new(Studio::new(
            config.clone(),
            &places.assets.join("plotter"),
            &places.state,
            &places.state.join("desktop-jobs"),
        ));
        let worker = Worker {
            session,
            status: Arc::clone(&status),
            studio: Arc::clone(&studio),
            stop,
            pause: Arc::clone(&pause),
        };
        let thread = std::thread::Builder::new()
            .name("plotter".into())
            .spawn(move || worker.run(&inbox))
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
            commands,
            status,
            studio,
        };
        Ok((Arc::new(plotter), thread))
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
        let status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        let (left, right) = self.world.motors();
        PlotterPanel {
            activity: status.activity.clone(),
            stroke: status.progress.stroke,
            strokes: status.progress.strokes,
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
            job: status.job.clone(),
            message: status.message.clone(),
            samples: self.samples(),
            styles: self.studio.styles(),
        }
    }

    /// Plots `request`; refused while another plot runs, or for a sample or style that is
    /// not there.
    pub fn plot(&self, request: PlotRequest) -> Result<(), String> {
        self.studio.check(&request)?;
        self.send(Command::Plot(request))
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
        let status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if status.activity != Activity::Paused {
            return Err("nothing is paused".into());
        }
        drop(status);
        self.send(Command::Resume)
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

    /// Hands `command` to the plotter's thread, marking the plotter busy at once (a pause
    /// asked for a moment later must find the plot, not a plotter at rest).
    fn send(&self, command: Command) -> Result<(), String> {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if matches!(status.activity, Activity::Planning | Activity::Plotting) {
            return Err("the plotter is busy: pause it first".into());
        }
        let before = (status.activity.clone(), status.job.clone());
        match &command {
            Command::Plot(request) => {
                status.activity = Activity::Planning;
                status.job = Some(request.clone());
                status.message = None;
                status.progress = Progress {
                    stroke: 0,
                    strokes: 0,
                    pen_down: false,
                    steps: [0, 0],
                };
            }
            Command::Resume => status.activity = Activity::Plotting,
        }
        self.commands.try_send(command).map_err(|e| {
            (status.activity, status.job) = before;
            match e {
                TrySendError::Full(_) => "the plotter is busy: try again in a moment".to_owned(),
                TrySendError::Disconnected(_) => "the plotter has stopped".to_owned(),
            }
        })
    }
}

/// The thread that owns the plotter.
struct Worker {
    session: Session,
    status: Arc<Mutex<Status>>,
    studio: Arc<Studio>,
    stop: Arc<AtomicBool>,
    pause: Arc<AtomicBool>,
}

impl Worker {
    fn run(mut self, inbox: &Receiver<Command>) {
        let mut job: Option<Job> = None;
        while !self.stop.load(Ordering::SeqCst) {
            let command = match inbox.recv_timeout(Duration::from_millis(100)) {
                Ok(command) => command,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            };
            self.pause.store(false, Ordering::SeqCst);
            let result = match command {
                Command::Plot(request) => {
                    self.set(Activity::Planning, Some(request.clone()), None);
                    match self.studio.new_job(&request) {
                        Ok(new) => {
                            let job = job.insert(new);
                            self.set(Activity::Plotting, Some(request), None);
                            let status = Arc::clone(&self.status);
                            self.session
                                .plotter
                                .plot(job, &mut |progress| report(&status, progress))
                                .map_err(|e| e.to_string())
                        }
                        Err(error) => Err(format!("{error:#}")),
                    }
                }
                Command::Resume => match &job {
                    Some(job) => {
                        self.set_activity(Activity::Plotting);
                        let status = Arc::clone(&self.status);
                        self.session
                            .plotter
                            .resume(job, &mut |progress| report(&status, progress))
                            .map_err(|e| e.to_string())
                    }
                    None => Err("no job to resume".into()),
                },
            };
            match result {
                Ok(Outcome::Done(played)) => {
                    tracing::info!(events = played.events, "plot done");
                    self.set_activity(Activity::Done);
                }
                Ok(Outcome::Paused { reason, .. }) => {
                    self.status
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .message = Some(reason);
                    self.set_activity(Activity::Paused);
                }
                Err(error) => {
                    tracing::warn!("plot failed: {error}");
                    self.status
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .message = Some(error);
                    self.set_activity(Activity::Failed);
                }
            }
        }
    }

    fn set(&self, activity: Activity, job: Option<PlotRequest>, message: Option<String>) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.activity = activity;
        status.job = job;
        status.message = message;
        status.progress = Progress {
            stroke: 0,
            strokes: 0,
            pen_down: false,
            steps: [0, 0],
        };
    }

    fn set_activity(&self, activity: Activity) {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .activity = activity;
    }
}

fn report(status: &Mutex<Status>, progress: Progress) {
    status
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .progress = progress;
}

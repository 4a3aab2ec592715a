//! The plotter on its board: plot a job, pause it, resume it after a crash or a power loss, set
//! and go home, jog, move the pen. It keeps the position file current after every step and
//! the job's journal at every stroke and every second (see [`crate::journal`]).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use atelier_hal::{Clock as _, Instant};

use crate::config::PlotterConfig;
use crate::executor::{Control, Played, Stopped};
use crate::geometry::{Point, Stroke};
use crate::job::{Job, JobError};
use crate::journal::{
    Checkpoint, JOURNAL_FORMAT, JobState, Journal, JournalError, Place, Position, PositionFile,
    boot_id,
};
use crate::kinematics::{GeometryError, Machine};
use crate::motion::{EventStream, Limits, Mark};
use crate::parts::Parts;

/// How often the journal is brought up to date within a stroke, on the plotter's clock.
pub const JOURNAL_INTERVAL: Duration = Duration::from_secs(1);

/// Why the plotter would not, or could not, do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum PlotterError {
    /// The gondola's position is not known (a power loss, released motors, a first start).
    #[error(
        "the gondola's position is not known (after a power loss, released motors or on a new \
         machine): move the pen to its home spot and run `polargraph set-home`, then try again"
    )]
    PositionUnknown,
    /// The job's files.
    #[error(transparent)]
    Job(#[from] JobError),
    /// The job's journal.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The job is already drawn.
    #[error("the plot in {0} is already finished")]
    Finished(String),
    /// The motors or the pen.
    #[error(transparent)]
    Stopped(#[from] Stopped),
    /// The machine's geometry.
    #[error(transparent)]
    Geometry(#[from] GeometryError),
    /// The position file.
    #[error("the position file {path}: {detail}")]
    Position {
        /// Its path.
        path: String,
        /// What went wrong.
        detail: String,
    },
    /// A move outside the paper.
    #[error("{0}")]
    Refused(String),
}

/// How a plot (or a stretch of one) ended.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Every stroke drawn, the pen parked at home; lateness measured.
    Done(Played),
    /// Stopped with the pen up where `place` says, resumable.
    Paused {
        /// Where.
        place: Place,
        /// Why.
        reason: String,
    },
}

/// Where a plot has got to, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Strokes begun (drawn or being drawn).
    pub stroke: usize,
    /// Strokes in the plan.
    pub strokes: usize,
    /// Whether the pen is down.
    pub pen_down: bool,
    /// The motors' step counters (left, right).
    pub steps: [i64; 2],
}

/// A plotter with its parts opened and its position file at hand.
#[derive(Debug)]
pub struct Plotter {
    parts: Parts,
    machine: Machine,
    limits: Limits,
    positions: PositionFile,
    boot: String,
    /// The motors' counters, when known.
    steps: Option<[i64; 2]>,
    stop: Arc<AtomicBool>,
    /// Whether plotting asks for real-time scheduling (on real hardware).
    realtime: bool,
}

/// The checkpoint waiting to be written, and whether the writer should stop once it is.
type Slot = Arc<(Mutex<(Option<Checkpoint>, bool)>, Condvar)>;

/// The journal written off the timed path: the executor hands over the latest checkpoint and a
/// thread makes it durable (an fsync on an SD card can take tens of milliseconds, far longer
/// than the gap between two steps).
struct JournalWriter {
    slot: Slot,
    thread: Option<std::thread::JoinHandle<Result<(), JournalError>>>,
}

impl JournalWriter {
    fn start(journal: Journal) -> JournalWriter {
        let slot: Slot = Arc::default();
        let shared = Arc::clone(&slot);
        let thread = std::thread::spawn(move || {
            let (lock, wake) = &*shared;
            loop {
                let next = {
                    let mut guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
                    while guard.0.is_none() && !guard.1 {
                        guard = wake.wait(guard).unwrap_or_else(PoisonError::into_inner);
                    }
                    match guard.0.take() {
                        Some(checkpoint) => checkpoint,
                        None => return Ok(()),
                    }
                };
                journal.write(&next)?;
            }
        });
        JournalWriter {
            slot,
            thread: Some(thread),
        }
    }

    fn offer(&self, checkpoint: Checkpoint) {
        let (lock, wake) = &*self.slot;
        lock.lock().unwrap_or_else(PoisonError::into_inner).0 = Some(checkpoint);
        wake.notify_one();
    }

    /// Writes what is pending and stops.
    fn finish(mut self) -> Result<(), JournalError> {
        self.close()
    }

    fn close(&mut self) -> Result<(), JournalError> {
        {
            let (lock, wake) = &*self.slot;
            lock.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
            wake.notify_one();
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(JournalError::Io {
                path: "journal".into(),
                detail: "the journal writer panicked".to_owned(),
            }),
            None => Ok(()),
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// Turns the marks of a stretch of strokes (a resume plays the rest of a plan) into places in
/// the whole plan.
#[derive(Clone, Copy, Debug)]
struct Remap {
    /// The plan's index of the stretch's first stroke.
    first_stroke: usize,
    /// The plan's point index where the stretch's first stroke was cut, if it was.
    cut_at: Option<usize>,
}

impl Remap {
    fn place(&self, mark: &Mark) -> Place {
        let point = match self.cut_at {
            Some(cut) if mark.stroke == 0 => cut + mark.point,
            _ => mark.point,
        };
        Place {
            stroke: self.first_stroke + mark.stroke,
            point,
            drawing: mark.pen_down,
            steps: [mark.steps.0, mark.steps.1],
        }
    }
}

fn project_on_segment(p: Point, a: Point, b: Point) -> Point {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return a;
    }
    let t = (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0);
    Point::new(a.x + t * dx, a.y + t * dy)
}

impl Plotter {
    /// The plotter on `parts`, its position file in `state`. The motors are powered at once
    /// and stay powered while this value lives (a released gondola sags). `stop` stops a plot
    /// safely when set (Ctrl-C, SIGTERM, `polargraph pause`).
    pub fn new(
        mut parts: Parts,
        config: &PlotterConfig,
        state: &Path,
        stop: Arc<AtomicBool>,
    ) -> Result<Plotter, PlotterError> {
        let machine = Machine::from_config(config)?;
        let positions = PositionFile::open(state).map_err(|e| PlotterError::Position {
            path: state
                .join(crate::journal::POSITION_FILE)
                .display()
                .to_string(),
            detail: e.to_string(),
        })?;
        let boot = boot_id();
        let steps = positions
            .read()
            .filter(|p| p.boot == boot)
            .map(|p| p.place.steps);
        parts.hold().map_err(|e| Stopped::Hardware(e.to_string()))?;
        Ok(Plotter {
            parts,
            machine,
            limits: Limits::from_config(config),
            positions,
            boot,
            steps,
            stop,
            realtime: false,
        })
    }

    /// The flag that stops a plot safely when set.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// Plays plots on a real-time thread where permitted (for real hardware; the simulator's
    /// virtual clock needs none).
    pub fn set_realtime(&mut self, realtime: bool) {
        self.realtime = realtime;
    }

    /// The motors' step counters, when the position is known.
    pub fn steps(&self) -> Option<[i64; 2]> {
        self.steps
    }

    /// Where the pen is, when known.
    pub fn pen_position(&self) -> Option<Point> {
        let mm = self.machine.mm_per_step;
        self.steps
            .map(|[l, r]| self.machine.position(l as f64 * mm, r as f64 * mm))
    }

    /// The machine's geometry.
    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    fn home_steps(&self) -> [i64; 2] {
        [
            self.machine.steps(self.machine.home.0),
            self.machine.steps(self.machine.home.1),
        ]
    }

    fn save_position(&self, plan: Option<&str>, place: Place) -> Result<(), PlotterError> {
        self.positions
            .write(&Position {
                boot: self.boot.clone(),
                plan: plan.map(str::to_owned),
                place,
            })
            .map_err(|e| PlotterError::Position {
                path: self.positions.path().display().to_string(),
                detail: e.to_string(),
            })
    }

    fn idle_place(steps: [i64; 2]) -> Place {
        Place {
            stroke: 0,
            point: 0,
            drawing: false,
            steps,
        }
    }

    /// Declares that the pen is at its home spot (the user put it there).
    pub fn set_home(&mut self) -> Result<(), PlotterError> {
        self.hold()?;
        let home = self.home_steps();
        self.steps = Some(home);
        self.save_position(None, Self::idle_place(home))
    }

    fn hold(&mut self) -> Result<(), PlotterError> {
        if !self.parts.holding() {
            self.parts
                .hold()
                .map_err(|e| Stopped::Hardware(e.to_string()))?;
        }
        Ok(())
    }

    /// Releases the motors (after a long idle: they stay cool, and quiet). The gondola may sag,
    /// so the position is forgotten: `set-home` is needed before the next move.
    pub fn release_motors(&mut self) -> Result<(), PlotterError> {
        self.parts
            .release()
            .map_err(|e| Stopped::Hardware(e.to_string()))?;
        self.steps = None;
        self.positions.forget().map_err(|e| PlotterError::Position {
            path: self.positions.path().display().to_string(),
            detail: e.to_string(),
        })
    }

    /// Whether the motors are powered.
    pub fn holding(&self) -> bool {
        self.parts.holding()
    }

    /// Lifts or lowers the pen, and waits until it has settled.
    pub fn pen(&mut self, down: bool) -> Result<(), PlotterError> {
        let pen = self.parts.executor.pen_mut();
        if down { pen.down() } else { pen.up() }
            .map_err(|e| Stopped::Hardware(format!("{e:?}")))?;
        Ok(())
    }

    /// Travels with the pen up to `target` (within the paper).
    pub fn travel_to(&mut self, target: Point) -> Result<(), PlotterError> {
        let paper = self.machine.paper;
        if !(paper.left..=paper.right()).contains(&target.x)
            || !(paper.top..=paper.top + paper.height).contains(&target.y)
        {
            return Err(PlotterError::Refused(format!(
                "({:.1}, {:.1}) mm is off the paper ({:.1}–{:.1} across, {:.1}–{:.1} down)",
                target.x,
                target.y,
                paper.left,
                paper.right(),
                paper.top,
                paper.top + paper.height
            )));
        }
        self.travel(target)
    }

    /// Travels with the pen up to the home spot.
    pub fn go_home(&mut self) -> Result<(), PlotterError> {
        self.travel(self.machine.home_position())
    }

    fn travel(&mut self, target: Point) -> Result<(), PlotterError> {
        let steps = self.steps.ok_or(PlotterError::PositionUnknown)?;
        self.pen(false)?;
        let stream = EventStream::starting_at(
            &self.machine,
            self.limits.clone(),
            &[],
            (steps[0], steps[1]),
        )
        .then_park_at(target);
        let mut last = steps;
        let result = self
            .parts
            .executor
            .play_observed(stream.marked(), |_, mark| {
                last = [mark.steps.0, mark.steps.1];
                let _ = self.positions.write(&Position {
                    boot: self.boot.clone(),
                    plan: None,
                    place: Self::idle_place(last),
                });
                Control::Go
            });
        self.steps = Some(last);
        result?;
        Ok(())
    }

    /// Plots `job` from its start: the pen must be at home.
    pub fn plot(
        &mut self,
        job: &Job,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Outcome, PlotterError> {
        let steps = self.steps.ok_or(PlotterError::PositionUnknown)?;
        let plan = job.plan()?;
        let journal = Journal::of(&job.dir);
        let start = Place {
            stroke: 0,
            point: 0,
            drawing: false,
            steps,
        };
        journal.write(&Checkpoint {
            format: JOURNAL_FORMAT,
            plan: job.id.clone(),
            state: JobState::Running,
            place: start,
        })?;
        let remap = Remap {
            first_stroke: 0,
            cut_at: None,
        };
        self.play(
            Some(job),
            &plan.strokes,
            remap,
            plan.strokes.len(),
            progress,
        )
    }

    /// Resumes `job`: after a crash from the exact event it reached, after a power loss (once
    /// `set-home` is done) from its journal's last point, travelling there with the pen up.
    pub fn resume(
        &mut self,
        job: &Job,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Outcome, PlotterError> {
        let journal = Journal::of(&job.dir);
        let checkpoint = journal.read(&job.id)?;
        if checkpoint.state == JobState::Done {
            return Err(PlotterError::Finished(job.dir.display().to_string()));
        }
        let remembered = self
            .positions
            .read()
            .filter(|p| p.boot == self.boot && p.plan.as_deref() == Some(job.id.as_str()));
        let exact = remembered.is_some();
        let place = match remembered {
            // A crash: the position file knows the exact step reached.
            Some(position) => {
                self.steps = Some(position.place.steps);
                position.place
            }
            // Otherwise the journal's point, from wherever the gondola is known to be.
            None if self.steps.is_some() => checkpoint.place,
            None => return Err(PlotterError::PositionUnknown),
        };
        let plan = job.plan()?;
        let mm = self.machine.mm_per_step;
        let at = self
            .machine
            .position(place.steps[0] as f64 * mm, place.steps[1] as f64 * mm);
        let total = plan.strokes.len();
        let first = place.stroke.min(total);
        let mut rest: Vec<Stroke> = plan.strokes[first..].to_vec();
        let mut cut_at = None;
        if place.drawing
            && let Some(stroke) = rest.first_mut()
            && !stroke.points.is_empty()
        {
            let k = place.point.min(stroke.points.len().saturating_sub(1));
            let mut points = vec![match stroke.points.get(k + 1) {
                Some(&next) => project_on_segment(at, stroke.points[k], next),
                None => stroke.points[k],
            }];
            points.extend_from_slice(&stroke.points[(k + 1).min(stroke.points.len())..]);
            *stroke = Stroke::new(points);
            cut_at = Some(k);
        }
        tracing::info!(
            stroke = first,
            of = total,
            point = place.point,
            from = if exact {
                "the exact step"
            } else {
                "the journal"
            },
            "resuming"
        );
        let remap = Remap {
            first_stroke: first,
            cut_at,
        };
        self.play(Some(job), &rest, remap, total, progress)
    }

    /// Draws `strokes` (a test pattern, say) from where the pen is, then parks at home: no job,
    /// no journal, nothing to resume.
    pub fn draw(
        &mut self,
        strokes: &[Stroke],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Outcome, PlotterError> {
        let remap = Remap {
            first_stroke: 0,
            cut_at: None,
        };
        self.play(None, strokes, remap, strokes.len(), progress)
    }

    fn play(
        &mut self,
        job: Option<&Job>,
        strokes: &[Stroke],
        remap: Remap,
        total: usize,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Outcome, PlotterError> {
        let steps = self.steps.ok_or(PlotterError::PositionUnknown)?;
        let journal = job.map(|job| Journal::of(&job.dir));
        let writer = journal.clone().map(JournalWriter::start);
        let plan_id = job.map(|job| job.id.as_str());
        let stream = EventStream::starting_at(
            &self.machine,
            self.limits.clone(),
            strokes,
            (steps[0], steps[1]),
        )
        .then_park_at(self.machine.home_position());
        let mut last = Place {
            stroke: remap.first_stroke,
            point: remap.cut_at.unwrap_or(0),
            drawing: false,
            steps,
        };
        let checkpoint = |state, place| Checkpoint {
            format: JOURNAL_FORMAT,
            plan: plan_id.unwrap_or_default().to_owned(),
            state,
            place,
        };
        let clock = self.parts.executor.clock().clone();
        let mut journaled_at: Instant = clock.now();
        let mut journaled_stroke = usize::MAX;
        let mut position_error = None;
        let stop = Arc::clone(&self.stop);
        let (positions, boot) = (&self.positions, &self.boot);
        // After the journal's writer thread started: it should not inherit the priority.
        let elevated = self.realtime.then(crate::realtime::elevate);
        let played = self
            .parts
            .executor
            .play_observed(stream.marked(), |_, mark| {
                last = remap.place(mark);
                if let Err(e) = positions.write(&Position {
                    boot: boot.clone(),
                    plan: plan_id.map(str::to_owned),
                    place: last,
                }) {
                    position_error.get_or_insert(e);
                }
                atelier_config::failpoint("plot:event");
                let now = clock.now();
                if let Some(writer) = &writer
                    && (last.stroke != journaled_stroke
                        || now.saturating_since(journaled_at) >= JOURNAL_INTERVAL)
                {
                    writer.offer(checkpoint(JobState::Running, last));
                    journaled_at = now;
                    journaled_stroke = last.stroke;
                }
                progress(Progress {
                    stroke: last.stroke,
                    strokes: total,
                    pen_down: mark.pen_down,
                    steps: last.steps,
                });
                if stop.load(Ordering::SeqCst) {
                    Control::Stop
                } else {
                    Control::Go
                }
            });
        drop(elevated);
        self.steps = Some(last.steps);
        if let Some(writer) = writer {
            writer.finish()?;
        }
        if let Some(e) = position_error {
            tracing::warn!(error = %e, "the position file could not be kept up to date");
        }
        let record = |state| match &journal {
            Some(journal) => journal.write(&checkpoint(state, last)),
            None => Ok(()),
        };
        match played {
            Ok(played) => {
                record(JobState::Done)?;
                self.save_position(None, Self::idle_place(last.steps))?;
                Ok(Outcome::Done(played))
            }
            Err(stopped @ (Stopped::Asked { .. } | Stopped::TooLate { .. })) => {
                // The pen is up: from here a resume starts a fresh line.
                record(JobState::Paused)?;
                self.save_position(plan_id, last)?;
                Ok(Outcome::Paused {
                    place: last,
                    reason: stopped.to_string(),
                })
            }
            Err(hardware) => {
                record(JobState::Paused)?;
                Err(hardware.into())
            }
        }
    }
}

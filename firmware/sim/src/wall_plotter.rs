//! A wall plotter as the world sees it: two step/dir drivers winding cords, the gondola hanging
//! where the cords meet, a servo lifting the pen, and the ink the pen leaves on the paper.
//!
//! It listens to the pins the firmware drives (through [`StepperDriverModel`] and
//! [`ServoModel`]) and knows only the physical truth of the frame, so it checks the firmware's
//! kinematics instead of sharing them. Its world can outlive the process, as a real plotter
//! does: the cords' lengths are rewritten in place at every step (one small write the kernel
//! keeps without fsync) and the ink is appended to a log, so a firmware killed mid-line and
//! started again finds the gondola where it stopped and the line it drew.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, Write as _};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use atelier_hal::Instant;

use crate::{ServoModel, SimBoard, StepDirSpec, StepperDriverModel};

/// The physical frame: where the motors are and how much cord a step winds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Distance between the two cord exit points, mm (the left one is the origin, y down).
    pub motor_spacing_mm: f64,
    /// Cord wound or unwound by one (micro)step, mm.
    pub mm_per_step: f64,
    /// The servo angle at and below which the pen touches the paper, degrees.
    pub contact_angle: f64,
}

impl Frame {
    /// Where the cords meet: the pen, for cords `left` and `right` mm long (`None` when they
    /// cannot meet).
    pub fn pen_at(&self, left: f64, right: f64) -> Option<[f64; 2]> {
        let d = self.motor_spacing_mm;
        let x = (left * left - right * right + d * d) / (2.0 * d);
        let y2 = left * left - x * x;
        (y2 >= 0.0).then(|| [x, y2.sqrt()])
    }
}

/// How a wall plotter's motors are driven.
#[derive(Clone, Copy, Debug)]
pub enum MotorWiring {
    /// Step/dir driver chips.
    StepDir {
        /// STEP and DIR of the left driver.
        left: (u8, u8),
        /// STEP and DIR of the right driver.
        right: (u8, u8),
        /// The drivers' shared ENABLE (active low), if wired.
        enable: Option<u8>,
        /// The chip on both motors.
        chip: StepDirSpec,
    },
    /// 28BYJ-48s on ULN2003 boards.
    Coils {
        /// IN1–IN4 of the left motor.
        left: [u8; 4],
        /// IN1–IN4 of the right motor.
        right: [u8; 4],
        /// The shortest time between half-steps the motor follows.
        min_interval: std::time::Duration,
    },
}

/// What drives the pen servo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PenWiring {
    /// A hardware PWM channel.
    Pwm(u8),
    /// A plain GPIO the firmware pulses itself.
    Gpio(u8),
}

/// The pins a wall plotter's drivers hang on.
#[derive(Clone, Copy, Debug)]
pub struct PlotterWiring {
    /// The motors.
    pub motors: MotorWiring,
    /// Where the pen servo is wired.
    pub pen: PenWiring,
    /// Whether stepping forward (DIR high; the coil sequence forward) lengthens the cord, per
    /// motor (how the motor is mounted).
    pub lengthen_on_high: [bool; 2],
}

/// One motor as the world sees it.
#[derive(Clone, Debug)]
pub enum MotorModel {
    /// On a step/dir driver chip.
    StepDir(StepperDriverModel),
    /// On a ULN2003 board.
    Coils(crate::Uln2003Model),
}

impl MotorModel {
    /// Steps turned, forward minus back.
    pub fn position(&self) -> i64 {
        match self {
            MotorModel::StepDir(model) => model.position(),
            MotorModel::Coils(model) => model.position(),
        }
    }

    /// Rules of the driver or the coil sequence that the pins broke.
    pub fn violation_count(&self) -> u64 {
        match self {
            MotorModel::StepDir(model) => model.violation_count(),
            MotorModel::Coils(model) => model.violation_count(),
        }
    }
}

/// Ink on the paper: polylines in machine millimetres.
pub type Ink = Vec<Vec<[f64; 2]>>;

/// How far a recorded line may stray from the pen's path, mm: the log keeps a vertex only where
/// the path bends more than this.
const INK_TOLERANCE_MM: f64 = 0.04;

/// One line being drawn, simplified as it comes (the "sleeve" of Zhao and Saalfeld): from the
/// last kept vertex, every later point narrows the cone of directions whose ray passes within
/// the tolerance of all of them; a point outside the cone means the line bent at the point
/// before. Constant work per step, however long a straight stretch is.
#[derive(Debug, Default)]
struct OpenLine {
    /// The vertices kept (what the log holds).
    kept: Vec<[f64; 2]>,
    /// The latest point since the last vertex, if any.
    last: Option<[f64; 2]>,
    /// The cone: the direction of the first point out of the tolerance, and the allowed
    /// angles either side of it.
    cone: Option<(f64, f64, f64)>,
    /// The point farthest from the last vertex so far, and its distance: a line that comes back
    /// along itself turned there.
    farthest: Option<([f64; 2], f64)>,
}

impl OpenLine {
    fn starting_at(point: [f64; 2]) -> OpenLine {
        OpenLine {
            kept: vec![point],
            last: None,
            cone: None,
            farthest: None,
        }
    }

    /// Narrows the cone by `point`; false if it lies outside.
    fn admits(&mut self, point: [f64; 2]) -> bool {
        let Some(&anchor) = self.kept.last() else {
            return true;
        };
        let (dx, dy) = (point[0] - anchor[0], point[1] - anchor[1]);
        let distance = dx.hypot(dy);
        if let Some((_, reach)) = self.farthest
            && distance < reach - INK_TOLERANCE_MM
        {
            return false;
        }
        if self.farthest.is_none_or(|(_, reach)| distance > reach) {
            self.farthest = Some((point, distance));
        }
        if distance <= INK_TOLERANCE_MM {
            return true;
        }
        let direction = dy.atan2(dx);
        let half = (INK_TOLERANCE_MM / distance).asin();
        match &mut self.cone {
            None => {
                self.cone = Some((direction, -half, half));
                true
            }
            Some((base, low, high)) => {
                let mut relative = direction - *base;
                if relative > std::f64::consts::PI {
                    relative -= std::f64::consts::TAU;
                } else if relative < -std::f64::consts::PI {
                    relative += std::f64::consts::TAU;
                }
                if relative < *low || relative > *high {
                    return false;
                }
                *low = low.max(relative - half);
                *high = high.min(relative + half);
                true
            }
        }
    }

    /// Adds the pen's next point; returns a vertex to keep, if the line bent.
    fn extend(&mut self, point: [f64; 2]) -> Option<[f64; 2]> {
        if self.admits(point) {
            self.last = Some(point);
            return None;
        }
        // The line bent at the previous point, or (coming back along itself) at its tip.
        let corner = match self.farthest {
            Some((tip, reach))
                if self.kept.last().is_some_and(|&anchor| {
                    let (dx, dy) = (point[0] - anchor[0], point[1] - anchor[1]);
                    dx.hypot(dy) < reach - INK_TOLERANCE_MM
                }) =>
            {
                tip
            }
            _ => self.last?,
        };
        self.kept.push(corner);
        self.cone = None;
        self.farthest = None;
        self.admits(point);
        self.last = Some(point);
        Some(corner)
    }

    fn finish(mut self) -> Vec<[f64; 2]> {
        self.kept.extend(self.last);
        self.kept
    }

    fn snapshot(&self) -> Vec<[f64; 2]> {
        let mut line = self.kept.clone();
        line.extend(self.last);
        line
    }
}

/// Where the world is kept between runs.
#[derive(Debug)]
struct Persisted {
    /// The cords' lengths in steps and whether the pen touches: one fixed-size record,
    /// rewritten in place.
    cords: File,
    /// The ink, appended: `D x y ;` pen touches, `L x y ;` line to, `U ;` pen lifts (the `;`
    /// marks a whole record: a line torn by a power cut has none and is skipped).
    ink: File,
}

const CORDS_RECORD: usize = 64;

impl Persisted {
    fn save_cords(&self, cords: [i64; 2], touching: bool) -> io::Result<()> {
        let mut record = format!("{} {} {}", cords[0], cords[1], u8::from(touching)).into_bytes();
        record.resize(CORDS_RECORD - 1, b' ');
        record.push(b'\n');
        self.cords.write_all_at(&record, 0)
    }

    fn append(&mut self, line: &str) -> io::Result<()> {
        self.ink.write_all(line.as_bytes())
    }
}

#[derive(Debug)]
struct World {
    frame: Frame,
    lengthen_on_high: [bool; 2],
    left: MotorModel,
    right: MotorModel,
    servo: ServoModel,
    /// Cord lengths in steps when the drivers were attached.
    start: [i64; 2],
    /// The cords now, in steps.
    cords: [i64; 2],
    touching: bool,
    done: Ink,
    open: Option<OpenLine>,
    persisted: Option<Persisted>,
    write_error: Option<String>,
}

impl World {
    fn pen(&self) -> Option<[f64; 2]> {
        let step = self.frame.mm_per_step;
        self.frame
            .pen_at(self.cords[0] as f64 * step, self.cords[1] as f64 * step)
    }

    fn record(&mut self, line: impl FnOnce() -> String) {
        if let Some(persisted) = &mut self.persisted
            && let Err(e) = persisted.append(&line())
        {
            self.write_error.get_or_insert(e.to_string());
        }
    }

    /// Brings the world up to date with the pins at `at`.
    fn update(&mut self, at: Instant) {
        let signed = |position: i64, high: bool| if high { position } else { -position };
        let cords = [
            self.start[0] + signed(self.left.position(), self.lengthen_on_high[0]),
            self.start[1] + signed(self.right.position(), self.lengthen_on_high[1]),
        ];
        let touching = self
            .servo
            .angle_at(at)
            .is_some_and(|angle| angle <= self.frame.contact_angle);
        if cords == self.cords && touching == self.touching {
            return;
        }
        // Contact is only looked at when a motor steps: the pen came down (or went up) where
        // the cords were before this step.
        let before = self.pen();
        self.cords = cords;
        let now = self.pen();
        if touching && !self.touching {
            if let Some(start) = before.or(now) {
                self.open = Some(OpenLine::starting_at(start));
                self.record(|| format!("D {:.4} {:.4} ;\n", start[0], start[1]));
            }
        } else if !touching && let Some(line) = self.open.take() {
            let line = line.finish();
            if let Some(end) = line.last().copied() {
                self.record(|| format!("L {:.4} {:.4} ;\nU ;\n", end[0], end[1]));
            }
            self.done.push(line);
        }
        if touching
            && now != before
            && let Some(pen) = now
            && let Some(corner) = self.open.as_mut().and_then(|line| line.extend(pen))
        {
            self.record(|| format!("L {:.4} {:.4} ;\n", corner[0], corner[1]));
        }
        self.touching = touching;
        if let Some(persisted) = &self.persisted
            && let Err(e) = persisted.save_cords(self.cords, touching)
        {
            self.write_error.get_or_insert(e.to_string());
        }
    }
}

/// A simulated wall plotter hung on a [`SimBoard`]; clones share it.
#[derive(Clone, Debug)]
pub struct SimPlotter {
    world: Arc<Mutex<World>>,
}

/// The world kept in a folder could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("simulated plotter in {}: {what}", folder.display())]
pub struct WorldError {
    folder: PathBuf,
    what: String,
}

fn lock(world: &Mutex<World>) -> MutexGuard<'_, World> {
    world.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimPlotter {
    /// A plotter wired to `sim` as `wiring` says, its cords `cords_mm` long, the paper blank.
    /// Attach it before the firmware drives the pins.
    pub fn attach(
        sim: &SimBoard,
        frame: Frame,
        wiring: PlotterWiring,
        cords_mm: [f64; 2],
    ) -> SimPlotter {
        let start = cords_mm.map(|mm| (mm / frame.mm_per_step).round() as i64);
        Self::build(sim, frame, wiring, start, false, Ink::new(), None)
    }

    /// A plotter whose world lives in `folder`: the cords and the paper as the last run left
    /// them, or as new (`cords_mm`, blank paper) when the folder has none.
    pub fn attach_persistent(
        sim: &SimBoard,
        frame: Frame,
        wiring: PlotterWiring,
        cords_mm: [f64; 2],
        folder: &Path,
    ) -> Result<SimPlotter, WorldError> {
        let fail = |what: String| WorldError {
            folder: folder.to_owned(),
            what,
        };
        std::fs::create_dir_all(folder).map_err(|e| fail(format!("creating it: {e}")))?;
        let cords_path = folder.join("cords");
        let (start, touching) = match std::fs::read_to_string(&cords_path) {
            Ok(text) => parse_cords(&text).ok_or_else(|| {
                fail(format!(
                    "cords: expected \"LEFT RIGHT TOUCHING\", found {text:?}"
                ))
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => (
                cords_mm.map(|mm| (mm / frame.mm_per_step).round() as i64),
                false,
            ),
            Err(e) => return Err(fail(format!("reading cords: {e}"))),
        };
        let ink_path = folder.join("ink.log");
        let mut ink = read_ink(&ink_path).map_err(|e| fail(format!("reading ink.log: {e}")))?;
        // A run killed mid-line drew straight on from the last vertex to where the cords stopped.
        let step = frame.mm_per_step;
        let stopped_at = frame.pen_at(start[0] as f64 * step, start[1] as f64 * step);
        let mut close_line = String::from("\n");
        if touching && let (Some(line), Some(pen)) = (ink.last_mut(), stopped_at) {
            line.push(pen);
            close_line.push_str(&format!("L {:.4} {:.4} ;\n", pen[0], pen[1]));
        }
        close_line.push_str("U ;\n");
        let cords = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&cords_path)
            .map_err(|e| fail(format!("opening cords: {e}")))?;
        let mut ink_file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&ink_path)
            .map_err(|e| fail(format!("opening ink.log: {e}")))?;
        // Whatever the last run left open is closed: the firmware lifts the pen first.
        ink_file
            .write_all(close_line.as_bytes())
            .map_err(|e| fail(format!("writing ink.log: {e}")))?;
        let persisted = Persisted {
            cords,
            ink: ink_file,
        };
        persisted
            .save_cords(start, false)
            .map_err(|e| fail(format!("writing cords: {e}")))?;
        Ok(Self::build(
            sim,
            frame,
            wiring,
            start,
            false,
            ink,
            Some(persisted),
        ))
    }

    fn build(
        sim: &SimBoard,
        frame: Frame,
        wiring: PlotterWiring,
        start: [i64; 2],
        touching: bool,
        done: Ink,
        persisted: Option<Persisted>,
    ) -> SimPlotter {
        let (left, right, lines): (MotorModel, MotorModel, Vec<u8>) = match wiring.motors {
            MotorWiring::StepDir {
                left,
                right,
                enable,
                chip,
            } => {
                let attach = |(step, dir): (u8, u8)| {
                    MotorModel::StepDir(StepperDriverModel::attach(sim, step, dir, enable, chip))
                };
                (attach(left), attach(right), vec![left.0, right.0])
            }
            MotorWiring::Coils {
                left,
                right,
                min_interval,
            } => {
                let attach = |coils| {
                    MotorModel::Coils(crate::Uln2003Model::attach(sim, coils, min_interval))
                };
                let lines = left.iter().chain(&right).copied().collect();
                (attach(left), attach(right), lines)
            }
        };
        let servo_period = std::time::Duration::from_millis(20);
        let servo_line = match wiring.pen {
            PenWiring::Pwm(channel) => sim.servo_line(channel, servo_period),
            PenWiring::Gpio(bcm) => sim.servo_on_pin(bcm, servo_period),
        };
        let world = World {
            frame,
            lengthen_on_high: wiring.lengthen_on_high,
            left,
            right,
            servo: ServoModel::sg90(servo_line),
            start,
            cords: start,
            touching,
            done,
            open: None,
            persisted,
            write_error: None,
        };
        let plotter = SimPlotter {
            world: Arc::new(Mutex::new(world)),
        };
        for line in lines {
            let world = Arc::clone(&plotter.world);
            sim.output_line(line)
                .on_change(move |at, _| lock(&world).update(at));
        }
        plotter
    }

    fn lock(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// Brings the pen's contact up to date at `now` (the servo moves between steps too).
    pub fn settle(&self, now: Instant) {
        self.lock().update(now);
    }

    /// The cords' lengths, mm.
    pub fn cords_mm(&self) -> [f64; 2] {
        let world = self.lock();
        world
            .cords
            .map(|steps| steps as f64 * world.frame.mm_per_step)
    }

    /// Where the pen is, mm.
    pub fn pen(&self) -> Option<[f64; 2]> {
        self.lock().pen()
    }

    /// Whether the pen touches the paper (as of the last step or [`SimPlotter::settle`]).
    pub fn touching(&self) -> bool {
        self.lock().touching
    }

    /// Every line on the paper so far, the one being drawn included.
    pub fn ink(&self) -> Ink {
        let world = self.lock();
        let mut ink = world.done.clone();
        ink.extend(world.open.as_ref().map(OpenLine::snapshot));
        ink
    }

    /// The two motors, for their step counts and the rules their pins broke.
    pub fn motors(&self) -> (MotorModel, MotorModel) {
        let world = self.lock();
        (world.left.clone(), world.right.clone())
    }

    /// The first failure to write the world's folder, if any (the simulation goes on).
    pub fn write_error(&self) -> Option<String> {
        self.lock().write_error.clone()
    }

    /// Someone moves the gondola by hand until the cords are `cords_mm` long (as a user does
    /// before `set-home`), the pen off the paper.
    pub fn move_by_hand(&self, cords_mm: [f64; 2]) {
        let mut world = self.lock();
        let step = world.frame.mm_per_step;
        let signed = |position: i64, high: bool| if high { position } else { -position };
        let moved = [
            signed(world.left.position(), world.lengthen_on_high[0]),
            signed(world.right.position(), world.lengthen_on_high[1]),
        ];
        let target = cords_mm.map(|mm| (mm / step).round() as i64);
        world.start = [target[0] - moved[0], target[1] - moved[1]];
        world.cords = target;
        if let Some(line) = world.open.take() {
            let line = line.finish();
            world.done.push(line);
            world.record(|| "U ;\n".to_owned());
        }
        world.touching = false;
        if let Some(persisted) = &world.persisted
            && let Err(e) = persisted.save_cords(target, false)
        {
            world.write_error.get_or_insert(e.to_string());
        }
    }

    /// A fresh sheet: the paper blank again, the log emptied.
    pub fn new_sheet(&self) -> io::Result<()> {
        let mut world = self.lock();
        world.done.clear();
        world.open = None;
        if let Some(persisted) = &mut world.persisted {
            persisted.ink.set_len(0)?;
        }
        Ok(())
    }
}

fn parse_cords(text: &str) -> Option<([i64; 2], bool)> {
    let mut fields = text.split_whitespace();
    let left = fields.next()?.parse().ok()?;
    let right = fields.next()?.parse().ok()?;
    let touching = fields.next()? == "1";
    Some(([left, right], touching))
}

/// Reads an ink log; a last line cut short by a kill is ignored.
fn read_ink(path: &Path) -> io::Result<Ink> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Ink::new()),
        Err(e) => return Err(e),
    };
    let mut ink = Ink::new();
    let mut open = false;
    let mut text = String::new();
    let mut reader = io::BufReader::new(file);
    loop {
        text.clear();
        if reader.read_line(&mut text)? == 0 || !text.ends_with('\n') {
            break;
        }
        let mut fields = text.split_whitespace();
        if text.split_whitespace().last() != Some(";") {
            continue;
        }
        let point = |fields: &mut std::str::SplitWhitespace<'_>| -> Option<[f64; 2]> {
            Some([fields.next()?.parse().ok()?, fields.next()?.parse().ok()?])
        };
        match fields.next() {
            Some("D") => {
                if let Some(p) = point(&mut fields) {
                    ink.push(vec![p]);
                    open = true;
                }
            }
            Some("L") if open => {
                if let (Some(p), Some(line)) = (point(&mut fields), ink.last_mut()) {
                    line.push(p);
                }
            }
            Some("U") => open = false,
            _ => {}
        }
    }
    Ok(ink)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pen_hangs_where_the_cords_meet() {
        let frame = Frame {
            motor_spacing_mm: 600.0,
            mm_per_step: 0.1,
            contact_angle: 50.0,
        };
        let [x, y] = frame.pen_at(500.0, 500.0).expect("meet");
        assert!((x - 300.0).abs() < 1e-9 && (y - 400.0).abs() < 1e-9);
        assert!(frame.pen_at(100.0, 100.0).is_none());
    }

    #[test]
    fn a_line_that_comes_back_along_itself_keeps_its_tip() {
        let mut line = OpenLine::starting_at([0.0, 0.0]);
        for i in 1..=20 {
            line.extend([f64::from(i) * 0.1, 0.0]);
        }
        for i in (10..20).rev() {
            line.extend([f64::from(i) * 0.1, 0.0]);
        }
        let kept = line.finish();
        assert!(
            kept.iter().any(|p| (p[0] - 2.0).abs() < 1e-9),
            "the tip at 2 mm is kept: {kept:?}"
        );
        assert_eq!(kept.last(), Some(&[1.0, 0.0]));
    }

    #[test]
    fn a_straight_run_keeps_only_its_ends_and_a_bend_keeps_the_corner() {
        let mut line = OpenLine::starting_at([0.0, 0.0]);
        for i in 1..=10 {
            assert_eq!(line.extend([f64::from(i), 0.0]), None);
        }
        assert_eq!(line.extend([10.0, 1.0]), Some([10.0, 0.0]));
        assert_eq!(line.finish(), vec![[0.0, 0.0], [10.0, 0.0], [10.0, 1.0]]);
    }
}

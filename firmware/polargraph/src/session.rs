//! One run of the `polargraph` command on a board: the plotter opened on a real board or on the
//! simulated one (whose world lives in the state folder, so that it outlives the process as a
//! real plotter does), and the bookkeeping that lets commands find each other: the job being
//! plotted and the process plotting it.

use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;
use atelier_board::{BackendKind, Board};
use atelier_config::Places;
use atelier_sim::Pace;

use crate::config::PlotterConfig;
use crate::parts::Parts;
use crate::plotter::Plotter;
use crate::simulated::{SimRig, Truth};

/// The simulated plotter's world, inside the machine's state folder.
pub const SIM_WORLD: &str = "sim/world";
/// Names the folder of the job last started.
pub const CURRENT_JOB: &str = "current-job";
/// Holds the process id of a running plot.
pub const PLOTTING_PID: &str = "plotting.pid";

/// A plotter opened for one command.
#[derive(Debug)]
pub struct Session {
    /// The plotter.
    pub plotter: Plotter,
    /// The simulated plotter, on `--board sim`.
    pub rig: Option<SimRig>,
    /// The machine's state folder.
    pub state: PathBuf,
    /// The config it was opened with.
    pub config: PlotterConfig,
}

impl Session {
    /// Opens the plotter `config` describes on `backend`. On the simulator, `pace` sets how
    /// virtual time runs (as fast as possible by default).
    pub fn open(
        config: &PlotterConfig,
        backend: BackendKind,
        places: &Places,
        pace: Option<Pace>,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<Session> {
        let (mut board, rig) = if backend == BackendKind::Sim {
            let world = places.in_state(Path::new(SIM_WORLD));
            let rig = SimRig::build(config, Truth::of_world(config, &world)?, Some(&world))?;
            if let Some(pace) = pace {
                rig.sim.clock().set_pace(pace);
            }
            (rig.board(), Some(rig))
        } else {
            let mut board_config = config.board.clone();
            board_config.backend = backend;
            (Board::open(&board_config)?, None)
        };
        let parts = Parts::open(&mut board, config)?;
        let mut plotter = Plotter::new(parts, config, &places.state, stop)?;
        plotter.set_realtime(rig.is_none());
        if rig.as_ref().is_some_and(|rig| rig.new_world) && plotter.steps().is_none() {
            // A simulated plotter fresh out of the box hangs at home.
            plotter.set_home()?;
        }
        Ok(Session {
            plotter,
            rig,
            state: places.state.clone(),
            config: config.clone(),
        })
    }

    /// On the simulator, someone puts the gondola on its home spot by hand (the true one).
    pub fn move_gondola_home_by_hand(&self) -> anyhow::Result<()> {
        if let Some(rig) = &self.rig {
            let world = self.state.join(SIM_WORLD);
            rig.plotter
                .move_by_hand(Truth::of_world(&self.config, &world)?.cords_mm);
        }
        Ok(())
    }

    /// On the simulator, a new sheet of paper.
    pub fn new_sheet(&self) -> anyhow::Result<()> {
        if let Some(rig) = &self.rig {
            rig.plotter
                .new_sheet()
                .context("clearing the simulated paper")?;
        }
        Ok(())
    }

    /// On the simulator, saves the paper as a PNG.
    pub fn save_canvas(&self, config: &PlotterConfig, path: &Path) -> anyhow::Result<()> {
        let Some(rig) = &self.rig else {
            return Ok(());
        };
        rig.settle();
        let paper = self.plotter.machine().paper;
        let image = crate::simulated::canvas(&rig.plotter.ink(), paper, config.pen.width_mm, 4.0);
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .context("encoding the canvas")?;
        atelier_config::write_atomically(path, &bytes)
            .with_context(|| format!("writing {}", path.display()))
    }
}

/// Remembers `dir` as the job that `polargraph resume` takes up.
pub fn remember_job(state: &Path, dir: &Path) -> anyhow::Result<()> {
    let dir = std::path::absolute(dir).with_context(|| format!("resolving {}", dir.display()))?;
    let path = state.join(CURRENT_JOB);
    atelier_config::write_atomically(&path, dir.as_os_str().as_encoded_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The job folder last started, if any.
pub fn current_job(state: &Path) -> anyhow::Result<PathBuf> {
    let path = state.join(CURRENT_JOB);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no plot has been started on this machine ({} is missing): name the job folder",
            path.display()
        )
    })?;
    Ok(PathBuf::from(text.trim_end()))
}

/// The process plotting now, if one is alive.
pub fn plotting_process(state: &Path) -> Option<u32> {
    let pid: u32 = std::fs::read_to_string(state.join(PLOTTING_PID))
        .ok()?
        .trim()
        .parse()
        .ok()?;
    // The command line, not the process name: under qemu-user (the test suite on a PC) the
    // process is called qemu-aarch64.
    let command_line = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    command_line
        .split(|&byte| byte == 0)
        .take(4)
        .any(|word| {
            Path::new(std::ffi::OsStr::from_bytes(word))
                .file_name()
                .is_some_and(|name| name.as_encoded_bytes().starts_with(b"polargraph"))
        })
        .then_some(pid)
}

/// While alive, marks this process as the one plotting; refuses if another is.
#[derive(Debug)]
pub struct PlottingClaim {
    path: PathBuf,
}

impl PlottingClaim {
    /// Claims the plotter for this process.
    pub fn take(state: &Path) -> anyhow::Result<PlottingClaim> {
        if let Some(pid) = plotting_process(state)
            && pid != std::process::id()
        {
            anyhow::bail!(
                "another polargraph (process {pid}) is driving the plotter: `polargraph pause` \
                 stops it"
            );
        }
        let path = state.join(PLOTTING_PID);
        atelier_config::write_atomically(&path, std::process::id().to_string().as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(PlottingClaim { path })
    }
}

impl Drop for PlottingClaim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Asks the running plot to stop safely (pen up, position and journal saved).
pub fn pause(state: &Path) -> anyhow::Result<u32> {
    let pid = plotting_process(state).context("no plot is running")?;
    let target =
        rustix::process::Pid::from_raw(i32::try_from(pid)?).context("a process id of 0")?;
    rustix::process::kill_process(target, rustix::process::Signal::TERM)
        .with_context(|| format!("signalling process {pid}"))?;
    Ok(pid)
}

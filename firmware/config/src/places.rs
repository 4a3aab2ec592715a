//! Where a machine's files are: the packaged defaults, the edits overlay, the state folder and
//! the assets, for an installed program and for a development checkout alike.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::load::{Check, ConfigError};

/// The files of one machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Places {
    /// The machine's name: `polargraph`, `comic`, `lantern`, …
    pub machine: String,
    /// The defaults, never written by the program: `--config`, else `/etc/atelier/<machine>.toml`
    /// (a dpkg conffile), or `hardware/<machine>.toml` in a development checkout.
    pub defaults: PathBuf,
    /// The edits overlay, laid over the defaults: `<state>/edits.toml`.
    pub edits: PathBuf,
    /// The machine's own folder for everything it writes (journals, spools, archives, edits):
    /// `<state root>/<machine>`.
    pub state: PathBuf,
    /// Read-only data (comic grids and art, samples): `/usr/share/atelier`, or the checkout's
    /// `assets/`.
    pub assets: PathBuf,
}

/// What the lookup depends on: environment variables and whether this binary runs from the
/// checkout it was built in. Tests make their own.
#[derive(Clone, Debug, Default)]
pub struct Surroundings {
    vars: BTreeMap<String, OsString>,
    checkout: Option<PathBuf>,
    /// The program is installed under /usr (a package): its state is the system's.
    installed: bool,
}

/// The source tree this crate was compiled in.
const BUILT_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

impl Surroundings {
    /// This process's environment; a checkout when the binary was built from a source tree
    /// that still exists and it is not installed under `/usr`.
    pub fn of_this_process() -> Surroundings {
        let vars = [
            "ATELIER_STATE_DIR",
            "ATELIER_ASSETS_DIR",
            "STATE_DIRECTORY",
            "XDG_STATE_HOME",
            "HOME",
        ]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), std::env::var_os(name)?)))
        .collect();
        let installed = std::env::current_exe().is_ok_and(|exe| exe.starts_with("/usr"));
        let checkout = Path::new(BUILT_IN)
            .canonicalize()
            .ok()
            .filter(|root| !installed && root.join("hardware").is_dir());
        Surroundings {
            vars,
            checkout,
            installed,
        }
    }

    /// Sets an environment variable as the lookup sees it.
    pub fn set(&mut self, name: &str, value: impl Into<OsString>) -> &mut Surroundings {
        self.vars.insert(name.to_owned(), value.into());
        self
    }

    /// Runs as if installed by a package (the program under /usr).
    pub fn installed(&mut self) -> &mut Surroundings {
        self.installed = true;
        self
    }

    /// Runs as if from the development checkout at `root`.
    pub fn checkout(&mut self, root: impl Into<PathBuf>) -> &mut Surroundings {
        self.checkout = Some(root.into());
        self
    }

    fn var(&self, name: &str) -> Option<&OsString> {
        self.vars.get(name).filter(|v| !v.is_empty())
    }

    /// The folder every machine's state folder is in.
    fn state_root(&self) -> PathBuf {
        if let Some(dir) = self.var("ATELIER_STATE_DIR") {
            return dir.into();
        }
        // systemd's StateDirectory=atelier: /var/lib/atelier (the first, if it lists several).
        if let Some(dirs) = self.var("STATE_DIRECTORY") {
            let first = dirs
                .to_string_lossy()
                .split(':')
                .next()
                .unwrap_or_default()
                .to_owned();
            return first.into();
        }
        // An installed program run by hand (`sudo polargraph pair`, `comic config`) looks at
        // the machine the service runs, not at a folder in the caller's home.
        if self.installed {
            return "/var/lib/atelier".into();
        }
        if let Some(dir) = self.var("XDG_STATE_HOME") {
            return PathBuf::from(dir).join("atelier");
        }
        match self.var("HOME") {
            Some(home) => PathBuf::from(home).join(".local/state/atelier"),
            None => "/var/lib/atelier".into(),
        }
    }
}

impl Places {
    /// The places of `machine` for this process; `explicit` is the `--config` the user gave.
    pub fn find(machine: &str, explicit: Option<&Path>) -> Places {
        Places::resolve(machine, explicit, &Surroundings::of_this_process())
    }

    /// The places of `machine` in `surroundings`.
    pub fn resolve(machine: &str, explicit: Option<&Path>, surroundings: &Surroundings) -> Places {
        let checkout = surroundings.checkout.as_deref();
        let defaults = match (explicit, checkout) {
            (Some(path), _) => path.to_owned(),
            (None, Some(root)) => root.join("hardware").join(format!("{machine}.toml")),
            (None, None) => PathBuf::from("/etc/atelier").join(format!("{machine}.toml")),
        };
        let assets = match (surroundings.var("ATELIER_ASSETS_DIR"), checkout) {
            (Some(dir), _) => dir.into(),
            (None, Some(root)) => root.join("assets"),
            (None, None) => "/usr/share/atelier".into(),
        };
        let state = surroundings.state_root().join(machine);
        Places {
            machine: machine.to_owned(),
            edits: state.join("edits.toml"),
            defaults,
            state,
            assets,
        }
    }

    /// The same places with the state folder (and so the edits) at `state` instead: the
    /// machines' `--state` flag.
    pub fn with_state(self, state: impl Into<PathBuf>) -> Places {
        let state = state.into();
        Places {
            edits: state.join("edits.toml"),
            state,
            ..self
        }
    }

    /// Reads the defaults with the edits laid over them, and checks the result.
    pub fn load<T: DeserializeOwned + Check>(&self) -> Result<T, ConfigError> {
        let config = crate::load_layered(&self.defaults, &self.edits)?;
        tracing::info!(
            defaults = %self.defaults.display(),
            edits = %self.edits.display(),
            edited = self.edits.exists(),
            "config read"
        );
        Ok(config)
    }

    /// What a `config` command shows: where each file is, then the config in force (the
    /// defaults with the edits laid over them), checked as `T`.
    pub fn report<T: DeserializeOwned + Check>(&self) -> Result<String, ConfigError> {
        let config = crate::layered::effective_toml::<T>(&self.defaults, &self.edits)?;
        let edited = if self.edits.exists() {
            "laid over the defaults"
        } else {
            "none yet"
        };
        Ok(format!(
            "# {machine} config in force\n\
             # defaults: {defaults} (never written)\n\
             # edits:    {edits} ({edited})\n\
             # state:    {state}\n\
             # assets:   {assets}\n\n{config}",
            machine = self.machine,
            defaults = self.defaults.display(),
            edits = self.edits.display(),
            state = self.state.display(),
            assets = self.assets.display(),
        ))
    }

    /// `relative` inside the state folder; an absolute path stays as it is.
    pub fn in_state(&self, relative: &Path) -> PathBuf {
        self.state.join(relative)
    }

    /// `relative` inside the assets; an absolute path stays as it is.
    pub fn in_assets(&self, relative: &Path) -> PathBuf {
        self.assets.join(relative)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installed_machine_reads_etc_and_writes_var_lib_under_systemd() {
        let mut s = Surroundings::default();
        s.set("STATE_DIRECTORY", "/var/lib/atelier")
            .set("HOME", "/home/pi");
        let places = Places::resolve("comic", None, &s);
        assert_eq!(places.defaults, Path::new("/etc/atelier/comic.toml"));
        assert_eq!(places.state, Path::new("/var/lib/atelier/comic"));
        assert_eq!(places.edits, Path::new("/var/lib/atelier/comic/edits.toml"));
        assert_eq!(places.assets, Path::new("/usr/share/atelier"));
    }

    #[test]
    fn an_installed_program_run_by_hand_uses_the_service_s_state() {
        let mut s = Surroundings::default();
        s.installed()
            .set("HOME", "/home/pi")
            .set("XDG_STATE_HOME", "/home/pi/.state");
        let places = Places::resolve("polargraph", None, &s);
        assert_eq!(places.state, Path::new("/var/lib/atelier/polargraph"));
        assert_eq!(places.defaults, Path::new("/etc/atelier/polargraph.toml"));
        // Asked for, another folder still wins.
        s.set("ATELIER_STATE_DIR", "/tmp/try");
        let places = Places::resolve("polargraph", None, &s);
        assert_eq!(places.state, Path::new("/tmp/try/polargraph"));
    }

    #[test]
    fn a_checkout_reads_its_hardware_folder_and_writes_outside_it() {
        let mut s = Surroundings::default();
        s.checkout("/src/atelier").set("HOME", "/home/maker");
        let places = Places::resolve("lantern", None, &s);
        assert_eq!(
            places.defaults,
            Path::new("/src/atelier/hardware/lantern.toml")
        );
        assert_eq!(places.assets, Path::new("/src/atelier/assets"));
        assert_eq!(
            places.state,
            Path::new("/home/maker/.local/state/atelier/lantern")
        );
        s.set("XDG_STATE_HOME", "/home/maker/state");
        let places = Places::resolve("lantern", None, &s);
        assert_eq!(places.state, Path::new("/home/maker/state/atelier/lantern"));
        assert!(!places.edits.starts_with("/src/atelier"));
    }

    #[test]
    fn explicit_choices_win() {
        let mut s = Surroundings::default();
        s.checkout("/src/atelier")
            .set("ATELIER_STATE_DIR", "/tmp/run")
            .set("STATE_DIRECTORY", "/var/lib/atelier:/var/lib/other")
            .set("ATELIER_ASSETS_DIR", "/opt/assets");
        let places = Places::resolve("polargraph", Some(Path::new("my.toml")), &s);
        assert_eq!(places.defaults, Path::new("my.toml"));
        assert_eq!(places.state, Path::new("/tmp/run/polargraph"));
        assert_eq!(places.assets, Path::new("/opt/assets"));
        s.set("ATELIER_STATE_DIR", "");
        let places = Places::resolve("polargraph", None, &s);
        assert_eq!(places.state, Path::new("/var/lib/atelier/polargraph"));
    }

    #[test]
    fn this_test_runs_from_a_checkout() {
        let places = Places::find("comic", None);
        assert!(
            places.defaults.ends_with("hardware/comic.toml"),
            "{places:?}"
        );
        assert!(places.defaults.exists(), "{places:?}");
    }
}

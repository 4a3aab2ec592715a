//! A plot job's folder: a copy of the input, the options and the config, so the plan can be
//! rebuilt exactly (after a crash, on another day), and an identity that changes when any of
//! them does, so a journal is never applied to a different plan.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::config::PlotterConfig;
use crate::input::{self, Drawing};
use crate::plan::{Plan, PlanError, StyleOptions};
use crate::styles::Style;

/// The options of a job, as `job.toml` keeps them.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct JobOptions {
    /// The copy of the input inside the folder, if the style needs one.
    pub input: Option<String>,
    /// The style asked for (the planner's default when absent).
    pub style: Option<String>,
    /// The seed of every random choice.
    pub seed: u64,
    /// Cell size for cell styles, mm.
    pub cell_mm: Option<f64>,
    /// Stipple dots.
    pub dots: Option<usize>,
}

/// A job folder that cannot be made or read.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A file of the job could not be read or written.
    #[error("{}: {detail}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
    /// The input could not be read as a drawing.
    #[error(transparent)]
    Input(#[from] input::InputError),
    /// The plan could not be rebuilt.
    #[error(transparent)]
    Plan(#[from] PlanError),
}

fn file_error(path: &Path, detail: impl std::fmt::Display) -> JobError {
    JobError::File {
        path: path.to_owned(),
        detail: detail.to_string(),
    }
}

/// A plot job: its folder, its options and config, and its identity.
#[derive(Clone, Debug)]
pub struct Job {
    /// The folder.
    pub dir: PathBuf,
    /// What was asked for.
    pub options: JobOptions,
    /// The machine's config when the job was made.
    pub config: PlotterConfig,
    /// SHA-256 of input, options and config, hex.
    pub id: String,
}

/// The file names inside a job folder.
pub const OPTIONS_FILE: &str = "job.toml";
/// The config copy.
pub const CONFIG_FILE: &str = "config.toml";

fn identity(input: Option<&[u8]>, options: &str, config: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"atelier polargraph job 1\0");
    for part in [
        input.unwrap_or_default(),
        options.as_bytes(),
        config.as_bytes(),
    ] {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hash.finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Job {
    /// Makes the job folder `dir`: the input copied in, `job.toml` and `config.toml` written
    /// (each atomically).
    pub fn create(
        dir: &Path,
        input: Option<&Path>,
        mut options: JobOptions,
        config: &PlotterConfig,
    ) -> Result<Job, JobError> {
        std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        options.input = None;
        if let Some(input) = input {
            let bytes = std::fs::read(input).map_err(|e| file_error(input, e))?;
            let extension = input
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("bin")
                .to_ascii_lowercase();
            let name = format!("input.{extension}");
            let copy = dir.join(&name);
            atelier_config::write_atomically(&copy, &bytes).map_err(|e| file_error(&copy, e))?;
            options.input = Some(name);
        }
        let options_text =
            toml::to_string(&options).map_err(|e| file_error(&dir.join(OPTIONS_FILE), e))?;
        let config_text =
            toml::to_string(config).map_err(|e| file_error(&dir.join(CONFIG_FILE), e))?;
        for (name, text) in [(OPTIONS_FILE, &options_text), (CONFIG_FILE, &config_text)] {
            let path = dir.join(name);
            atelier_config::write_atomically(&path, text.as_bytes())
                .map_err(|e| file_error(&path, e))?;
        }
        Job::open(dir)
    }

    /// Reads the job in `dir`.
    pub fn open(dir: &Path) -> Result<Job, JobError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|e| file_error(&path, e))
        };
        let options_text = read(OPTIONS_FILE)?;
        let options: JobOptions = toml::from_str(&options_text)
            .map_err(|e| file_error(&dir.join(OPTIONS_FILE), e.message()))?;
        let config_text = read(CONFIG_FILE)?;
        let config_path = dir.join(CONFIG_FILE);
        let config = PlotterConfig::parse(&config_text, &config_path.to_string_lossy())
            .map_err(|e| file_error(&config_path, e))?;
        let input = match &options.input {
            Some(name) => {
                let path = dir.join(name);
                Some(std::fs::read(&path).map_err(|e| file_error(&path, e))?)
            }
            None => None,
        };
        let id = identity(input.as_deref(), &options_text, &config_text);
        Ok(Job {
            dir: dir.to_owned(),
            options,
            config,
            id,
        })
    }

    /// The job's plan, rebuilt: the same every time for the same folder.
    pub fn plan(&self) -> Result<Plan, JobError> {
        let drawing: Option<Drawing> = self
            .options
            .input
            .as_ref()
            .map(|name| input::load(&self.dir.join(name)))
            .transpose()?;
        let style = self
            .options
            .style
            .as_deref()
            .map(str::parse::<Style>)
            .transpose()
            .map_err(|e| file_error(&self.dir.join(OPTIONS_FILE), e))?;
        let options = StyleOptions {
            cell_mm: self.options.cell_mm,
            dots: self.options.dots,
        };
        Ok(Plan::new(
            &self.config,
            drawing.as_ref(),
            style,
            &options,
            self.options.seed,
        )?)
    }

    /// The job's identity, short, for logs.
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }
}

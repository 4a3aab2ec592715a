//! What a plotter's page offers before plotting: the pictures to choose from (the shipped
//! samples and the user's uploads, each checked as the planner reads it), a preview of a
//! picture in a style and seed (summary, SVG, PNG, G-code), and the job folder a plot runs
//! from. Used by `polargraph run`'s page and the desktop simulator alike.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use crate::config::PlotterConfig;
use crate::job::{Job, JobOptions};
use crate::output::Summary;
use crate::styles::Style;

/// The largest picture a page may upload.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;

/// Where uploaded pictures go, and how they are named in the list (`uploads/NAME`).
pub const UPLOADS: &str = "uploads";

/// A picture in a style and seed, as a page asks for it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PlotRequest {
    /// A name from [`Studio::pictures`]: a sample (`ramp.png`) or `uploads/NAME`.
    pub sample: String,
    /// A style's name.
    pub style: String,
    /// The random seed (the same seed draws the same picture).
    #[serde(default)]
    pub seed: u64,
}

/// A planned drawing shown before plotting, with its files for download.
#[derive(Clone, Debug)]
pub struct Preview {
    /// What was planned.
    pub request: PlotRequest,
    /// Strokes, lengths, steps and the time the plot will take.
    pub summary: Summary,
    /// The plot in plot order (ink and pen-up travel in layers), mm on the paper.
    pub svg: String,
    /// The ink as a PNG.
    pub png: Vec<u8>,
    /// Cartesian G-code, for other plotters.
    pub gcode: String,
}

/// The pictures, the latest preview and the jobs of one plotter.
#[derive(Debug)]
pub struct Studio {
    config: PlotterConfig,
    samples: PathBuf,
    uploads: PathBuf,
    jobs: PathBuf,
    /// The list of pictures, read once and again after an upload (a page asks often).
    listed: Mutex<Option<Vec<String>>>,
    preview: Mutex<Option<Preview>>,
}

impl Studio {
    /// A studio planning for `config`, with samples in `samples`, uploads kept in
    /// `state/uploads` and job folders made in `jobs`.
    pub fn new(config: PlotterConfig, samples: &Path, state: &Path, jobs: &Path) -> Studio {
        Studio {
            config,
            samples: samples.to_owned(),
            uploads: state.join(UPLOADS),
            jobs: jobs.to_owned(),
            listed: Mutex::new(None),
            preview: Mutex::new(None),
        }
    }

    /// The pictures to plot: the samples, then the uploads (`uploads/NAME`).
    pub fn pictures(&self) -> Vec<String> {
        let mut listed = self.listed.lock().unwrap_or_else(PoisonError::into_inner);
        listed
            .get_or_insert_with(|| {
                let mut names = pictures_in(&self.samples);
                names.extend(
                    pictures_in(&self.uploads)
                        .into_iter()
                        .map(|name| format!("{UPLOADS}/{name}")),
                );
                names
            })
            .clone()
    }

    /// The styles to pick from.
    pub fn styles(&self) -> Vec<&'static str> {
        Style::ALL.iter().map(|s| s.name()).collect()
    }

    /// Takes an uploaded picture called `name` (PNG, JPEG or SVG, by its content): checked as
    /// the planner reads it, then offered as `uploads/NAME`. Refused with the reason when it is
    /// not a picture the plotter can draw.
    pub fn upload(&self, name: &str, bytes: &[u8]) -> Result<String, String> {
        let name = upload_name(name)?;
        if bytes.len() > MAX_UPLOAD_BYTES {
            return Err(format!(
                "{name} is {} bytes; pictures up to {MAX_UPLOAD_BYTES} bytes are taken",
                bytes.len()
            ));
        }
        std::fs::create_dir_all(&self.uploads)
            .map_err(|e| format!("cannot keep uploads in {}: {e}", self.uploads.display()))?;
        let trial = self
            .uploads
            .join(format!(".{name}.{}.checking", std::process::id()));
        std::fs::write(&trial, bytes).map_err(|e| format!("cannot keep the upload: {e}"))?;
        let checked = crate::input::load(&trial)
            .map_err(|e| e.to_string().replace(&trial.display().to_string(), &name));
        let kept = checked.and_then(|_| {
            std::fs::rename(&trial, self.uploads.join(&name))
                .map_err(|e| format!("cannot keep the upload: {e}"))
        });
        let _ = std::fs::remove_file(&trial);
        *self.listed.lock().unwrap_or_else(PoisonError::into_inner) = None;
        kept.map(|()| format!("{UPLOADS}/{name}"))
    }

    /// The file behind a name from [`Studio::pictures`]; a name not on the list is refused
    /// with the list.
    pub fn picture_path(&self, picture: &str) -> Result<PathBuf, String> {
        let pictures = self.pictures();
        if !pictures.iter().any(|name| name == picture) {
            return Err(format!(
                "no picture {picture:?}: choose one of {}",
                pictures.join(", ")
            ));
        }
        Ok(match picture.strip_prefix(&format!("{UPLOADS}/")) {
            Some(upload) => self.uploads.join(upload),
            None => self.samples.join(picture),
        })
    }

    /// Checks `request` names a picture and a style there are.
    pub fn check(&self, request: &PlotRequest) -> Result<(), String> {
        self.picture_path(&request.sample)?;
        request.style.parse::<Style>()?;
        Ok(())
    }

    /// Plans `request` without plotting it: its summary (with the plot's time) and its SVG,
    /// PNG and G-code, kept as the latest preview. Takes as long as planning does.
    pub fn preview(&self, request: PlotRequest) -> Result<Summary, String> {
        let path = self.picture_path(&request.sample)?;
        let style = request.style.parse::<Style>()?;
        let drawing = crate::input::load(&path).map_err(|e| e.to_string())?;
        let plan = crate::Plan::new(
            &self.config,
            Some(&drawing),
            Some(style),
            &crate::plan::StyleOptions::default(),
            request.seed,
        )
        .map_err(|e| e.to_string())?;
        let summary = plan.summary(Some(request.sample.clone()), |_| {});
        let pen = self.config.pen.width_mm;
        let svg = crate::output::svg(
            &plan.strokes,
            plan.machine.home_position(),
            plan.machine.paper,
            plan.machine.drawable,
            pen,
        );
        let ink = crate::output::ink(&plan.strokes, plan.machine.paper, pen, 4.0);
        let mut png = Vec::new();
        ink.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .map_err(|e| format!("encoding the preview: {e}"))?;
        let gcode = crate::output::gcode(&plan.strokes, &self.config, plan.machine.paper);
        *self.preview.lock().unwrap_or_else(PoisonError::into_inner) = Some(Preview {
            request,
            summary: summary.clone(),
            svg,
            png,
            gcode,
        });
        Ok(summary)
    }

    /// The latest preview.
    pub fn latest_preview(&self) -> Option<Preview> {
        self.preview
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// A new job folder for `request` (numbered in the jobs folder), with a copy of the picture,
    /// the options and the config: what the plot, a resume and a restart rebuild the plan from.
    pub fn new_job(&self, request: &PlotRequest) -> anyhow::Result<Job> {
        let picture = self
            .picture_path(&request.sample)
            .map_err(anyhow::Error::msg)?;
        let number = std::fs::read_dir(&self.jobs).map_or(0, |dir| dir.count()) + 1;
        let dir = self.jobs.join(format!("job-{number:04}"));
        let options = JobOptions {
            input: None,
            style: Some(request.style.clone()),
            seed: request.seed,
            cell_mm: None,
            dots: None,
        };
        Ok(Job::create(&dir, Some(&picture), options, &self.config)?)
    }
}

/// The PNG, JPEG and SVG files in `folder`, sorted.
fn pictures_in(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.'))
        .filter(|name| has_picture_extension(name))
        .collect();
    names.sort();
    names
}

fn has_picture_extension(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [".png", ".jpg", ".jpeg", ".svg"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// An upload's name as kept: letters, digits, `.`, `-` and `_`, at most 64 characters, ending
/// in .png, .jpg, .jpeg or .svg.
fn upload_name(name: &str) -> Result<String, String> {
    let fine = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && has_picture_extension(name);
    if fine {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "the upload's name {name:?} is not one the plotter keeps: letters, digits, '.', '-' \
             and '_', at most 64 characters, ending in .png, .jpg, .jpeg or .svg"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_names_are_plain_file_names_of_pictures() {
        assert!(upload_name("cat-1.jpg").is_ok());
        for bad in ["../x.png", ".hidden.png", "a b.png", "notes.txt", ""] {
            assert!(upload_name(bad).is_err(), "{bad}");
        }
    }
}

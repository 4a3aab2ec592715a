//! Making comics for one robot: the library indexed once, the printer's profile, the archive.
//! A comic is composed, encoded for the printer and archived in one step, so that what the
//! printer gets is always in the archive first; an archived comic can be encoded again.

use std::path::{Path, PathBuf};

use crate::archive::{Archive, ArchiveError, Saved};
use crate::compose::{self, Comic, ComposeError, Request};
use crate::config::ComicConfig;
use crate::escpos::EncodedJob;
use crate::library::{ImageFileError, Library, LibraryError, read_gray};
use crate::print::{self, JobError};
use crate::profile::{PrinterProfile, ProfileError};

/// Why a comic could not be made or found again.
#[derive(Debug, thiserror::Error)]
pub enum MakeError {
    /// The grids and art could not be read.
    #[error(transparent)]
    Library(#[from] LibraryError),
    /// The printer profile could not be read.
    #[error("printer profile {path}: {cause}")]
    Profile {
        /// The profile's name or file.
        path: String,
        /// Why.
        cause: String,
    },
    /// No comic could be composed from the library.
    #[error(transparent)]
    Compose(#[from] ComposeError),
    /// The comic could not be turned into the printer's bytes.
    #[error(transparent)]
    Job(#[from] JobError),
    /// The archive could not be written or read.
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    /// An archived picture could not be read back.
    #[error(transparent)]
    Image(#[from] ImageFileError),
}

/// A comic made and archived, with the bytes for the printer.
#[derive(Debug)]
pub struct Made {
    /// The comic.
    pub comic: Comic,
    /// The printer's job.
    pub job: EncodedJob,
    /// Where it was archived.
    pub saved: Saved,
}

/// Everything needed to make comics for one configured robot.
#[derive(Debug)]
pub struct Maker {
    config: ComicConfig,
    profile: PrinterProfile,
    library: Library,
    archive: Archive,
}

/// The printer profile the config names: a built-in's name, or a TOML file beside the config.
pub fn load_profile(config: &ComicConfig, config_path: &Path) -> Result<PrinterProfile, MakeError> {
    let name = &config.printer.profile;
    if !name.ends_with(".toml") {
        return PrinterProfile::builtin_named(name).map_err(|e: ProfileError| MakeError::Profile {
            path: name.clone(),
            cause: e.to_string(),
        });
    }
    let path: PathBuf = config_path.parent().unwrap_or(Path::new(".")).join(name);
    let failed = |cause: String| MakeError::Profile {
        path: path.display().to_string(),
        cause,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| failed(e.to_string()))?;
    PrinterProfile::from_toml(&text).map_err(|e| failed(e.to_string()))
}

impl Maker {
    /// Reads the library (once: the robot keeps it) and the profile, opens the archive at
    /// `archive_dir`.
    pub fn new(
        config: &ComicConfig,
        config_path: &Path,
        archive_dir: &Path,
    ) -> Result<Maker, MakeError> {
        let profile = load_profile(config, config_path)?;
        let library = Library::load(&config.comic.library, config.page_size())?;
        for warning in &library.warnings {
            tracing::warn!("{warning}");
        }
        tracing::info!(
            grids = library.grids.len(),
            art = library.art.len(),
            folder = %config.comic.library.display(),
            "library loaded"
        );
        Ok(Maker {
            config: config.clone(),
            profile,
            library,
            archive: Archive::open(archive_dir)?,
        })
    }

    /// The library.
    pub fn library(&self) -> &Library {
        &self.library
    }

    /// The printer's profile.
    pub fn profile(&self) -> &PrinterProfile {
        &self.profile
    }

    /// The archive.
    pub fn archive(&self) -> &Archive {
        &self.archive
    }

    /// The config it makes comics for.
    pub fn config(&self) -> &ComicConfig {
        &self.config
    }

    /// Composes comic `number` from `seed`, encodes it for the printer and archives it (PNG,
    /// printer bytes, then the sidecar). `theme` falls back to the config's.
    pub fn make(
        &self,
        number: u64,
        seed: u64,
        date: String,
        theme: Option<String>,
    ) -> Result<Made, MakeError> {
        let request = Request {
            seed,
            theme: theme.or_else(|| self.config.comic.theme.clone()),
            number,
            date,
            event: self.config.comic.event.clone(),
        };
        let comic = compose::compose(&self.library, &request)?;
        let job = print::job(
            &comic.page.top_rows(comic.artwork_rows),
            print::footer_lines(&comic.record),
            &self.profile,
            self.config.printer.binarisation,
        )?;
        let saved = self.archive.save(
            &comic,
            self.config.comic.archive_dpi,
            Some((
                job.bytes(),
                &self.config.printer.profile,
                &self.config.printer.binarisation.to_string(),
            )),
        )?;
        tracing::info!(
            number,
            seed,
            grid = %comic.record.grid,
            png = %saved.png.display(),
            "comic made"
        );
        Ok(Made { comic, job, saved })
    }

    /// The printer's job for archived comic `number`, encoded again from its PNG for the
    /// printer configured now (the same bytes as its saved stream when neither the printer nor
    /// the binarisation changed).
    pub fn job_from_archive(&self, number: u64) -> Result<EncodedJob, MakeError> {
        let sidecar = self.archive.sidecar(number)?;
        let page = read_gray(&self.archive.path_of(&sidecar.png))?;
        Ok(print::job(
            &page.top_rows(sidecar.artwork_rows),
            print::footer_lines_for(
                sidecar.comic.number,
                &sidecar.comic.date,
                &sidecar.comic.event,
                sidecar.comic.seed,
            ),
            &self.profile,
            self.config.printer.binarisation,
        )?)
    }
}

/// Today's date in UTC, YYYY-MM-DD (the robot may have no time zone configured).
pub fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((seconds / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days-to-civil: days since 1970-01-01 → (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}

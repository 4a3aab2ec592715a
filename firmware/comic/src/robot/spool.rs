//! The spool: one file per accepted press, so that no press is lost when the process dies or
//! the power goes.
//!
//! A press becomes `job-NNNNNN.json` (written to a temporary file, synced, renamed) before a byte
//! goes to the printer, and the file is removed only once the comic is known to be on paper.
//! While a job is being sent, `printing` names it: finding that file at start means the printer
//! may hold half a picture, and must be brought back to a known state before anything else.
//! `ahead` names the comic made ahead for the next press, so a restart uses it instead of
//! leaving a gap in the numbers.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A spool file that could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("spool {}: {cause}", path.display())]
pub struct SpoolError {
    /// The file or folder.
    pub path: PathBuf,
    /// Why.
    pub cause: String,
}

/// One accepted press.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpooledJob {
    /// The comic it prints.
    pub number: u64,
    /// When the button was pressed, milliseconds since 1970 (for the log and the page).
    pub pressed_unix_ms: u64,
}

/// The spool folder.
#[derive(Clone, Debug)]
pub struct Spool {
    dir: PathBuf,
}

fn failed(path: &Path) -> impl Fn(io::Error) -> SpoolError + '_ {
    move |cause| SpoolError {
        path: path.to_owned(),
        cause: cause.to_string(),
    }
}

impl Spool {
    /// The spool in `dir`, created if missing.
    pub fn open(dir: &Path) -> Result<Spool, SpoolError> {
        fs::create_dir_all(dir).map_err(failed(dir))?;
        Ok(Spool {
            dir: dir.to_owned(),
        })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn job_path(&self, number: u64) -> PathBuf {
        self.dir.join(format!("job-{number:06}.json"))
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> Result<(), SpoolError> {
        atelier_config::write_atomically(path, bytes).map_err(failed(path))
    }

    /// Keeps `job` until [`Spool::done`]; on disk when this returns.
    pub fn add(&self, job: &SpooledJob) -> Result<(), SpoolError> {
        let json = serde_json::to_vec(job).expect("a job serialises");
        self.write(&self.job_path(job.number), &json)
    }

    /// Whether comic `number` has a job waiting.
    pub fn holds(&self, number: u64) -> bool {
        self.job_path(number).exists()
    }

    /// The jobs waiting, oldest comic first. A file that is not a job is an error naming it:
    /// the robot must not guess what a person left in its spool.
    pub fn pending(&self) -> Result<Vec<SpooledJob>, SpoolError> {
        let mut jobs = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(failed(&self.dir))? {
            let path = entry.map_err(failed(&self.dir))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !(name.starts_with("job-") && name.ends_with(".json")) {
                continue;
            }
            let bytes = fs::read(&path).map_err(failed(&path))?;
            let job: SpooledJob = serde_json::from_slice(&bytes).map_err(|e| SpoolError {
                path: path.clone(),
                cause: format!("not a spooled job ({e}); move it away to continue"),
            })?;
            jobs.push(job);
        }
        jobs.sort_by_key(|job| job.number);
        Ok(jobs)
    }

    /// Forgets comic `number`'s job: it is on paper.
    pub fn done(&self, number: u64) -> Result<(), SpoolError> {
        let path = self.job_path(number);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(failed(&path)(e)),
            _ => {}
        }
        self.sync_dir()
    }

    fn sync_dir(&self) -> Result<(), SpoolError> {
        fs::File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(failed(&self.dir))
    }

    fn marker(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn read_marker(&self, name: &str) -> Result<Option<u64>, SpoolError> {
        let path = self.marker(name);
        match fs::read_to_string(&path) {
            Ok(text) => text.trim().parse().map(Some).map_err(|_| SpoolError {
                path: path.clone(),
                cause: format!("holds {text:?}, not a comic number"),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(failed(&path)(e)),
        }
    }

    fn set_marker(&self, name: &str, number: Option<u64>) -> Result<(), SpoolError> {
        let path = self.marker(name);
        match number {
            Some(number) => self.write(&path, number.to_string().as_bytes()),
            None => match fs::remove_file(&path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(failed(&path)(e)),
                _ => self.sync_dir(),
            },
        }
    }

    /// The comic whose bytes were going to the printer when the process stopped, if any.
    pub fn printing(&self) -> Result<Option<u64>, SpoolError> {
        self.read_marker("printing")
    }

    /// Notes that bytes of comic `number` go to the printer from now on (`None`: none do).
    pub fn set_printing(&self, number: Option<u64>) -> Result<(), SpoolError> {
        self.set_marker("printing", number)
    }

    /// The comic made ahead for the next press, if one was.
    pub fn ahead(&self) -> Result<Option<u64>, SpoolError> {
        self.read_marker("ahead")
    }

    /// Notes which comic is made ahead for the next press.
    pub fn set_ahead(&self, number: Option<u64>) -> Result<(), SpoolError> {
        self.set_marker("ahead", number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(number: u64) -> SpooledJob {
        SpooledJob {
            number,
            pressed_unix_ms: 1_700_000_000_000 + number,
        }
    }

    #[test]
    fn jobs_survive_a_reopen_in_order_until_done() {
        let folder = tempfile::tempdir().expect("temp dir");
        let spool = Spool::open(&folder.path().join("spool")).expect("open");
        for number in [12, 3, 7] {
            spool.add(&job(number)).expect("add");
        }
        let again = Spool::open(spool.dir()).expect("reopen");
        assert_eq!(again.pending().expect("read"), [job(3), job(7), job(12)]);
        again.done(7).expect("done");
        again.done(7).expect("done twice is fine");
        assert_eq!(again.pending().expect("read"), [job(3), job(12)]);
    }

    #[test]
    fn markers_round_trip_and_a_stranger_in_the_spool_is_named() {
        let folder = tempfile::tempdir().expect("temp dir");
        let spool = Spool::open(folder.path()).expect("open");
        assert_eq!(spool.printing().expect("read"), None);
        spool.set_printing(Some(4)).expect("set");
        spool.set_ahead(Some(5)).expect("set");
        assert_eq!(spool.printing().expect("read"), Some(4));
        assert_eq!(spool.ahead().expect("read"), Some(5));
        spool.set_printing(None).expect("clear");
        assert_eq!(spool.printing().expect("read"), None);

        std::fs::write(
            folder.path().join("job-000009.json"),
            b"{\"number\": \"nine\"}",
        )
        .expect("write");
        let error = spool.pending().expect_err("not a job").to_string();
        assert!(error.contains("job-000009.json"), "{error}");
        assert!(error.contains("move it away"), "{error}");
        std::fs::write(folder.path().join("ahead"), b"soon").expect("write");
        assert!(spool.ahead().is_err());
    }
}

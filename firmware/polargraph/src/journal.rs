//! What survives a crash and what survives a power loss.
//!
//! - The **position file** (machine-wide, in the state folder) holds the motors' exact step
//!   counters and the place in the job, rewritten in place after every step: one small write
//!   that the kernel keeps without fsync, so it survives the process being killed. It also names
//!   the boot it was written in: after a power loss (a new boot id) it is not trusted, since the
//!   page cache it lived in is gone and a gondola without power may have moved.
//! - The **journal** (in the job's folder) is written atomically (temp + fsync + rename) at
//!   stroke boundaries and at least once a second: the plan's identity, the place in it and the
//!   motors' counters there. It is what a resume after a power loss starts from, once the user
//!   has put the gondola back home.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    /// Drawing (or killed while drawing).
    Running,
    /// Stopped on purpose (pause, Ctrl-C, SIGTERM, a late event) with the pen up.
    Paused,
    /// Every stroke drawn.
    Done,
}

/// A place in a plan: the stroke, the line of it being drawn, the pen, the motors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// The stroke being drawn or travelled to (the plan's count of strokes once all are drawn).
    pub stroke: usize,
    /// While drawing: the stroke's point its current line starts from.
    pub point: usize,
    /// Whether the place is inside a stroke's line (the pen was down there; after a pause it is
    /// lifted, and a resume lowers it there again).
    pub drawing: bool,
    /// The motors' step counters (left, right).
    pub steps: [i64; 2],
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// The journal's format.
    pub format: u32,
    /// The identity of the job's plan ([`crate::job::Job::id`]).
    pub plan: String,
    /// Where the job stands.
    pub state: JobState,
    /// Where in the plan.
    pub place: Place,
}

/// This journal's format number.
pub const JOURNAL_FORMAT: u32 = 1;
/// The journal's file name in a job folder.
pub const JOURNAL_FILE: &str = "journal.json";

/// A journal that cannot be used: never half-used, always said why.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// There is none: the job never started.
    #[error("{} does not exist: this folder's plot never started (plot it with `polargraph plot`)", path.display())]
    Missing {
        /// The journal.
        path: PathBuf,
    },
    /// It is not a journal this program wrote.
    #[error("{} is corrupt ({detail}): it is left as it is and not used; start the plot again with `polargraph plot`", path.display())]
    Corrupt {
        /// The journal.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// It belongs to another plan (the input, options or config in the folder changed).
    #[error("{} belongs to another plan ({found}…, this folder's is {expected}…): the input, options or config changed since; it is not used", path.display())]
    Foreign {
        /// The journal.
        path: PathBuf,
        /// Its plan.
        found: String,
        /// The folder's plan.
        expected: String,
    },
    /// It could not be read or written.
    #[error("{}: {detail}", path.display())]
    Io {
        /// The journal.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
}

/// The journal of the job in `dir`.
#[derive(Clone, Debug)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The journal of the job folder `dir`.
    pub fn of(dir: &Path) -> Journal {
        Journal {
            path: dir.join(JOURNAL_FILE),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `checkpoint` atomically and durably.
    pub fn write(&self, checkpoint: &Checkpoint) -> Result<(), JournalError> {
        let mut text = serde_json::to_string_pretty(checkpoint).map_err(|e| self.io(e))?;
        text.push('\n');
        atelier_config::write_atomically(&self.path, text.as_bytes()).map_err(|e| self.io(e))
    }

    fn io(&self, detail: impl std::fmt::Display) -> JournalError {
        JournalError::Io {
            path: self.path.clone(),
            detail: detail.to_string(),
        }
    }

    /// Reads the journal of the plan `plan`.
    pub fn read(&self, plan: &str) -> Result<Checkpoint, JournalError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(JournalError::Missing {
                    path: self.path.clone(),
                });
            }
            Err(e) => return Err(self.io(e)),
        };
        let corrupt = |detail: String| JournalError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        let checkpoint: Checkpoint =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(e.to_string()))?;
        if checkpoint.format != JOURNAL_FORMAT {
            return Err(corrupt(format!(
                "format {} where this program writes {JOURNAL_FORMAT}",
                checkpoint.format
            )));
        }
        if checkpoint.plan != plan {
            return Err(JournalError::Foreign {
                path: self.path.clone(),
                found: checkpoint.plan.chars().take(12).collect(),
                expected: plan.chars().take(12).collect(),
            });
        }
        Ok(checkpoint)
    }
}

/// The machine's position as the position file holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// The boot it was written in.
    pub boot: String,
    /// The job being played, if any.
    pub plan: Option<String>,
    /// The place: in the job, or (without one) just the motors' counters.
    pub place: Place,
}

const POSITION_RECORD: usize = 256;
/// The position file's name in the state folder.
pub const POSITION_FILE: &str = "position";

/// This boot's identity, from the kernel; a power loss or reboot changes it.
pub fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|id| id.trim().to_owned())
        .unwrap_or_else(|_| "unknown-boot".to_owned())
}

impl Position {
    fn encode(&self) -> Vec<u8> {
        let place = &self.place;
        let mut record = format!(
            "atelier-position 1 boot {} plan {} stroke {} point {} drawing {} steps {} {}",
            self.boot,
            self.plan.as_deref().unwrap_or("-"),
            place.stroke,
            place.point,
            u8::from(place.drawing),
            place.steps[0],
            place.steps[1],
        )
        .into_bytes();
        record.resize(POSITION_RECORD - 1, b' ');
        record.push(b'\n');
        record
    }

    fn decode(text: &str) -> Option<Position> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [
            "atelier-position",
            "1",
            "boot",
            boot,
            "plan",
            plan,
            "stroke",
            stroke,
            "point",
            point,
            "drawing",
            drawing_flag,
            "steps",
            left,
            right,
        ] = fields.as_slice()
        else {
            return None;
        };
        Some(Position {
            boot: (*boot).to_owned(),
            plan: (*plan != "-").then(|| (*plan).to_owned()),
            place: Place {
                stroke: stroke.parse().ok()?,
                point: point.parse().ok()?,
                drawing: match *drawing_flag {
                    "0" => false,
                    "1" => true,
                    _ => return None,
                },
                steps: [left.parse().ok()?, right.parse().ok()?],
            },
        })
    }
}

/// The position file, open for rewriting in place.
#[derive(Debug)]
pub struct PositionFile {
    path: PathBuf,
    file: File,
}

impl PositionFile {
    /// Opens (or creates) the position file in the state folder `state`.
    pub fn open(state: &Path) -> std::io::Result<PositionFile> {
        std::fs::create_dir_all(state)?;
        let path = state.join(POSITION_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)?;
        Ok(PositionFile { path, file })
    }

    /// What it holds, if it holds a position.
    pub fn read(&self) -> Option<Position> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        Position::decode(&text)
    }

    /// Rewrites it in place (no fsync: it is for crashes, not power loss).
    pub fn write(&self, position: &Position) -> std::io::Result<()> {
        self.file.write_all_at(&position.encode(), 0)
    }

    /// Forgets the position (the motors were released).
    pub fn forget(&self) -> std::io::Result<()> {
        self.file.set_len(0)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_reads_back_and_a_torn_one_is_no_position() {
        let position = Position {
            boot: "b1".into(),
            plan: Some("abc".into()),
            place: Place {
                stroke: 3,
                point: 7,
                drawing: true,
                steps: [-5, 41_000],
            },
        };
        let encoded = String::from_utf8(position.encode()).expect("text");
        assert_eq!(encoded.len(), POSITION_RECORD);
        assert_eq!(Position::decode(&encoded), Some(position));
        assert_eq!(Position::decode(&encoded[..40]), None);
        assert_eq!(Position::decode(""), None);
    }

    #[test]
    fn a_journal_of_another_plan_or_a_corrupt_one_is_refused() {
        let dir = tempfile::tempdir().expect("temp");
        let journal = Journal::of(dir.path());
        assert!(matches!(
            journal.read("p"),
            Err(JournalError::Missing { .. })
        ));
        let checkpoint = Checkpoint {
            format: JOURNAL_FORMAT,
            plan: "plan-a".into(),
            state: JobState::Running,
            place: Place {
                stroke: 1,
                point: 0,
                drawing: false,
                steps: [1, 2],
            },
        };
        journal.write(&checkpoint).expect("write");
        assert_eq!(journal.read("plan-a").expect("reads"), checkpoint);
        assert!(matches!(
            journal.read("plan-b"),
            Err(JournalError::Foreign { .. })
        ));
        std::fs::write(journal.path(), "{\"format\": 1, \"plan\": ").expect("write");
        let error = journal.read("plan-a").expect_err("corrupt");
        assert!(matches!(error, JournalError::Corrupt { .. }), "{error}");
        assert!(error.to_string().contains("journal.json"));
    }
}

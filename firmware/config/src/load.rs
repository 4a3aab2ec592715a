//! Reading TOML config files with errors that name the file, the key and what is allowed.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {}: {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why (already in the message, so not repeated as a source).
        cause: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write config file {}: {cause}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        cause: std::io::Error,
    },
    /// The file was read but is not a valid config.
    #[error("{}", Located(self))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Line and column (1-based) where the problem is, when known.
        position: Option<(usize, usize)>,
        /// The dotted key, such as `pins.button`, when the problem is at a key.
        key: Option<String>,
        /// What is wrong and what would be accepted.
        message: String,
    },
}

struct Located<'a>(&'a ConfigError);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ConfigError::Invalid {
            path,
            position,
            key,
            message,
        } = self.0
        else {
            return Ok(());
        };
        write!(f, "{}", path.display())?;
        if let Some((line, column)) = position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {message}")
    }
}

/// What is wrong with one key of a config that parsed: for checks TOML types cannot express.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The dotted key, such as `pins.busy_led`.
    pub key: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}

impl Problem {
    /// A problem with `key`.
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// A config with rules beyond its types (ranges, pins used twice, names that must exist).
pub trait Check {
    /// The first rule broken, if any.
    fn check(&self) -> Result<(), Problem>;
}

/// Reads `path` as TOML into `T` and checks it; a broken rule is reported like a parse error,
/// naming the file and the key.
pub fn load_checked<T: DeserializeOwned + Check>(path: &Path) -> Result<T, ConfigError> {
    parse_checked(&read(path)?, path)
}

/// Parses `text` (from `origin`) into `T` and checks it.
pub fn parse_checked<T: DeserializeOwned + Check>(
    text: &str,
    origin: &Path,
) -> Result<T, ConfigError> {
    checked(parse(text, origin)?, &[(text, origin)])
}

/// Checks `config`, which was read from `sources` (the last one wins where they overlap): a
/// broken rule names the source that set the key, and its line.
pub(crate) fn checked<T: Check>(config: T, sources: &[(&str, &Path)]) -> Result<T, ConfigError> {
    config
        .check()
        .map_err(|problem| invalid_at(sources, problem.key, &problem.message))?;
    Ok(config)
}

/// An error at dotted `key`, placed in whichever of `sources` writes the most of it (the last
/// one on a tie, as it overrides the others).
pub(crate) fn invalid_at(sources: &[(&str, &Path)], key: String, message: &str) -> ConfigError {
    let steps = crate::locate::steps(&key);
    let mut best: Option<(usize, &str, &Path, Option<std::ops::Range<usize>>)> = None;
    for &(text, origin) in sources {
        let (found, span) = crate::locate::deepest(text, &steps);
        if best.as_ref().is_none_or(|(most, ..)| found >= *most) {
            best = Some((found, text, origin, span));
        }
    }
    let (text, origin, span) = best.map_or(("", Path::new(""), None), |(_, t, o, s)| (t, o, s));
    ConfigError::Invalid {
        path: origin.to_owned(),
        position: position_of(text, span),
        key: (!key.is_empty() && key != ".").then_some(key),
        message: message.trim().to_owned(),
    }
}

pub(crate) fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
        path: path.to_owned(),
        cause,
    })
}

/// Reads `path` as TOML into `T`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    parse(&read(path)?, path)
}

/// Parses `text` (read from `origin`, which errors name) as TOML into `T`.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &Path) -> Result<T, ConfigError> {
    let invalid = |position, key, message: &str| ConfigError::Invalid {
        path: origin.to_owned(),
        position,
        key,
        message: message.trim().to_owned(),
    };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|e| invalid(position_of(text, e.span()), None, e.message()))?;
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let key = (path != ".").then_some(path);
        let inner = e.into_inner();
        invalid(position_of(text, inner.span()), key, inner.message())
    })
}

/// 1-based line and column of the start of `span` in `text`.
fn position_of(text: &str, span: Option<std::ops::Range<usize>>) -> Option<(usize, usize)> {
    let start = span?.start.min(text.len());
    let before = text.get(..start)?;
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column))
}

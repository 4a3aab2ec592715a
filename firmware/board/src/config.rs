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
    checked(load(path)?, path)
}

/// Parses `text` (from `origin`) into `T` and checks it.
pub fn parse_checked<T: DeserializeOwned + Check>(
    text: &str,
    origin: &Path,
) -> Result<T, ConfigError> {
    checked(parse(text, origin)?, origin)
}

fn checked<T: Check>(config: T, origin: &Path) -> Result<T, ConfigError> {
    config.check().map_err(|problem| ConfigError::Invalid {
        path: origin.to_owned(),
        position: None,
        key: Some(problem.key),
        message: problem.message,
    })?;
    Ok(config)
}

/// Reads `path` as TOML into `T`.
pub fn load<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
        path: path.to_owned(),
        cause,
    })?;
    parse(&text, path)
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

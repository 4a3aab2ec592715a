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

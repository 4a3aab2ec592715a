//! Reading a machine's config as its packaged defaults with the user's edits laid over them.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::load::{Check, ConfigError, checked, invalid_at, parse, read};

/// Reads `defaults`, lays the edits file over it when one exists, and checks the result.
///
/// Tables merge key by key; anything else in the edits (a number, a string, an array such as
/// the lamp's list of surfaces) replaces the default whole. An error names the file that set
/// the offending key: a typo in the edits is reported in the edits, not in the defaults.
pub fn load_layered<T: DeserializeOwned + Check>(
    defaults: &Path,
    edits: &Path,
) -> Result<T, ConfigError> {
    let defaults_text = read(defaults)?;
    let edits_text = match std::fs::read_to_string(edits) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return crate::parse_checked(&defaults_text, defaults);
        }
        Err(cause) => {
            return Err(ConfigError::Read {
                path: edits.to_owned(),
                cause,
            });
        }
    };
    merge_checked(&defaults_text, defaults, &edits_text, edits)
}

/// The config in force as TOML: `defaults` with the edits laid over them, checked as `T` first
/// so that what is shown is what the machine would run with. Comments are not kept.
pub fn effective_toml<T: DeserializeOwned + Check>(
    defaults: &Path,
    edits: &Path,
) -> Result<String, ConfigError> {
    let _: T = load_layered(defaults, edits)?;
    let mut merged: toml::Table = parse(&read(defaults)?, defaults)?;
    if edits.exists() {
        lay_over(&mut merged, parse(&read(edits)?, edits)?);
    }
    toml::to_string_pretty(&merged).map_err(|e| ConfigError::Invalid {
        path: defaults.to_owned(),
        position: None,
        key: None,
        message: e.to_string(),
    })
}

/// [`load_layered`] on texts already read.
pub(crate) fn merge_checked<T: DeserializeOwned + Check>(
    defaults_text: &str,
    defaults: &Path,
    edits_text: &str,
    edits: &Path,
) -> Result<T, ConfigError> {
    let mut merged: toml::Table = parse(defaults_text, defaults)?;
    let overlay: toml::Table = parse(edits_text, edits)?;
    lay_over(&mut merged, overlay);
    let sources = [(defaults_text, defaults), (edits_text, edits)];
    let config: T = serde_path_to_error::deserialize(toml::Value::Table(merged))
        .map_err(|e| invalid_at(&sources, e.path().to_string(), e.inner().message()))?;
    checked(config, &sources)
}

fn lay_over(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(inner)), toml::Value::Table(over)) => lay_over(inner, over),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Problem;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Machine {
        pins: Pins,
        #[serde(default)]
        surfaces: Vec<String>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Pins {
        step: u8,
        dir: u8,
    }

    impl Check for Machine {
        fn check(&self) -> Result<(), Problem> {
            if self.pins.step == self.pins.dir {
                return Err(Problem::new("pins.dir", "is already used by `pins.step`"));
            }
            Ok(())
        }
    }

    const DEFAULTS: &str = "surfaces = [\"a\", \"b\"]\n# wiring\n[pins]\nstep = 5\ndir = 6\n";

    fn merged(edits: &str) -> Result<Machine, String> {
        merge_checked(
            DEFAULTS,
            Path::new("/etc/atelier/m.toml"),
            edits,
            Path::new("/var/lib/atelier/m/edits.toml"),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn edits_override_keys_and_replace_arrays_whole() {
        let machine = merged("surfaces = [\"c\"]\n[pins]\ndir = 7\n").expect("valid");
        assert_eq!(machine.pins, Pins { step: 5, dir: 7 });
        assert_eq!(machine.surfaces, ["c"]);
    }

    #[test]
    fn a_mistake_in_the_edits_is_reported_in_the_edits() {
        let message = merged("\n[pins]\nstep = \"five\"\n").expect_err("bad type");
        assert!(
            message.starts_with("/var/lib/atelier/m/edits.toml:3:1: key `pins.step`"),
            "{message}"
        );
        let message = merged("[pins]\nsetp = 1\n").expect_err("unknown key");
        assert!(
            message.starts_with("/var/lib/atelier/m/edits.toml:2:1: key `pins.setp`"),
            "{message}"
        );
        let message = merged("[pins\n").expect_err("not TOML");
        assert!(
            message.starts_with("/var/lib/atelier/m/edits.toml:1:"),
            "{message}"
        );
    }

    #[test]
    fn a_broken_rule_names_the_file_that_set_the_key() {
        let message = merged("[pins]\ndir = 5\n").expect_err("pins shared");
        assert!(
            message.starts_with("/var/lib/atelier/m/edits.toml:2:1: key `pins.dir`"),
            "{message}"
        );
        let defaults_only: Result<Machine, _> = crate::parse_checked(
            "[pins]\nstep = 5\ndir = 5\n",
            Path::new("/etc/atelier/m.toml"),
        );
        let message = defaults_only.expect_err("pins shared").to_string();
        assert!(
            message.starts_with("/etc/atelier/m.toml:3:1: key `pins.dir`"),
            "{message}"
        );
    }

    #[test]
    fn the_effective_config_shows_the_edits_in_force() {
        let folder = tempfile::tempdir().expect("temp dir");
        let defaults = folder.path().join("m.toml");
        let edits = folder.path().join("edits.toml");
        std::fs::write(&defaults, DEFAULTS).expect("write");
        std::fs::write(&edits, "[pins]\ndir = 9\n").expect("write");
        let shown = effective_toml::<Machine>(&defaults, &edits).expect("valid");
        let reread: Machine = toml::from_str(&shown).expect("TOML");
        assert_eq!(reread.pins, Pins { step: 5, dir: 9 });
        assert_eq!(reread.surfaces, ["a", "b"]);
        std::fs::write(&edits, "[pins]\ndir = 5\n").expect("write");
        let refused = effective_toml::<Machine>(&defaults, &edits).expect_err("pins shared");
        assert!(refused.to_string().contains("pins.dir"), "{refused}");
    }

    #[test]
    fn no_edits_file_means_the_defaults_alone() {
        let folder = tempfile::tempdir().expect("temp dir");
        let defaults = folder.path().join("m.toml");
        std::fs::write(&defaults, DEFAULTS).expect("write");
        let machine: Machine =
            load_layered(&defaults, &folder.path().join("none/edits.toml")).expect("valid");
        assert_eq!(machine.pins, Pins { step: 5, dir: 6 });
    }
}

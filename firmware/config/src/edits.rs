//! Changing a machine's config: the edits overlay is rewritten, the defaults never are.

use serde::de::DeserializeOwned;
use toml_edit::{DocumentMut, Item};

use crate::layered::merge_checked;
use crate::load::{Check, ConfigError, Problem, read};
use crate::{Places, write_atomically};

impl Places {
    /// Applies `change` to the edits overlay, checks the merged config, and only then replaces
    /// the overlay atomically, comments and layout kept. `change` gets the overlay to edit and
    /// the defaults to read (see [`copy_from_defaults`]). Returns the config now in force; on
    /// any error nothing on disk has changed.
    pub fn edit<T: DeserializeOwned + Check>(
        &self,
        change: impl FnOnce(&mut DocumentMut, &DocumentMut) -> Result<(), Problem>,
    ) -> Result<T, ConfigError> {
        let defaults_text = read(&self.defaults)?;
        let defaults = document(&defaults_text, &self.defaults)?;
        let edits_text = match std::fs::read_to_string(&self.edits) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(cause) => {
                return Err(ConfigError::Read {
                    path: self.edits.clone(),
                    cause,
                });
            }
        };
        let mut edits = document(&edits_text, &self.edits)?;
        if edits_text.is_empty() {
            edits.decor_mut().set_prefix(
                "# Changes made on this machine (calibration, the web page), laid over the\n\
                 # packaged defaults. Delete this file to go back to the defaults.\n",
            );
        }
        change(&mut edits, &defaults)
            .map_err(|problem| invalid(&self.edits, Some(problem.key), &problem.message))?;
        let new_text = edits.to_string();
        let config = merge_checked(&defaults_text, &self.defaults, &new_text, &self.edits)?;
        write_atomically(&self.edits, new_text.as_bytes()).map_err(|cause| ConfigError::Write {
            path: self.edits.clone(),
            cause,
        })?;
        tracing::info!(edits = %self.edits.display(), "config edits saved");
        Ok(config)
    }
}

/// `text` for editing; when it is not TOML, the error is the reader's, with its position.
fn document(text: &str, path: &std::path::Path) -> Result<DocumentMut, ConfigError> {
    crate::parse::<toml::Table>(text, path)?;
    text.parse()
        .map_err(|e: toml_edit::TomlError| invalid(path, None, e.message()))
}

fn invalid(path: &std::path::Path, key: Option<String>, message: &str) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_owned(),
        position: None,
        key,
        message: message.trim().to_owned(),
    }
}

/// Makes sure the overlay has the item at dotted `key` (tables only, such as
/// `surfaces.surfaces`), copying it from the defaults, comments included, when it has none yet.
/// Needed before changing one element of an array: the overlay's array replaces the default's
/// whole. Returns the item, or `None` when neither file has it.
pub fn copy_from_defaults<'a>(
    edits: &'a mut DocumentMut,
    defaults: &DocumentMut,
    key: &str,
) -> Option<&'a mut Item> {
    let parts: Vec<&str> = key.split('.').collect();
    let (leaf, parents) = parts.split_last()?;
    let mut source = defaults.as_item();
    for part in &parts {
        source = source.get(part).unwrap_or(&Item::None);
    }
    let mut table = edits.as_table_mut();
    for part in parents {
        let entry = table.entry(part).or_insert_with(|| {
            let mut implicit = toml_edit::Table::new();
            implicit.set_implicit(true);
            Item::Table(implicit)
        });
        table = entry.as_table_mut()?;
    }
    if !table.contains_key(leaf) {
        if source.is_none() {
            return None;
        }
        table.insert(leaf, source.clone());
    }
    table.get_mut(leaf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Surroundings;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Lamp {
        name: String,
        surfaces: Surfaces,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Surfaces {
        surfaces: Vec<Surface>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Surface {
        name: String,
        tilt: f64,
    }

    impl Check for Lamp {
        fn check(&self) -> Result<(), Problem> {
            if self.name.is_empty() {
                return Err(Problem::new("name", "must not be empty"));
            }
            Ok(())
        }
    }

    const DEFAULTS: &str = "name = \"lamp\"\n\n[surfaces]\n# Where it points.\n\
                            [[surfaces.surfaces]]\nname = \"wall\"\ntilt = 0.0\n\
                            [[surfaces.surfaces]]\nname = \"ceiling\"\ntilt = 90.0\n";

    fn places(folder: &std::path::Path) -> Places {
        let defaults = folder.join("etc/lamp.toml");
        std::fs::create_dir_all(defaults.parent().expect("parent")).expect("dir");
        std::fs::write(&defaults, DEFAULTS).expect("write");
        let mut surroundings = Surroundings::default();
        surroundings.set("ATELIER_STATE_DIR", folder.join("state"));
        Places::resolve("lamp", Some(&defaults), &surroundings)
    }

    #[test]
    fn an_edit_goes_to_the_overlay_and_the_defaults_stay_untouched() {
        let folder = tempfile::tempdir().expect("temp dir");
        let places = places(folder.path());
        let lamp: Lamp = places
            .edit(|edits, defaults| {
                let surfaces = copy_from_defaults(edits, defaults, "surfaces.surfaces")
                    .and_then(Item::as_array_of_tables_mut)
                    .ok_or(Problem::new("surfaces.surfaces", "missing"))?;
                surfaces.get_mut(1).expect("ceiling")["tilt"] = toml_edit::value(88.5);
                Ok(())
            })
            .expect("edit");
        assert_eq!(lamp.surfaces.surfaces[1].tilt, 88.5);
        assert_eq!(lamp.surfaces.surfaces[0].name, "wall");
        assert_eq!(
            std::fs::read_to_string(&places.defaults).expect("read"),
            DEFAULTS
        );
        let overlay = std::fs::read_to_string(&places.edits).expect("overlay written");
        assert!(overlay.contains("tilt = 88.5"), "{overlay}");
        assert!(
            overlay.starts_with("# Changes made on this machine"),
            "{overlay}"
        );
        let reread: Lamp = places.load().expect("reads back");
        assert_eq!(reread.surfaces.surfaces[1].tilt, 88.5);

        // A second edit keeps the first.
        let lamp: Lamp = places
            .edit(|edits, _| {
                edits["name"] = toml_edit::value("hall lamp");
                Ok(())
            })
            .expect("edit");
        assert_eq!(
            (lamp.name.as_str(), lamp.surfaces.surfaces[1].tilt),
            ("hall lamp", 88.5)
        );
    }

    #[test]
    fn an_edit_that_breaks_the_config_changes_nothing() {
        let folder = tempfile::tempdir().expect("temp dir");
        let places = places(folder.path());
        let broken = places.edit::<Lamp>(|edits, _| {
            edits["name"] = toml_edit::value("");
            Ok(())
        });
        let message = broken.expect_err("refused").to_string();
        assert!(
            message.contains("key `name`: must not be empty"),
            "{message}"
        );
        assert!(!places.edits.exists());
        let unknown = places.edit::<Lamp>(|edits, _| {
            edits["colour"] = toml_edit::value("red");
            Ok(())
        });
        assert!(
            unknown
                .expect_err("refused")
                .to_string()
                .contains("unknown field `colour`")
        );
        assert!(!places.edits.exists());
    }
}

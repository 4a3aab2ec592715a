//! The companion's changes as edits of the lamp's config overlay (toml_edit, comments kept):
//! pure functions, checked again as a whole config by the shared config writer before anything
//! is written.

use atelier_config::{Problem, copy_from_defaults};
use serde::Deserialize;
use toml_edit::{DocumentMut, Item, Table, value};

use crate::apps::AppSettings;

/// An app for a surface, as the page sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppChoice {
    /// `clock`, `calendar`, `now-playing`, `lamp`, `message`, `info`, `blank`,
    /// `space-porthole`.
    pub app: String,
    /// The app's settings (its table in the config); empty for its defaults.
    #[serde(default)]
    pub settings: toml::Table,
    /// 0, 90, 180 or 270 degrees clockwise.
    #[serde(default)]
    pub rotation: u16,
    /// Flip left to right after turning.
    #[serde(default)]
    pub mirror: bool,
}

/// A surface's or the lamp's name: 1–32 characters, no control characters, not blank.
pub fn check_name(key: &str, name: &str) -> Result<String, Problem> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 32 || trimmed.chars().any(char::is_control) {
        return Err(Problem::new(
            key,
            format!(
                "{name:?} is not accepted: expected 1–32 characters without control characters"
            ),
        ));
    }
    Ok(trimmed.to_owned())
}

fn list<'a>(
    edits: &'a mut DocumentMut,
    defaults: &DocumentMut,
    key: &str,
) -> Result<&'a mut toml_edit::ArrayOfTables, Problem> {
    let not_a_list = || Problem::new(key, "is not an array of tables");
    if copy_from_defaults(edits, defaults, key).is_none() {
        let parts: Vec<&str> = key.split('.').collect();
        let mut table = edits.as_table_mut();
        for part in &parts[..parts.len() - 1] {
            table = table
                .entry(part)
                .or_insert_with(toml_edit::table)
                .as_table_mut()
                .ok_or_else(not_a_list)?;
        }
        table.insert(
            parts[parts.len() - 1],
            Item::ArrayOfTables(Default::default()),
        );
    }
    copy_from_defaults(edits, defaults, key)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(not_a_list)
}

fn named<'a>(
    list: &'a mut toml_edit::ArrayOfTables,
    field: &str,
    name: &str,
) -> Option<&'a mut Table> {
    list.iter_mut()
        .find(|t| t.get(field).and_then(Item::as_str) == Some(name))
}

fn surface_exists(
    edits: &mut DocumentMut,
    defaults: &DocumentMut,
    name: &str,
) -> Result<bool, Problem> {
    Ok(named(list(edits, defaults, "surfaces.surfaces")?, "name", name).is_some())
}

/// Shows `choice` on surface `surface` (replacing what was there).
pub fn set_app(
    edits: &mut DocumentMut,
    defaults: &DocumentMut,
    surface: &str,
    choice: &AppChoice,
) -> Result<(), Problem> {
    if !surface_exists(edits, defaults, surface)? {
        return Err(Problem::new(
            "surface",
            format!("no surface called {surface:?}"),
        ));
    }
    if ![0, 90, 180, 270].contains(&choice.rotation) {
        return Err(Problem::new(
            "rotation",
            format!(
                "{} is not accepted: expected 0, 90, 180 or 270",
                choice.rotation
            ),
        ));
    }
    let settings_text =
        toml::to_string(&choice.settings).map_err(|e| Problem::new("settings", e.to_string()))?;
    AppSettings::parse(&choice.app, &settings_text).map_err(|e| Problem::new("app", e))?;
    let settings: DocumentMut = settings_text
        .parse()
        .map_err(|e: toml_edit::TomlError| Problem::new("settings", e.message().to_owned()))?;
    let mut entry = Table::new();
    entry["surface"] = value(surface);
    entry["rotation"] = value(i64::from(choice.rotation));
    entry["mirror"] = value(choice.mirror);
    let mut app_table = settings.as_table().clone();
    app_table.set_implicit(false);
    entry.insert(&choice.app, Item::Table(app_table));
    let apps = list(edits, defaults, "apps")?;
    let existing = apps
        .iter()
        .position(|t| t.get("surface").and_then(Item::as_str) == Some(surface));
    match existing.and_then(|index| apps.get_mut(index)) {
        Some(existing) => *existing = entry,
        None => apps.push(entry),
    }
    Ok(())
}

/// Renames surface `old` to `new`, with its app.
pub fn rename_surface(
    edits: &mut DocumentMut,
    defaults: &DocumentMut,
    old: &str,
    new: &str,
) -> Result<(), Problem> {
    let new = check_name("name", new)?;
    if old == new {
        return Ok(());
    }
    if surface_exists(edits, defaults, &new)? {
        return Err(Problem::new(
            "name",
            format!("there is already a surface called {new:?}"),
        ));
    }
    let surfaces = list(edits, defaults, "surfaces.surfaces")?;
    let surface = named(surfaces, "name", old)
        .ok_or_else(|| Problem::new("surface", format!("no surface called {old:?}")))?;
    surface["name"] = value(new.as_str());
    let apps = list(edits, defaults, "apps")?;
    if let Some(app) = named(apps, "surface", old) {
        app["surface"] = value(new.as_str());
    }
    Ok(())
}

/// Forgets surface `name` and its app.
pub fn remove_surface(
    edits: &mut DocumentMut,
    defaults: &DocumentMut,
    name: &str,
) -> Result<(), Problem> {
    let surfaces = list(edits, defaults, "surfaces.surfaces")?;
    let index = surfaces
        .iter()
        .position(|t| t.get("name").and_then(Item::as_str) == Some(name))
        .ok_or_else(|| Problem::new("surface", format!("no surface called {name:?}")))?;
    surfaces.remove(index);
    let apps = list(edits, defaults, "apps")?;
    let index = apps
        .iter()
        .position(|t| t.get("surface").and_then(Item::as_str) == Some(name));
    if let Some(index) = index {
        apps.remove(index);
    }
    Ok(())
}

/// Renames the lamp.
pub fn rename_lamp(edits: &mut DocumentMut, name: &str) -> Result<(), Problem> {
    let name = check_name("name", name)?;
    let lamp = edits
        .entry("lamp")
        .or_insert_with(toml_edit::table)
        .as_table_mut()
        .ok_or_else(|| Problem::new("lamp", "is not a table"))?;
    lamp["name"] = value(name);
    Ok(())
}

/// Where the lamp is, as the page sends it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Degrees north.
    pub latitude: f64,
    /// Degrees east.
    pub longitude: f64,
    /// IANA name or offset.
    pub timezone: String,
}

/// Moves the lamp (the sky, clocks and calendars follow).
pub fn set_location(edits: &mut DocumentMut, place: &Place) -> Result<(), Problem> {
    place
        .timezone
        .parse::<crate::apps::Zone>()
        .map_err(|e| Problem::new("timezone", e))?;
    let location = edits
        .entry("location")
        .or_insert_with(toml_edit::table)
        .as_table_mut()
        .ok_or_else(|| Problem::new("location", "is not a table"))?;
    location["latitude"] = value(place.latitude);
    location["longitude"] = value(place.longitude);
    location["timezone"] = value(place.timezone.as_str());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> DocumentMut {
        std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../hardware/lantern.toml"
        ))
        .expect("shipped")
        .parse()
        .expect("toml")
    }

    fn merged(edits: &DocumentMut, defaults: &DocumentMut) -> crate::config::LanternConfig {
        let mut merged: toml::Table = toml::from_str(&defaults.to_string()).expect("toml");
        let overlay: toml::Table = toml::from_str(&edits.to_string()).expect("toml");
        for (key, value) in overlay {
            match (merged.get_mut(&key), value) {
                (Some(toml::Value::Table(base)), toml::Value::Table(over)) => {
                    for (k, v) in over {
                        base.insert(k, v);
                    }
                }
                (_, value) => {
                    merged.insert(key, value);
                }
            }
        }
        atelier_config::parse_checked(
            &toml::to_string(&merged).expect("toml"),
            std::path::Path::new("merged.toml"),
        )
        .expect("a valid config")
    }

    fn choice(app: &str, settings: &str) -> AppChoice {
        AppChoice {
            app: app.into(),
            settings: toml::from_str(settings).expect("toml"),
            rotation: 0,
            mirror: false,
        }
    }

    #[test]
    fn an_app_replaces_the_surface_s_app_and_keeps_the_rest() {
        let defaults = shipped();
        let mut edits = DocumentMut::new();
        set_app(
            &mut edits,
            &defaults,
            "ceiling",
            &choice("clock", "style = \"digital\""),
        )
        .expect("ok");
        let config = merged(&edits, &defaults);
        let ceiling = config
            .apps
            .iter()
            .find(|a| a.surface == "ceiling")
            .expect("app");
        assert_eq!(ceiling.settings().name(), "clock");
        assert_eq!(config.apps.len(), 3, "the other surfaces keep theirs");
        // The overlay copied the defaults' list with its comments.
        assert!(
            edits.to_string().contains("# Compass azimuth")
                || edits.to_string().contains("[[apps]]")
        );
    }

    #[test]
    fn bad_apps_settings_and_surfaces_are_refused_naming_what_is_wrong() {
        let defaults = shipped();
        let mut edits = DocumentMut::new();
        let unknown =
            set_app(&mut edits, &defaults, "wall", &choice("weather", "")).expect_err("no app");
        assert!(
            unknown.message.contains("clock, calendar"),
            "{}",
            unknown.message
        );
        let typo = set_app(
            &mut edits,
            &defaults,
            "wall",
            &choice("clock", "stlye = \"digital\""),
        )
        .expect_err("typo");
        assert!(typo.message.contains("stlye"), "{}", typo.message);
        let nowhere =
            set_app(&mut edits, &defaults, "floor", &choice("clock", "")).expect_err("no surface");
        assert!(nowhere.message.contains("floor"));
        let mut turned = choice("clock", "");
        turned.rotation = 45;
        assert!(set_app(&mut edits, &defaults, "wall", &turned).is_err());
        assert!(check_name("name", "").is_err());
        assert!(check_name("name", &"x".repeat(33)).is_err());
        assert!(check_name("name", "a\nb").is_err());
    }

    #[test]
    fn surfaces_are_renamed_with_their_app_and_removed_with_it() {
        let defaults = shipped();
        let mut edits = DocumentMut::new();
        rename_surface(&mut edits, &defaults, "wall", "desk wall").expect("ok");
        let config = merged(&edits, &defaults);
        assert!(
            config
                .surfaces
                .surfaces
                .iter()
                .any(|s| s.name == "desk wall")
        );
        assert!(config.apps.iter().any(|a| a.surface == "desk wall"));
        assert!(rename_surface(&mut edits, &defaults, "table", "ceiling").is_err());
        remove_surface(&mut edits, &defaults, "desk wall").expect("ok");
        let config = merged(&edits, &defaults);
        assert_eq!(config.surfaces.surfaces.len(), 2);
        assert!(config.apps.iter().all(|a| a.surface != "desk wall"));
        assert!(remove_surface(&mut edits, &defaults, "desk wall").is_err());
    }

    #[test]
    fn the_lamp_is_renamed_and_moved() {
        let defaults = shipped();
        let mut edits = DocumentMut::new();
        rename_lamp(&mut edits, "Porch lamp").expect("ok");
        set_location(
            &mut edits,
            &Place {
                latitude: 48.85,
                longitude: 2.35,
                timezone: "Europe/Paris".into(),
            },
        )
        .expect("ok");
        let config = merged(&edits, &defaults);
        assert_eq!(config.lamp.name, "Porch lamp");
        assert_eq!(config.location.latitude, 48.85);
        let bad = Place {
            latitude: 0.0,
            longitude: 0.0,
            timezone: "Mars/Olympus".into(),
        };
        assert!(set_location(&mut edits, &bad).is_err());
    }
}

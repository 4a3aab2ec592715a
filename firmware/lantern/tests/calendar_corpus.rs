//! The calendar corpus (`tests/calendars`): real-world-shaped calendars, one per family of what
//! real feeds do. The lamp's day (`ics::parse` and `CalendarData::occurrences`, the path the
//! calendar app draws from) is checked against what RFC 5545 says, written down by hand in
//! `corpus.toml`, and against an independent implementation, recurring-ical-events over
//! icalendar (`oracle.py`), on every listed day. The agreement figure is printed; every
//! disagreement must be listed in `corpus.toml` with its reason.
//!
//! The oracle runs in the Python environment tests/run.sh prepares (`target/calendar-oracle`,
//! from `tests/calendars/requirements.txt`), or the interpreter `ATELIER_CALENDAR_ORACLE`
//! names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, NaiveDate, Utc};
use lantern::apps::Zone;
use lantern::apps::calendar::ics;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    calendar: Vec<Calendar>,
    #[serde(default)]
    difference: Vec<Difference>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Calendar {
    file: String,
    family: String,
    zone: String,
    /// Day (YYYY-MM-DD) → what the lamp shows.
    days: BTreeMap<String, Vec<String>>,
}

impl Calendar {
    fn days(&self) -> impl Iterator<Item = (NaiveDate, &Vec<String>)> {
        self.days.iter().map(|(day, shown)| {
            let date = day
                .parse()
                .unwrap_or_else(|e| panic!("{}: day {day:?}: {e}", self.file));
            (date, shown)
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Difference {
    file: String,
    day: String,
    reason: String,
}

/// One occurrence as both implementations report it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Shown {
    title: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    all_day: bool,
}

/// One occurrence in the oracle's JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OracleEvent {
    title: String,
    start: String,
    end: String,
    all_day: bool,
}

impl From<OracleEvent> for Shown {
    fn from(event: OracleEvent) -> Shown {
        let instant = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .unwrap_or_else(|e| panic!("the oracle's time {text:?}: {e}"))
                .with_timezone(&Utc)
        };
        Shown {
            start: instant(&event.start),
            end: instant(&event.end),
            title: event.title,
            all_day: event.all_day,
        }
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/calendars")
}

fn corpus() -> Corpus {
    let path = corpus_dir().join("corpus.toml");
    let text = std::fs::read_to_string(&path).expect("corpus.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn zone(calendar: &Calendar) -> Zone {
    calendar
        .zone
        .parse()
        .unwrap_or_else(|e| panic!("{}: zone {:?}: {e}", calendar.file, calendar.zone))
}

/// What the lamp shows on `day`.
fn lamp_day(data: &ics::CalendarData, day: NaiveDate, zone: Zone) -> Vec<Shown> {
    data.occurrences(day, zone)
        .into_iter()
        .map(|o| Shown {
            title: o.title,
            start: o.start,
            end: o.end,
            all_day: o.all_day,
        })
        .collect()
}

fn lamp_calendar(calendar: &Calendar) -> ics::CalendarData {
    let bytes = std::fs::read(corpus_dir().join(&calendar.file)).expect("corpus file");
    let text = String::from_utf8(bytes).expect("UTF-8");
    ics::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", calendar.file))
}

/// "HH:MM-HH:MM title" in the lamp's zone, or "all-day title".
fn as_written(shown: &[Shown], zone: Zone) -> Vec<String> {
    shown
        .iter()
        .map(|s| {
            if s.all_day {
                format!("all-day {}", s.title)
            } else {
                format!(
                    "{}-{} {}",
                    zone.local(s.start).format("%H:%M"),
                    zone.local(s.end).format("%H:%M"),
                    s.title
                )
            }
        })
        .collect()
}

#[test]
fn the_lamp_shows_what_the_standard_says_on_every_corpus_day() {
    let corpus = corpus();
    let mut wrong = Vec::new();
    let mut days = 0;
    for calendar in &corpus.calendar {
        let data = lamp_calendar(calendar);
        assert!(
            data.skipped.is_empty(),
            "{}: skipped {:?}",
            calendar.file,
            data.skipped
        );
        for (day, expected) in calendar.days() {
            days += 1;
            let shown = as_written(&lamp_day(&data, day, zone(calendar)), zone(calendar));
            if &shown != expected {
                wrong.push(format!(
                    "{} {day} ({}): expected {expected:?}, the lamp shows {shown:?}",
                    calendar.file, calendar.family
                ));
            }
        }
    }
    assert!(days >= 30, "the corpus lists {days} days");
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// The Python interpreter with recurring-ical-events installed.
fn oracle_python() -> PathBuf {
    if let Some(path) = std::env::var_os("ATELIER_CALENDAR_ORACLE") {
        return PathBuf::from(path);
    }
    let prepared =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/calendar-oracle/bin/python");
    assert!(
        prepared.exists(),
        "the calendar oracle is not installed: run `bash tests/run.sh` (it prepares \
         target/calendar-oracle), or install firmware/lantern/tests/calendars/requirements.txt \
         into a Python environment and set ATELIER_CALENDAR_ORACLE to its python"
    );
    prepared
}

fn oracle_days(python: &Path, calendar: &Calendar) -> BTreeMap<NaiveDate, Vec<Shown>> {
    let output = Command::new(python)
        .arg(corpus_dir().join("oracle.py"))
        .arg(corpus_dir().join(&calendar.file))
        .arg(&calendar.zone)
        .args(calendar.days.keys())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the oracle {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "the oracle failed on {}: {}",
        calendar.file,
        String::from_utf8_lossy(&output.stderr)
    );
    let days: BTreeMap<String, Vec<OracleEvent>> = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| {
            panic!(
                "the oracle's answer for {} is not the expected JSON: {e}\n{}",
                calendar.file,
                String::from_utf8_lossy(&output.stdout)
            )
        });
    days.into_iter()
        .map(|(day, events)| {
            let day = day.parse().expect("the oracle's day");
            (day, events.into_iter().map(Shown::from).collect())
        })
        .collect()
}

#[test]
fn the_lamp_agrees_with_recurring_ical_events_except_where_listed() {
    let corpus = corpus();
    let python = oracle_python();
    let listed: BTreeMap<(String, String), &Difference> = corpus
        .difference
        .iter()
        .map(|d| ((d.file.clone(), d.day.clone()), d))
        .collect();
    for difference in &corpus.difference {
        assert!(
            difference.reason.len() > 20,
            "{} {}: say why",
            difference.file,
            difference.day
        );
    }
    let (mut agree, mut total) = (0, 0);
    let mut unlisted = Vec::new();
    let mut stale = Vec::new();
    for calendar in &corpus.calendar {
        let data = lamp_calendar(calendar);
        let oracle = oracle_days(&python, calendar);
        let zone = zone(calendar);
        for (day, _) in calendar.days() {
            total += 1;
            let lamp = lamp_day(&data, day, zone);
            let peer = oracle.get(&day).cloned().unwrap_or_default();
            let key = (calendar.file.clone(), day.to_string());
            match (lamp == peer, listed.contains_key(&key)) {
                (true, false) => agree += 1,
                (true, true) => stale.push(format!(
                    "{} {day}: listed as a difference, but both now show {:?}",
                    calendar.file,
                    as_written(&lamp, zone)
                )),
                (false, true) => {}
                (false, false) => unlisted.push(format!(
                    "{} {day}: the lamp shows {:?}, recurring-ical-events {:?}",
                    calendar.file,
                    as_written(&lamp, zone),
                    as_written(&peer, zone)
                )),
            }
        }
    }
    for key in listed.keys() {
        let known = corpus
            .calendar
            .iter()
            .any(|c| c.file == key.0 && c.days.contains_key(&key.1));
        assert!(known, "difference {} {} is no corpus day", key.0, key.1);
    }
    println!(
        "calendar corpus: the lamp and recurring-ical-events agree on {agree} of {total} \
         calendar-days ({:.0} %); {} differences listed with their reasons",
        100.0 * agree as f64 / total as f64,
        listed.len()
    );
    assert!(unlisted.is_empty(), "\n{}", unlisted.join("\n"));
    assert!(stale.is_empty(), "\n{}", stale.join("\n"));
    assert_eq!(agree + listed.len(), total);
}

//! ICS (RFC 5545) to the occurrences of one day: parsing with `icalendar`'s zero-copy parser,
//! recurrence with `rrule` (both pure Rust; `rrule` brings `chrono-tz` for TZID).
//!
//! # Times, and which zone is used
//! - `…Z` times are UTC; `TZID=Europe/Paris` times are expanded in that zone, so a weekly 9:00
//!   stays at 9:00 local across daylight-saving changes.
//! - Floating times (no zone) belong to the calendar's `X-WR-TIMEZONE` when it names a zone
//!   (Google's and Apple's exports), else to wherever the lamp is: they are expanded as plain
//!   wall times and placed in the lamp's zone. All-day dates are the lamp's days.
//! - A TZID is looked up as an IANA name (the database knows a zone's whole history, where a
//!   file's copy often holds only this year's rule), then as the name of one of the file's own
//!   VTIMEZONEs (custom and non-ASCII names, Outlook's, Exchange's; see [`super::vtimezone`]),
//!   then as a Windows zone name ("W. Europe Standard Time" is Europe/Berlin, as CLDR maps it),
//!   then as the IANA name at the end of a vendor's path
//!   (`/mozilla.org/20070129_1/America/New_York`); see [`super::tzid`]. One none of these know
//!   is treated as floating, and says so.
//! - Each occurrence says which of these it used ([`Occurrence::zone_rule`]).
//!
//! # What is understood
//! VEVENT with DTSTART, DTEND or DURATION, SUMMARY, RRULE (any FREQ, INTERVAL, COUNT, UNTIL,
//! BYDAY…, via `rrule`; several RRULEs are their union, an empty one is none), RDATE (dates,
//! date-times, and periods with their own length; events with RDATE and no RRULE), EXDATE,
//! RECURRENCE-ID (a moved, changed or cancelled instance replaces the one it names; with
//! `RANGE=THISANDFUTURE` it moves and changes every later instance too), STATUS:CANCELLED,
//! VTIMEZONE (see [`super::vtimezone`]), and versions of one event (the highest SEQUENCE wins,
//! then the latest DTSTAMP). Leniency where the meaning is clear: a byte-order mark, line feeds
//! alone, `DTSTART:20190101` without `VALUE=DATE`, an end before the start (no length).
//!
//! A file that does not parse, or is not a VCALENDAR, is an error; a single event that cannot
//! be understood is skipped and named in [`CalendarData::skipped`], so one odd entry does not
//! blank the whole calendar. Work is bounded: files to 16 MiB and 20 000 events, durations to a
//! century, rules fast-forwarded to the day asked for, 48 occurrences per event and 200 per
//! day.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use icalendar::parser::{Component, Property, read_calendar};

use super::tzid::Resolved;
use super::vtimezone::FileZone;
use crate::apps::Zone;

/// Why a calendar could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IcsError {
    /// The text is not iCalendar syntax.
    #[error("not valid iCalendar: {0}")]
    Syntax(String),
    /// It parses, but holds no VCALENDAR.
    #[error("no BEGIN:VCALENDAR … END:VCALENDAR in the file")]
    NotACalendar,
}

/// When an event starts, as written.
#[derive(Clone, Debug, PartialEq)]
enum Start {
    /// `VALUE=DATE`: all day, wherever the lamp is.
    Date(NaiveDate),
    /// `…Z`.
    Utc(NaiveDateTime),
    /// `TZID=…` with a zone the database or the file defines.
    Zoned(NaiveDateTime, EventZone),
    /// No zone: the lamp's wall time.
    Floating(NaiveDateTime),
}

impl Start {
    fn wall(&self) -> NaiveDateTime {
        match self {
            Start::Date(d) => d.and_time(NaiveTime::MIN),
            Start::Utc(t) | Start::Zoned(t, _) | Start::Floating(t) => *t,
        }
    }

    /// The instant, placing floating times and dates in `zone`.
    fn instant(&self, zone: Zone) -> DateTime<Utc> {
        match self {
            Start::Utc(t) => t.and_utc(),
            Start::Zoned(t, tz) => tz.to_utc(*t),
            Start::Date(_) | Start::Floating(_) => zone.to_utc(self.wall()),
        }
    }
}

/// A zone an event's times are written in.
#[derive(Clone, Debug, PartialEq)]
enum EventZone {
    /// From the IANA database.
    Iana(chrono_tz::Tz),
    /// Defined by the file's own VTIMEZONE.
    File(Arc<FileZone>),
}

impl EventZone {
    fn to_utc(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        match self {
            EventZone::Iana(tz) => Zone::Named(*tz).to_utc(wall),
            EventZone::File(zone) => zone.to_utc(wall),
        }
    }

    fn local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        match self {
            EventZone::Iana(tz) => instant.with_timezone(tz).naive_local(),
            EventZone::File(zone) => zone.local(instant),
        }
    }
}

/// How a TZID became a zone, for people checking a feed.
#[derive(Clone, Debug, PartialEq)]
enum Found {
    /// An IANA name as written: the database, which knows a zone's whole history (a file's
    /// copy of an IANA zone is often cut down to this year's rule).
    Iana,
    /// The file's own VTIMEZONE of that name.
    File,
    /// A Windows name (Outlook, Exchange) mapped as CLDR maps it.
    Windows,
    /// The IANA name at the end of a vendor's path.
    VendorPath,
}

/// The zones a calendar's TZIDs can name: its VTIMEZONEs, and the calendar's own zone for
/// floating times.
#[derive(Clone, Debug, Default)]
struct Zones {
    /// X-WR-TIMEZONE.
    calendar: Option<EventZone>,
    file: HashMap<String, Arc<FileZone>>,
    /// Each TZID already resolved: an export names the same few zones thousands of times.
    resolved: std::cell::RefCell<HashMap<String, Option<(EventZone, Found)>>>,
}

impl Zones {
    /// The zone `tzid` names: the IANA name as written, else the file's VTIMEZONE of that
    /// name, else a Windows name, else the IANA name ending a vendor's path.
    fn resolve(&self, tzid: &str) -> Option<(EventZone, Found)> {
        if let Some(known) = self.resolved.borrow().get(tzid) {
            return known.clone();
        }
        let found = self.look_up(tzid);
        self.resolved
            .borrow_mut()
            .insert(tzid.to_owned(), found.clone());
        found
    }

    fn look_up(&self, tzid: &str) -> Option<(EventZone, Found)> {
        let tzid = tzid.trim().trim_matches('"');
        let resolved = super::tzid::resolve(tzid);
        if let Some(Resolved::Iana(tz)) = resolved {
            return Some((EventZone::Iana(tz), Found::Iana));
        }
        if let Some(zone) = self.file.get(tzid) {
            return Some((EventZone::File(Arc::clone(zone)), Found::File));
        }
        match resolved? {
            Resolved::Iana(tz) => Some((EventZone::Iana(tz), Found::Iana)),
            Resolved::Windows(tz) => Some((EventZone::Iana(tz), Found::Windows)),
            Resolved::VendorPath(tz) => Some((EventZone::Iana(tz), Found::VendorPath)),
        }
    }
}

/// One event as the file describes it (a recurring one stands for many occurrences).
#[derive(Clone, Debug)]
struct EventSpec {
    uid: Option<String>,
    title: String,
    start: Start,
    duration: Duration,
    /// RRULEs as written (usually one).
    rrules: Vec<String>,
    /// RDATEs, each with its own length when given as a period.
    rdates: Vec<(Start, Option<Duration>)>,
    exdates: Vec<Start>,
    recurrence_id: Option<Start>,
    /// `RANGE=THISANDFUTURE`: the change applies to every later instance as well.
    this_and_future: bool,
    /// A cancelled instance: it removes the one it replaces and shows nothing.
    cancelled: bool,
    /// SEQUENCE: which version of the event this is.
    sequence: i64,
    /// DTSTAMP, to tell versions of one SEQUENCE apart.
    stamp: Option<NaiveDateTime>,
    /// How DTSTART's zone was found, when it took more than reading it.
    zone_note: Option<String>,
}

/// The most occurrences kept for one day: more than a dial can show, few enough to draw.
pub const MAX_PER_DAY: usize = 200;

/// The most occurrences one event contributes to a day (every half hour).
pub const MAX_PER_EVENT: usize = 48;

/// The most events read from one file; the rest are skipped (and logged).
pub const MAX_EVENTS: usize = 20_000;

/// The largest calendar read, bytes (a URL's body is bounded the same).
pub const MAX_BYTES: u64 = 16 * 1024 * 1024;

/// A parsed calendar.
#[derive(Clone, Debug, Default)]
pub struct CalendarData {
    events: Vec<EventSpec>,
    /// Events left out, with why (for the log).
    pub skipped: Vec<String>,
    /// Each way a zone was found that took more than reading it (for the log).
    pub zone_notes: Vec<String>,
}

/// One occurrence of an event on the day asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// SUMMARY.
    pub title: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End (equal to start for an event without length).
    pub end: DateTime<Utc>,
    /// A date-only event.
    pub all_day: bool,
    /// Where its times come from: `UTC`, `TZID Europe/Paris`, floating or all-day.
    pub zone_rule: String,
}

/// Parses ICS text.
pub fn parse(text: &str) -> Result<CalendarData, IcsError> {
    // Outlook's exports begin with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let unfolded = essentials(text);
    if !unfolded.trim_start().starts_with("BEGIN:VCALENDAR") {
        return Err(IcsError::NotACalendar);
    }
    let calendar = read_calendar(&unfolded).map_err(|e| {
        IcsError::Syntax(
            e.lines()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ")
                .trim()
                .to_owned(),
        )
    })?;
    let mut data = CalendarData::default();
    let mut zones = Zones::default();
    for component in calendar.components.iter().filter(|c| c.name == "VTIMEZONE") {
        match FileZone::parse(component) {
            Ok(zone) => {
                zones.file.insert(zone.name.clone(), Arc::new(zone));
            }
            // Its events fall back to the other ways of reading their TZID.
            Err(reason) => data.zone_notes.push(reason),
        }
    }
    // Google's and Apple's exports name the zone of the calendar's floating times here.
    zones.calendar = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE"))
        .and_then(|p| zones.resolve(p.val.as_str()))
        .map(|(zone, _)| zone);
    let events = calendar.components.iter().filter(|c| c.name == "VEVENT");
    let total = events.clone().count();
    if total > MAX_EVENTS {
        data.skipped.push(format!(
            "{} events past the first {MAX_EVENTS} (a calendar that large is not a person's day)",
            total - MAX_EVENTS
        ));
    }
    for component in events.take(MAX_EVENTS) {
        match event(component, &zones) {
            Ok(Some(spec)) => data.events.push(spec),
            Ok(None) => {}
            Err(reason) => {
                let summary = prop(component, "SUMMARY").map_or("(untitled)".into(), text_value);
                data.skipped.push(format!("event {summary:?}: {reason}"));
            }
        }
    }
    data.events = latest_versions(std::mem::take(&mut data.events));
    let mut notes: Vec<String> = std::mem::take(&mut data.zone_notes);
    notes.extend(data.events.iter().filter_map(|e| e.zone_note.clone()));
    notes.sort();
    notes.dedup();
    data.zone_notes = notes;
    Ok(data)
}

/// The properties the lamp reads, case-insensitively; with BEGIN and END, the only lines the
/// parser is given.
const READ: &[&str] = &[
    "BEGIN",
    "END",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "STATUS",
    "UID",
    "SEQUENCE",
    "DTSTAMP",
    "TZID",
    "TZOFFSETFROM",
    "TZOFFSETTO",
    "X-WR-TIMEZONE",
];

/// `text` unfolded (RFC 5545 §3.1: a line starting with a space or tab continues the one
/// before), keeping only the lines the lamp reads. Descriptions, HTML bodies and attendee lists
/// are most of an Exchange export's bytes and none of its day: parsing them took most of the
/// time and memory. A line that is not a property at all is kept, so the parser still says
/// what is wrong with it.
fn essentials(text: &str) -> String {
    let mut kept = String::with_capacity(text.len() / 4);
    let mut keeping = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(continued) = line.strip_prefix([' ', '\t']) {
            if keeping {
                kept.push_str(continued);
            }
            continue;
        }
        if keeping {
            kept.push_str("\r\n");
        }
        keeping = match line.find([';', ':']) {
            Some(end) => READ
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&line[..end])),
            None => !line.is_empty(),
        };
        if keeping {
            kept.push_str(line);
        }
    }
    if keeping {
        kept.push_str("\r\n");
    }
    kept
}

/// Several copies of one event (one UID, one RECURRENCE-ID) are versions of it: the highest
/// SEQUENCE wins, then the latest DTSTAMP, then the last in the file (RFC 5545 §3.8.7.4).
fn latest_versions(events: Vec<EventSpec>) -> Vec<EventSpec> {
    let mut kept: Vec<EventSpec> = Vec::with_capacity(events.len());
    let mut index: std::collections::HashMap<(String, Option<NaiveDateTime>), usize> =
        std::collections::HashMap::new();
    for event in events {
        let Some(uid) = event.uid.clone() else {
            kept.push(event);
            continue;
        };
        let key = (uid, event.recurrence_id.as_ref().map(Start::wall));
        match index.get(&key) {
            Some(&at) if (kept[at].sequence, kept[at].stamp) > (event.sequence, event.stamp) => {}
            Some(&at) => kept[at] = event,
            None => {
                index.insert(key, kept.len());
                kept.push(event);
            }
        }
    }
    kept
}

fn prop<'a>(component: &'a Component<'a>, name: &str) -> Option<&'a Property<'a>> {
    component.properties.iter().find(|p| p.name == name)
}

fn param<'a>(property: &'a Property<'a>, key: &str) -> Option<&'a str> {
    property
        .params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().trim_matches('"'))
}

fn text_value(property: &Property<'_>) -> String {
    property
        .val
        .as_str()
        .replace("\\n", " ")
        .replace("\\N", " ")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
}

fn event(component: &Component<'_>, zones: &Zones) -> Result<Option<EventSpec>, String> {
    let cancelled =
        prop(component, "STATUS").is_some_and(|s| s.val.as_str().eq_ignore_ascii_case("CANCELLED"));
    let recurrence = prop(component, "RECURRENCE-ID");
    let recurrence_id = match recurrence {
        Some(p) => moments(p, zones)?.into_iter().next(),
        None => None,
    };
    let this_and_future = recurrence
        .and_then(|p| param(p, "RANGE"))
        .is_some_and(|range| range.eq_ignore_ascii_case("THISANDFUTURE"));
    // A cancelled event is gone; a cancelled instance still replaces (removes) its original.
    if cancelled && recurrence_id.is_none() {
        return Ok(None);
    }
    let dtstart = prop(component, "DTSTART").ok_or("no DTSTART")?;
    let zone_note = zone_note(dtstart, zones);
    let start = moments(dtstart, zones)?
        .into_iter()
        .next()
        .ok_or("empty DTSTART")?;
    let duration = if let Some(end) = prop(component, "DTEND") {
        let end = moments(end, zones)?
            .into_iter()
            .next()
            .ok_or("empty DTEND")?;
        // Both ends in the same frame of reference; an end before the start counts as none.
        (end.wall() - start.wall()).clamp(Duration::zero(), longest_event())
    } else if let Some(duration) = prop(component, "DURATION") {
        parse_duration(duration.val.as_str()).ok_or_else(|| {
            format!(
                "DURATION {:?} is not an ISO 8601 duration of at most a century",
                duration.val.as_str()
            )
        })?
    } else if matches!(start, Start::Date(_)) {
        Duration::days(1)
    } else {
        Duration::zero()
    };
    let every = |name: &'static str| component.properties.iter().filter(move |p| p.name == name);
    let mut exdates = Vec::new();
    for p in every("EXDATE") {
        exdates.extend(moments(p, zones)?);
    }
    let mut rdates = Vec::new();
    for p in every("RDATE") {
        rdates.extend(periods(p, zones)?);
    }
    Ok(Some(EventSpec {
        uid: prop(component, "UID").map(|p| p.val.as_str().to_owned()),
        title: prop(component, "SUMMARY").map_or_else(|| "(untitled)".into(), text_value),
        start,
        duration,
        // More than one RRULE (RFC 2445 allowed it) is their union; an empty one is none.
        rrules: every("RRULE")
            .map(|p| p.val.as_str().trim().to_owned())
            .filter(|rule| !rule.is_empty())
            .collect(),
        rdates,
        exdates,
        recurrence_id,
        this_and_future,
        cancelled,
        sequence: prop(component, "SEQUENCE")
            .and_then(|p| p.val.as_str().trim().parse().ok())
            .unwrap_or(0),
        stamp: prop(component, "DTSTAMP")
            .and_then(|p| moments(p, &Zones::default()).ok())
            .and_then(|m| m.into_iter().next())
            .map(|m| m.wall()),
        zone_note,
    }))
}

/// How DTSTART's zone is found, when it takes more than reading an IANA name or `Z`.
fn zone_note(dtstart: &Property<'_>, zones: &Zones) -> Option<String> {
    let floating =
        !dtstart.val.as_str().trim().ends_with('Z') && dtstart.val.as_str().trim().len() > 8;
    match param(dtstart, "TZID") {
        Some(raw) => match zones.resolve(raw) {
            Some((_, Found::Iana)) => None,
            Some((zone, Found::VendorPath)) => {
                Some(format!("TZID {raw} → {} (vendor path)", zone_name(&zone)))
            }
            Some((zone, Found::Windows)) => {
                Some(format!("TZID {raw} → {} (Windows name)", zone_name(&zone)))
            }
            Some((_, Found::File)) => Some(format!("TZID {raw} → the file's VTIMEZONE")),
            None => Some(format!("TZID {raw} unknown: floating, the lamp's zone")),
        },
        None if floating => zones
            .calendar
            .as_ref()
            .map(|zone| format!("X-WR-TIMEZONE {}", zone_name(zone))),
        None => None,
    }
}

fn zone_name(zone: &EventZone) -> String {
    match zone {
        EventZone::Iana(tz) => tz.name().to_owned(),
        EventZone::File(zone) => format!("{} (the file's VTIMEZONE)", zone.name),
    }
}

/// One date or date-time value of property `name`: `zone` is its TZID, read with `zones` (which
/// also hold the calendar's X-WR-TIMEZONE, for floating times).
fn moment(
    value: &str,
    name: &str,
    zone: Option<&str>,
    date_only: bool,
    zones: &Zones,
) -> Result<Start, String> {
    let value = value.trim();
    if date_only || value.len() == 8 {
        return basic_date(value)
            .map(Start::Date)
            .ok_or_else(|| format!("{name}:{value} is not a date"));
    }
    let (wall, utc) = match value.strip_suffix('Z') {
        Some(v) => (v, true),
        None => (value, false),
    };
    let time = basic_date_time(wall).ok_or_else(|| format!("{name}:{value} is not a date-time"))?;
    Ok(if utc {
        Start::Utc(time)
    } else if let Some((tz, _)) = zone.and_then(|tzid| zones.resolve(tzid)) {
        Start::Zoned(time, tz)
    } else if let Some(tz) = zones.calendar.as_ref().filter(|_| zone.is_none()) {
        Start::Zoned(time, tz.clone())
    } else {
        Start::Floating(time)
    })
}

/// `20240314`: iCalendar's date form (RFC 5545 §3.3.4). By hand, because chrono's
/// `parse_from_str` reads its format string anew on every call, a fifth of a large calendar's
/// parse.
fn basic_date(text: &str) -> Option<NaiveDate> {
    let digits = text.as_bytes();
    if digits.len() != 8 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<u32>().ok();
    NaiveDate::from_ymd_opt(number(0..4)? as i32, number(4..6)?, number(6..8)?)
}

/// `20240314T093000`: iCalendar's local date-time form (§3.3.5), without the `Z`.
fn basic_date_time(text: &str) -> Option<NaiveDateTime> {
    let (date, time) = text.split_once('T')?;
    let digits = time.as_bytes();
    if digits.len() != 6 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number = |range: std::ops::Range<usize>| time.get(range)?.parse::<u32>().ok();
    basic_date(date)?.and_hms_opt(number(0..2)?, number(2..4)?, number(4..6)?)
}

/// The date or date-times of a property (EXDATE and RDATE may list several, comma-separated).
fn moments(property: &Property<'_>, zones: &Zones) -> Result<Vec<Start>, String> {
    let zone = param(property, "TZID");
    let date_only = param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    property
        .val
        .as_str()
        .split(',')
        .map(|value| moment(value, property.name.as_str(), zone, date_only, zones))
        .collect()
}

/// RDATE's values: dates, date-times, or periods (`start/end` or `start/duration`), each
/// period an instance with its own length.
fn periods(
    property: &Property<'_>,
    zones: &Zones,
) -> Result<Vec<(Start, Option<Duration>)>, String> {
    let zone = param(property, "TZID");
    let date_only = param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let name = property.name.as_str();
    property
        .val
        .as_str()
        .split(',')
        .map(|value| match value.split_once('/') {
            None => Ok((moment(value, name, zone, date_only, zones)?, None)),
            Some((start, end)) => {
                let start = moment(start, name, zone, false, zones)?;
                let end = end.trim();
                let length =
                    if end.starts_with('P') || end.starts_with("-P") || end.starts_with("+P") {
                        parse_duration(end)
                            .ok_or_else(|| format!("{name}:{value}: {end:?} is not a duration"))?
                    } else {
                        let end = moment(end, name, zone, false, zones)?;
                        end.wall() - start.wall()
                    };
                Ok((start, Some(length.clamp(Duration::zero(), longest_event()))))
            }
        })
        .collect()
}

/// ISO 8601 durations as iCalendar writes them: `P1D`, `PT1H30M`, `P2W`, `-PT15M`.
fn parse_duration(text: &str) -> Option<Duration> {
    let (sign, rest) = match text.trim().strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, text.trim().trim_start_matches('+')),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                // Checked all the way: `P99999999999999W` is text, not a reason to panic.
                let n: i64 = number.parse().ok()?;
                number.clear();
                let part = match (unit, in_time) {
                    ('W', false) => Duration::try_weeks(n),
                    ('D', false) => Duration::try_days(n),
                    ('H', true) => Duration::try_hours(n),
                    ('M', true) => Duration::try_minutes(n),
                    ('S', true) => Duration::try_seconds(n),
                    _ => None,
                }?;
                total = total.checked_add(&part)?;
            }
        }
    }
    let total = if sign < 0 { -total } else { total };
    (number.is_empty() && total.abs() <= longest_event()).then_some(total)
}

/// The longest event understood: a century. Longer is not a meeting, and bounding it keeps
/// every date sum inside chrono's range.
fn longest_event() -> Duration {
    Duration::days(36_525)
}

/// Candidate instances a COUNT rule may step through before the window: beyond, the rule is
/// refused (a rule counting seconds since 1900 would otherwise take hours to reach today).
const MAX_STEPS_BEFORE_WINDOW: i64 = 100_000;

/// Moves a rule's first instance forward by whole periods to just before `from`, so a rule that
/// began decades ago costs what one that began yesterday does. Rules stepping by seconds to
/// weeks repeat exactly with their period (INTERVAL × unit), so any whole number of periods
/// keeps every instance and every BY… part. A COUNT rule counts from its real start, so it is
/// not moved: refused instead when it would step too far to reach the window. `None` when
/// UNTIL ends the rule before the window; `until_in_frame` turns the (UTC) UNTIL into the
/// expansion frame.
fn fast_forward(
    first: NaiveDateTime,
    rule: &str,
    from: NaiveDateTime,
    until_in_frame: impl Fn(Start) -> NaiveDateTime,
) -> Result<Option<NaiveDateTime>, String> {
    let mut freq = None;
    let mut interval: i64 = 1;
    let mut counted = false;
    for part in rule.split(';') {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(value.trim().to_ascii_uppercase()),
            "INTERVAL" => interval = value.trim().parse().unwrap_or(1).max(1),
            "COUNT" => counted = true,
            "UNTIL" => {
                let until = value.trim().strip_suffix('Z').and_then(basic_date_time);
                if let Some(until) = until
                    && until_in_frame(Start::Utc(until)) < from
                {
                    return Ok(None);
                }
            }
            _ => {}
        }
    }
    let unit_seconds: i64 = match freq.as_deref() {
        Some("SECONDLY") => 1,
        Some("MINUTELY") => 60,
        Some("HOURLY") => 3_600,
        Some("DAILY") => 86_400,
        Some("WEEKLY") => 604_800,
        // Months and years have no fixed length; stepping a month at a time from year 1 is
        // only some 24 000 steps anyway.
        _ => return Ok(Some(first)),
    };
    let period = unit_seconds.saturating_mul(interval);
    let behind = (from - first).num_seconds();
    if behind <= period {
        return Ok(Some(first));
    }
    let periods = behind / period;
    if counted {
        if periods > MAX_STEPS_BEFORE_WINDOW {
            return Err(format!(
                "RRULE {rule:?} counts from {first}, over {MAX_STEPS_BEFORE_WINDOW} steps before \
                 the day shown: not expanded"
            ));
        }
        return Ok(Some(first));
    }
    // `periods × period ≤ behind`, which fits: no overflow.
    Ok(first.checked_add_signed(Duration::seconds(periods * period)))
}

/// The frame an event is expanded in: its own zone, or plain wall time (placed in the lamp's
/// zone afterwards) for dates and floating times.
enum Frame {
    Zone(EventZone),
    Wall,
}

impl EventSpec {
    fn frame(&self) -> Frame {
        match &self.start {
            Start::Utc(_) => Frame::Zone(EventZone::Iana(chrono_tz::UTC)),
            Start::Zoned(_, tz) => Frame::Zone(tz.clone()),
            Start::Date(_) | Start::Floating(_) => Frame::Wall,
        }
    }

    /// A moment in this event's expansion frame, as a wall time of that frame.
    fn in_frame(&self, moment: &Start, zone: Zone) -> NaiveDateTime {
        match self.frame() {
            Frame::Zone(tz) => tz.local(moment.instant(zone)),
            Frame::Wall => match moment {
                Start::Date(_) | Start::Floating(_) => moment.wall(),
                other => zone.local(other.instant(zone)),
            },
        }
    }

    /// `rule` with UNTIL rewritten in UTC (`rrule` insists on one form per DTSTART kind).
    fn rule(&self, rule: &str, zone: Zone) -> String {
        let parts = rule.split(';').map(|part| {
            let Some(until) = part
                .strip_prefix("UNTIL=")
                .or_else(|| part.strip_prefix("until="))
            else {
                return part.to_owned();
            };
            let Some(moment) = moments(&Property::new_ref("UNTIL", until), &Zones::default())
                .ok()
                .and_then(|m| m.into_iter().next())
            else {
                return part.to_owned();
            };
            // A date means "through that day".
            let moment = match moment {
                Start::Date(d) => {
                    Start::Floating(d.and_time(NaiveTime::MIN) + Duration::seconds(86_399))
                }
                // A floating UNTIL on a zoned event is in the event's zone.
                Start::Floating(t) => match &self.start {
                    Start::Zoned(_, tz) => Start::Zoned(t, tz.clone()),
                    _ => Start::Floating(t),
                },
                other => other,
            };
            let wall = self.in_frame(&moment, zone);
            // In the frame `rrule` expands in (see `starts`).
            let utc = match self.frame() {
                Frame::Zone(EventZone::Iana(tz)) => Zone::Named(tz).to_utc(wall),
                Frame::Zone(EventZone::File(_)) | Frame::Wall => wall.and_utc(),
            };
            format!("UNTIL={}", utc.format("%Y%m%dT%H%M%SZ"))
        });
        parts.collect::<Vec<_>>().join(";")
    }

    /// Whether this event stands for more than its DTSTART.
    fn recurs(&self) -> bool {
        !self.rrules.is_empty() || !self.rdates.is_empty()
    }

    /// The longest any of its instances lasts (an RDATE period may outlast DTSTART's).
    fn longest(&self) -> Duration {
        self.rdates
            .iter()
            .filter_map(|(_, length)| *length)
            .fold(self.duration, Duration::max)
    }

    /// Start wall times (in the expansion frame) of the occurrences beginning in
    /// `[from, to]`, before EXDATE, each with its length.
    /// `dense_from` is where a rule with more instances than the limit is looked at instead:
    /// the latest start that still overlaps the window.
    fn starts(
        &self,
        from: NaiveDateTime,
        dense_from: NaiveDateTime,
        to: NaiveDateTime,
        zone: Zone,
    ) -> Result<Vec<(NaiveDateTime, Duration)>, String> {
        /// Instances expanded per rule and window.
        const LIMIT: u16 = 2000;
        let first = self.in_frame(&self.start, zone);
        let mut starts = Vec::new();
        // `rrule` knows only the IANA database: a file's zone is expanded as plain wall time,
        // which is what a recurrence in a zone is (RFC 5545 §3.3.10), and placed afterwards.
        let tz = match self.frame() {
            Frame::Zone(EventZone::Iana(tz)) => tz,
            Frame::Zone(EventZone::File(_)) | Frame::Wall => chrono_tz::UTC,
        };
        let to_rrule = |wall: NaiveDateTime| {
            rrule::Tz::Tz(tz)
                .from_local_datetime(&wall)
                .earliest()
                .unwrap_or_else(|| rrule::Tz::UTC.from_utc_datetime(&wall))
        };
        for written in &self.rrules {
            let rule = self.rule(written, zone);
            let Some(first) =
                fast_forward(first, &rule, from, |until| self.in_frame(&until, zone))?
            else {
                // This rule ended before the window.
                continue;
            };
            let parsed: rrule::RRule<rrule::Unvalidated> = rule
                .parse()
                .map_err(|e: rrule::RRuleError| format!("RRULE {rule:?}: {e}"))?;
            let set = parsed
                .build(to_rrule(first))
                .map_err(|e| format!("RRULE {rule:?}: {e}"))?;
            let mut result = set
                .clone()
                .after(to_rrule(from))
                .before(to_rrule(to))
                .all(LIMIT);
            if result.dates.len() >= usize::from(LIMIT) {
                // A dense rule filled the limit before the day itself: look again from the
                // latest start that still overlaps the day.
                result = set
                    .after(to_rrule(dense_from))
                    .before(to_rrule(to))
                    .all(LIMIT);
            }
            starts.extend(
                result
                    .dates
                    .iter()
                    .map(|d| (d.naive_local(), self.duration)),
            );
        }
        // DTSTART is always an instance (RFC 5545 §3.8.5.3), with or without rules.
        if first >= from && first <= to && !starts.iter().any(|(t, _)| *t == first) {
            starts.push((first, self.duration));
        }
        for (rdate, length) in &self.rdates {
            let wall = self.in_frame(rdate, zone);
            if wall >= from && wall <= to && !starts.iter().any(|(t, _)| *t == wall) {
                starts.push((wall, length.unwrap_or(self.duration)));
            }
        }
        starts.sort();
        Ok(starts)
    }

    /// Where this event's times come from, for people checking a feed.
    fn zone_rule(&self) -> String {
        if let Some(note) = &self.zone_note {
            return note.clone();
        }
        match &self.start {
            Start::Date(_) => "all-day, the lamp's days".to_owned(),
            Start::Utc(_) => "UTC".to_owned(),
            Start::Zoned(_, tz) => format!("TZID {}", zone_name(tz)),
            Start::Floating(_) => "floating, the lamp's zone".to_owned(),
        }
    }
}

/// A `RECURRENCE-ID;RANGE=THISANDFUTURE` change: every instance from `from` on is moved by
/// `shift` and takes the change's length and title (RFC 5545 §3.8.4.4).
#[derive(Clone, Debug)]
struct LaterChange {
    from: DateTime<Utc>,
    shift: Duration,
    length: Duration,
    title: String,
    cancelled: bool,
}

impl CalendarData {
    /// Each UID's THISANDFUTURE changes, earliest first.
    fn later_changes(&self, zone: Zone) -> HashMap<&str, Vec<LaterChange>> {
        let mut changes: HashMap<&str, Vec<LaterChange>> = HashMap::new();
        for event in self.events.iter().filter(|e| e.this_and_future) {
            let (Some(uid), Some(recurrence_id)) = (&event.uid, &event.recurrence_id) else {
                continue;
            };
            // The shift as wall time in the change's frame: moving a 09:00 meeting to 10:00
            // keeps it at 10:00 across a daylight-saving change.
            let shift = event.in_frame(&event.start, zone) - event.in_frame(recurrence_id, zone);
            changes.entry(uid).or_default().push(LaterChange {
                from: recurrence_id.instant(zone),
                shift: shift.clamp(-longest_event(), longest_event()),
                length: event.duration,
                title: event.title.clone(),
                cancelled: event.cancelled,
            });
        }
        for list in changes.values_mut() {
            list.sort_by_key(|c| c.from);
        }
        changes
    }

    /// Events in the calendar (recurring ones once).
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether the calendar has no events.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Everything happening on `day` in `zone` (overlapping it at all), sorted by start;
    /// all-day events first. Events whose rules cannot be expanded are logged and left out.
    pub fn occurrences(&self, day: NaiveDate, zone: Zone) -> Vec<Occurrence> {
        self.occurrences_until(day, zone, None).0
    }

    /// [`CalendarData::occurrences`], giving up at `deadline` (the events not reached are left
    /// out); whether every event was expanded. At most [`MAX_PER_DAY`] occurrences.
    pub fn occurrences_until(
        &self,
        day: NaiveDate,
        zone: Zone,
        deadline: Option<std::time::Instant>,
    ) -> (Vec<Occurrence>, bool) {
        let mut complete = true;
        let day_start = day.and_time(NaiveTime::MIN);
        let day_end = day_start + Duration::days(1);
        let (window_start, window_end) = (zone.to_utc(day_start), zone.to_utc(day_end));
        // Instances replaced (moved, changed or cancelled) by a RECURRENCE-ID event, per UID.
        let replaced: HashSet<(String, DateTime<Utc>)> = self
            .events
            .iter()
            .filter_map(|e| Some((e.uid.clone()?, e.recurrence_id.as_ref()?.instant(zone))))
            .collect();
        let later_changes = self.later_changes(zone);
        let mut found = Vec::new();
        for event in &self.events {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                complete = false;
                break;
            }
            if event.cancelled {
                continue;
            }
            let all_day = matches!(event.start, Start::Date(_));
            // Search from early enough to catch an event that started earlier and runs into
            // the day, in the event's own frame (a day either side covers any zone offset).
            let changes = event
                .uid
                .as_deref()
                .filter(|_| event.recurrence_id.is_none())
                .and_then(|uid| later_changes.get(uid))
                .map_or(&[][..], Vec::as_slice);
            // Instances a later change moves into the day are looked for where they were.
            let moved_by = changes
                .iter()
                .map(|c| c.shift.abs())
                .fold(Duration::zero(), Duration::max);
            let longest = changes
                .iter()
                .map(|c| c.length)
                .fold(event.longest(), Duration::max);
            let dense_from =
                event.in_frame(&Start::Utc(window_start.naive_utc()), zone) - longest - moved_by;
            let from = dense_from - Duration::days(1);
            let to = event.in_frame(&Start::Utc(window_end.naive_utc()), zone)
                + Duration::days(1)
                + moved_by;
            // (Durations are at most a century and the window is a day near now: no overflow.)
            let starts = match event.starts(from, dense_from, to, zone) {
                Ok(starts) => starts,
                Err(reason) => {
                    tracing::warn!(event = %event.title, "calendar: cannot expand: {reason}");
                    continue;
                }
            };
            // One event, however dense its rule, cannot crowd the others off the day.
            let mut kept = 0;
            let excluded: Vec<NaiveDateTime> = event
                .exdates
                .iter()
                .map(|x| event.in_frame(x, zone))
                .collect();
            for (wall, length) in starts {
                if excluded.contains(&wall) {
                    continue;
                }
                let place = |wall: NaiveDateTime| match event.frame() {
                    Frame::Zone(tz) => tz.to_utc(wall),
                    Frame::Wall => zone.to_utc(wall),
                };
                let original = place(wall);
                if event.recurrence_id.is_none()
                    && event.recurs()
                    && let Some(uid) = &event.uid
                    && replaced.contains(&(uid.clone(), original))
                {
                    continue;
                }
                // The latest THISANDFUTURE change at or before this instance rules it.
                let change = changes.iter().rev().find(|c| c.from <= original);
                let (wall, length, title) = match change {
                    Some(change) if change.cancelled => continue,
                    Some(change) => (wall + change.shift, change.length, change.title.as_str()),
                    None => (wall, length, event.title.as_str()),
                };
                // Whole days of a length are nominal (the same wall time days later, RFC 5545
                // §3.3.6); the rest is exact, so a half-hour meeting at a clock change still
                // lasts half an hour instead of ending before it starts.
                let days = Duration::days(length.num_days());
                let (start, end) = (place(wall), place(wall + days) + (length - days));
                let overlaps = start < window_end && (end > window_start || start >= window_start);
                if overlaps {
                    kept += 1;
                    if kept > MAX_PER_EVENT {
                        break;
                    }
                    found.push(Occurrence {
                        title: title.to_owned(),
                        start,
                        end,
                        all_day,
                        zone_rule: event.zone_rule(),
                    });
                }
            }
        }
        found.sort_by(|a, b| (!a.all_day, a.start, &a.title).cmp(&(!b.all_day, b.start, &b.title)));
        found.dedup();
        found.truncate(MAX_PER_DAY);
        (found, complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(events: &str) -> CalendarData {
        let text = format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
            events.replace('\n', "\r\n")
        );
        parse(&text).expect("valid calendar")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    /// "HH:MM title" of each occurrence, local to `zone`.
    fn agenda(data: &CalendarData, date: &str, zone: &str) -> Vec<String> {
        let zone: Zone = zone.parse().expect("zone");
        data.occurrences(day(date), zone)
            .iter()
            .map(|o| {
                if o.all_day {
                    format!("all-day {}", o.title)
                } else {
                    format!("{} {}", zone.local(o.start).format("%H:%M"), o.title)
                }
            })
            .collect()
    }

    const WEEKLY: &str = "BEGIN:VEVENT
UID:standup
SUMMARY:Standup
DTSTART;TZID=Europe/Berlin:20240304T093000
DTEND;TZID=Europe/Berlin:20240304T094500
RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR
EXDATE;TZID=Europe/Berlin:20240313T093000,20240315T093000
END:VEVENT
";

    #[test]
    fn weekly_byday_with_exdate_keeps_local_time_across_daylight_saving() {
        let data = calendar(WEEKLY);
        assert_eq!(
            agenda(&data, "2024-03-11", "Europe/Berlin"),
            ["09:30 Standup"]
        );
        assert_eq!(
            agenda(&data, "2024-03-12", "Europe/Berlin"),
            Vec::<String>::new()
        );
        // Wednesday and Friday of that week are excluded.
        assert!(agenda(&data, "2024-03-13", "Europe/Berlin").is_empty());
        assert!(agenda(&data, "2024-03-15", "Europe/Berlin").is_empty());
        assert_eq!(
            agenda(&data, "2024-03-18", "Europe/Berlin"),
            ["09:30 Standup"]
        );
        // Berlin moves to summer time on 31 March: still 09:30 there, 07:30 UTC instead of 08:30.
        assert_eq!(
            agenda(&data, "2024-04-03", "Europe/Berlin"),
            ["09:30 Standup"]
        );
        assert_eq!(agenda(&data, "2024-04-03", "UTC"), ["07:30 Standup"]);
        assert_eq!(agenda(&data, "2024-03-20", "UTC"), ["08:30 Standup"]);
        // Before the first occurrence: nothing.
        assert!(agenda(&data, "2024-03-01", "Europe/Berlin").is_empty());
    }

    #[test]
    fn monthly_yearly_interval_count_and_until() {
        let data = calendar(
            "BEGIN:VEVENT
SUMMARY:Rent
DTSTART:20240115T080000Z
RRULE:FREQ=MONTHLY;COUNT=3
END:VEVENT
BEGIN:VEVENT
SUMMARY:Book club
DTSTART:20240102T190000
DURATION:PT2H
RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=1TU;UNTIL=20240701
END:VEVENT
BEGIN:VEVENT
SUMMARY:Water plants
DTSTART:20240101T070000
RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20240110T235959Z
END:VEVENT
BEGIN:VEVENT
SUMMARY:Anniversary
DTSTART;VALUE=DATE:20200229
RRULE:FREQ=YEARLY
END:VEVENT
",
        );
        // COUNT=3: January, February, March, then no more.
        assert_eq!(agenda(&data, "2024-03-15", "UTC"), ["08:00 Rent"]);
        assert!(agenda(&data, "2024-04-15", "UTC").is_empty());
        // Every other month on the first Tuesday (floating: 19:00 wherever the lamp is), until
        // 1 July inclusive: January, March, May.
        assert_eq!(
            agenda(&data, "2024-03-05", "Asia/Tokyo"),
            ["19:00 Book club"]
        );
        assert!(agenda(&data, "2024-02-06", "UTC").is_empty());
        assert_eq!(agenda(&data, "2024-05-07", "UTC"), ["19:00 Book club"]);
        assert!(agenda(&data, "2024-07-02", "UTC").is_empty());
        // Every third day: 1, 4, 7, 10 January.
        assert_eq!(agenda(&data, "2024-01-10", "UTC"), ["07:00 Water plants"]);
        assert!(agenda(&data, "2024-01-09", "UTC").is_empty());
        assert!(agenda(&data, "2024-01-13", "UTC").is_empty());
        // A leap-day yearly event only on leap days (RFC 5545: invalid dates are skipped).
        assert_eq!(agenda(&data, "2024-02-29", "UTC"), ["all-day Anniversary"]);
        assert!(agenda(&data, "2025-02-28", "UTC").is_empty());
    }

    #[test]
    fn all_day_and_multi_day_events_and_overrides() {
        let data = calendar(
            "BEGIN:VEVENT
SUMMARY:Holiday
DTSTART;VALUE=DATE:20240513
DTEND;VALUE=DATE:20240516
END:VEVENT
BEGIN:VEVENT
UID:lunch
SUMMARY:Lunch
DTSTART:20240513T120000
RRULE:FREQ=DAILY;COUNT=5
END:VEVENT
BEGIN:VEVENT
UID:lunch
RECURRENCE-ID:20240514T120000
SUMMARY:Long lunch
DTSTART:20240514T130000
END:VEVENT
BEGIN:VEVENT
SUMMARY:Cancelled
STATUS:CANCELLED
DTSTART:20240514T100000
END:VEVENT
",
        );
        assert_eq!(
            agenda(&data, "2024-05-14", "Europe/London"),
            ["all-day Holiday", "13:00 Long lunch"]
        );
        assert_eq!(
            agenda(&data, "2024-05-15", "Europe/London"),
            ["all-day Holiday", "12:00 Lunch"]
        );
        assert_eq!(
            agenda(&data, "2024-05-16", "Europe/London"),
            ["12:00 Lunch"]
        );
    }

    #[test]
    fn malformed_files_are_errors_and_odd_events_are_skipped() {
        assert_eq!(parse("hello world").err(), Some(IcsError::NotACalendar));
        assert!(parse("").is_err());
        let truncated = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20240101T100000Z\r\n";
        assert!(
            matches!(parse(truncated), Err(IcsError::Syntax(_))),
            "{:?}",
            parse(truncated).map(|d| d.len())
        );
        let data = calendar(
            "BEGIN:VEVENT
SUMMARY:No start
END:VEVENT
BEGIN:VEVENT
SUMMARY:Bad date
DTSTART:2024-01-01
END:VEVENT
BEGIN:VEVENT
SUMMARY:Fine
DTSTART:20240101T100000Z
END:VEVENT
",
        );
        assert_eq!(data.len(), 1);
        assert_eq!(data.skipped.len(), 2, "{:?}", data.skipped);
        assert!(data.skipped[0].contains("no DTSTART"));
        let broken_rule = calendar(
            "BEGIN:VEVENT
SUMMARY:Sometimes
DTSTART:20240101T100000Z
RRULE:FREQ=SOMETIMES
END:VEVENT
",
        );
        assert!(agenda(&broken_rule, "2024-01-01", "UTC").is_empty());
    }

    /// A zone the IANA database has never heard of, defined in the file: UTC+5:45 in winter,
    /// +6:45 from the last Sunday of March to the last Sunday of October.
    const CUSTOM_ZONE: &str = "BEGIN:VTIMEZONE
TZID:an event with a custom tz name
BEGIN:STANDARD
DTSTART:19701025T030000
TZOFFSETFROM:+0645
TZOFFSETTO:+0545
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
TZOFFSETFROM:+0545
TZOFFSETTO:+0645
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
END:VTIMEZONE
";

    #[test]
    fn a_tzid_defined_only_by_the_files_vtimezone_uses_its_rules() {
        let data = calendar(&format!(
            "{CUSTOM_ZONE}BEGIN:VEVENT
UID:weekly
SUMMARY:Call
DTSTART;TZID=an event with a custom tz name:20240311T100000
DTEND;TZID=an event with a custom tz name:20240311T110000
RRULE:FREQ=WEEKLY
EXDATE;TZID=an event with a custom tz name:20240318T100000
END:VEVENT
"
        ));
        // 10:00 at +5:45 is 04:15 UTC; at +6:45 (from 31 March) 03:15 UTC.
        assert_eq!(agenda(&data, "2024-03-11", "UTC"), ["04:15 Call"]);
        assert!(agenda(&data, "2024-03-18", "UTC").is_empty(), "excluded");
        assert_eq!(agenda(&data, "2024-03-25", "UTC"), ["04:15 Call"]);
        assert_eq!(agenda(&data, "2024-04-01", "UTC"), ["03:15 Call"]);
        assert_eq!(agenda(&data, "2024-11-04", "UTC"), ["04:15 Call"]);
        let occurrence = &data.occurrences(day("2024-04-01"), Zone::default())[0];
        assert!(
            occurrence.zone_rule.contains("the file's VTIMEZONE"),
            "{}",
            occurrence.zone_rule
        );
        assert_eq!(
            data.zone_notes,
            ["TZID an event with a custom tz name → the file's VTIMEZONE"]
        );
    }

    #[test]
    fn outlook_invitation_uses_its_vtimezone_and_iana_names_keep_the_database() {
        // Outlook writes a Windows name and its own definition of it; this one (made up for
        // the test) switches a week later than the EU does, which only the file knows.
        let data = calendar(
            "BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=4
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:STANDARD
DTSTART:16010101T000000
TZOFFSETFROM:+0100
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:review
SUMMARY:Review
DTSTART;TZID=W. Europe Standard Time:20240401T090000
DTEND;TZID=W. Europe Standard Time:20240401T100000
END:VEVENT
BEGIN:VEVENT
UID:paris
SUMMARY:Paris
DTSTART;TZID=Europe/Paris:20240401T120000
END:VEVENT
",
        );
        // 1 April 2024 is before the file's first Sunday of April: still +1, so 08:00 UTC
        // (the CLDR mapping to Europe/Berlin would have said 07:00).
        // Europe/Paris is read from the database (+2 in April), not from the file's
        // cut-down copy that says +1 all year.
        assert_eq!(
            agenda(&data, "2024-04-01", "UTC"),
            ["08:00 Review", "10:00 Paris"]
        );
    }

    #[test]
    fn a_broken_vtimezone_is_named_and_its_events_fall_back() {
        let data = calendar(
            "BEGIN:VTIMEZONE
TZID:Eastern Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETTO:-0500
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
SUMMARY:Sync
DTSTART;TZID=Eastern Standard Time:20240701T090000
END:VEVENT
",
        );
        // The file's definition has no TZOFFSETFROM: the Windows name still maps to New York.
        assert_eq!(agenda(&data, "2024-07-01", "UTC"), ["13:00 Sync"]);
        assert!(
            data.zone_notes.iter().any(|n| n.contains("TZOFFSETFROM")),
            "{:?}",
            data.zone_notes
        );
        assert!(
            data.zone_notes
                .iter()
                .any(|n| n.contains("America/New_York (Windows name)")),
            "{:?}",
            data.zone_notes
        );
    }

    #[test]
    fn this_and_future_moves_every_later_instance() {
        let data = calendar(
            "BEGIN:VEVENT
UID:standup
SUMMARY:Standup
DTSTART;TZID=Europe/London:20240304T090000
DURATION:PT15M
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10
END:VEVENT
BEGIN:VEVENT
UID:standup
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/London:20240318T090000
SUMMARY:Standup (new time)
DTSTART;TZID=Europe/London:20240318T103000
DURATION:PT30M
END:VEVENT
BEGIN:VEVENT
UID:standup
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/London:20240415T090000
STATUS:CANCELLED
DTSTART;TZID=Europe/London:20240415T090000
END:VEVENT
",
        );
        let times = |date: &str| -> Vec<String> {
            let zone: Zone = "Europe/London".parse().expect("zone");
            data.occurrences(day(date), zone)
                .iter()
                .map(|o| {
                    format!(
                        "{}-{} {}",
                        zone.local(o.start).format("%H:%M"),
                        zone.local(o.end).format("%H:%M"),
                        o.title
                    )
                })
                .collect()
        };
        assert_eq!(times("2024-03-11"), ["09:00-09:15 Standup"]);
        assert_eq!(times("2024-03-18"), ["10:30-11:00 Standup (new time)"]);
        // Later instances moved too, at 10:30 local after the clocks change on 31 March.
        assert_eq!(times("2024-03-25"), ["10:30-11:00 Standup (new time)"]);
        assert_eq!(times("2024-04-08"), ["10:30-11:00 Standup (new time)"]);
        // From 15 April on the series is cancelled.
        assert!(times("2024-04-15").is_empty());
        assert!(times("2024-04-22").is_empty());
    }

    #[test]
    fn only_the_properties_read_reach_the_parser_unfolded() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Long\r\n  title\n\
                    DESCRIPTION:BEGIN:VEVENT is text here\r\n\tmore\nX-ALT-DESC;FMTTYPE=text/html:<p>\n\
                    dtstart:20240101T100000Z\nEND:VEVENT\nEND:VCALENDAR";
        assert_eq!(
            essentials(text),
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Long title\r\n\
             dtstart:20240101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
    }

    #[test]
    fn basic_dates_and_times_are_read_exactly() {
        assert_eq!(basic_date("20240229"), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(
            basic_date_time("20240314T093005"),
            NaiveDate::from_ymd_opt(2024, 3, 14).and_then(|d| d.and_hms_opt(9, 30, 5))
        );
        for bad in ["20230229", "2024-03-1", "2024031a", "+2024031", "٢٠٢٤٠٣١٤"] {
            assert_eq!(basic_date(bad), None, "{bad}");
        }
        for bad in [
            "20240314T250000",
            "20240314T0930",
            "20240314 093000",
            "20240314T09300５",
            "20240314T093000Z",
        ] {
            assert_eq!(basic_date_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P1W"), Some(Duration::days(7)));
        assert_eq!(parse_duration("P1DT12H"), Some(Duration::hours(36)));
        assert_eq!(parse_duration("-PT15M"), Some(Duration::minutes(-15)));
        assert_eq!(parse_duration("1H"), None);
        assert_eq!(parse_duration("PT1X"), None);
    }
}

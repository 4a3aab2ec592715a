//! ICS (RFC 5545) to the occurrences of one day: parsing with `icalendar`'s zero-copy parser,
//! recurrence with `rrule` (both pure Rust; `rrule` brings `chrono-tz` for TZID).
//!
//! # Times, and which zone is used
//! - `…Z` times are UTC; `TZID=Europe/Paris` times are expanded in that zone, so a weekly 9:00
//!   stays at 9:00 local across daylight-saving changes.
//! - Floating times (no zone) belong to the calendar's `X-WR-TIMEZONE` when it names a zone
//!   (Google's and Apple's exports), else to wherever the lamp is: they are expanded as plain
//!   wall times and placed in the lamp's zone. All-day dates are the lamp's days.
//! - A TZID is looked up as an IANA name, then as a Windows zone name (Outlook and Exchange:
//!   "W. Europe Standard Time" is Europe/Berlin, as CLDR maps it), then as the IANA name at
//!   the end of a vendor's path (`/mozilla.org/20070129_1/America/New_York`); see [`super::tzid`].
//!   One none of these know (a file's own VTIMEZONE name) is treated as floating: the file's
//!   VTIMEZONE rules are not read yet.
//! - Each occurrence says which of these it used ([`Occurrence::zone_rule`]).
//!
//! # What is understood
//! VEVENT with DTSTART, DTEND or DURATION, SUMMARY, RRULE (any FREQ, INTERVAL, COUNT, UNTIL,
//! BYDAY…, via `rrule`; several RRULEs are their union, an empty one is none), RDATE (dates,
//! date-times, and periods with their own length; events with RDATE and no RRULE), EXDATE,
//! RECURRENCE-ID (a moved, changed or cancelled instance replaces the one it names; RANGE is
//! not yet read), STATUS:CANCELLED, and versions of one event (the highest SEQUENCE wins, then
//! the latest DTSTAMP). Leniency where the meaning is clear: a byte-order mark, line feeds
//! alone, `DTSTART:20190101` without `VALUE=DATE`, an end before the start (no length).
//!
//! A file that does not parse, or is not a VCALENDAR, is an error; a single event that cannot
//! be understood is skipped and named in [`CalendarData::skipped`], so one odd entry does not
//! blank the whole calendar. Work is bounded: files to 16 MiB and 20 000 events, durations to a
//! century, rules fast-forwarded to the day asked for, 48 occurrences per event and 200 per
//! day.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use icalendar::parser::{Component, Property, read_calendar, unfold};

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
    /// `TZID=…` with a zone the database knows.
    Zoned(NaiveDateTime, chrono_tz::Tz),
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
            Start::Zoned(t, tz) => Zone::Named(*tz).to_utc(*t),
            Start::Date(_) | Start::Floating(_) => zone.to_utc(self.wall()),
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
    let unfolded = unfold(text);
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
    // Google's and Apple's exports name the zone of the calendar's floating times here.
    let calendar_zone = calendar
        .properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE"))
        .and_then(|p| p.val.as_str().trim().parse::<chrono_tz::Tz>().ok());
    let events = calendar.components.iter().filter(|c| c.name == "VEVENT");
    let total = events.clone().count();
    if total > MAX_EVENTS {
        data.skipped.push(format!(
            "{} events past the first {MAX_EVENTS} (a calendar that large is not a person's day)",
            total - MAX_EVENTS
        ));
    }
    for component in events.take(MAX_EVENTS) {
        match event(component, calendar_zone) {
            Ok(Some(spec)) => data.events.push(spec),
            Ok(None) => {}
            Err(reason) => {
                let summary = prop(component, "SUMMARY").map_or("(untitled)".into(), text_value);
                data.skipped.push(format!("event {summary:?}: {reason}"));
            }
        }
    }
    data.events = latest_versions(std::mem::take(&mut data.events));
    let mut notes: Vec<String> = data
        .events
        .iter()
        .filter_map(|e| e.zone_note.clone())
        .collect();
    notes.sort();
    notes.dedup();
    data.zone_notes = notes;
    Ok(data)
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

fn event(
    component: &Component<'_>,
    calendar_zone: Option<chrono_tz::Tz>,
) -> Result<Option<EventSpec>, String> {
    let cancelled =
        prop(component, "STATUS").is_some_and(|s| s.val.as_str().eq_ignore_ascii_case("CANCELLED"));
    let recurrence_id = match prop(component, "RECURRENCE-ID") {
        Some(p) => moments(p, calendar_zone)?.into_iter().next(),
        None => None,
    };
    // A cancelled event is gone; a cancelled instance still replaces (removes) its original.
    if cancelled && recurrence_id.is_none() {
        return Ok(None);
    }
    let dtstart = prop(component, "DTSTART").ok_or("no DTSTART")?;
    let zone_note = zone_note(dtstart, calendar_zone);
    let start = moments(dtstart, calendar_zone)?
        .into_iter()
        .next()
        .ok_or("empty DTSTART")?;
    let duration = if let Some(end) = prop(component, "DTEND") {
        let end = moments(end, calendar_zone)?
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
        exdates.extend(moments(p, calendar_zone)?);
    }
    let mut rdates = Vec::new();
    for p in every("RDATE") {
        rdates.extend(periods(p, calendar_zone)?);
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
        cancelled,
        sequence: prop(component, "SEQUENCE")
            .and_then(|p| p.val.as_str().trim().parse().ok())
            .unwrap_or(0),
        stamp: prop(component, "DTSTAMP")
            .and_then(|p| moments(p, None).ok())
            .and_then(|m| m.into_iter().next())
            .map(|m| m.wall()),
        zone_note,
    }))
}

/// How DTSTART's zone is found, when it takes more than reading an IANA name or `Z`.
fn zone_note(dtstart: &Property<'_>, calendar_zone: Option<chrono_tz::Tz>) -> Option<String> {
    use super::tzid::Resolved;
    let floating =
        !dtstart.val.as_str().trim().ends_with('Z') && dtstart.val.as_str().trim().len() > 8;
    match param(dtstart, "TZID") {
        Some(raw) => match super::tzid::resolve(raw) {
            Some(Resolved::Iana(_)) => None,
            Some(Resolved::VendorPath(tz)) => {
                Some(format!("TZID {raw} → {} (vendor path)", tz.name()))
            }
            Some(Resolved::Windows(tz)) => {
                Some(format!("TZID {raw} → {} (Windows name)", tz.name()))
            }
            None => Some(format!("TZID {raw} unknown: floating, the lamp's zone")),
        },
        None if floating => calendar_zone.map(|tz| format!("X-WR-TIMEZONE {}", tz.name())),
        None => None,
    }
}

/// One date or date-time value of property `name`: `zone` is its TZID, `calendar_zone` the
/// calendar's X-WR-TIMEZONE (for floating times).
fn moment(
    value: &str,
    name: &str,
    zone: Option<&str>,
    date_only: bool,
    calendar_zone: Option<chrono_tz::Tz>,
) -> Result<Start, String> {
    let value = value.trim();
    if date_only || value.len() == 8 {
        return NaiveDate::parse_from_str(value, "%Y%m%d")
            .map(Start::Date)
            .map_err(|_| format!("{name}:{value} is not a date"));
    }
    let (wall, utc) = match value.strip_suffix('Z') {
        Some(v) => (v, true),
        None => (value, false),
    };
    let time = NaiveDateTime::parse_from_str(wall, "%Y%m%dT%H%M%S")
        .map_err(|_| format!("{name}:{value} is not a date-time"))?;
    Ok(if utc {
        Start::Utc(time)
    } else if let Some(tz) = zone.and_then(super::tzid::resolve) {
        Start::Zoned(time, tz.zone())
    } else if let Some(tz) = calendar_zone.filter(|_| zone.is_none()) {
        Start::Zoned(time, tz)
    } else {
        Start::Floating(time)
    })
}

/// The date or date-times of a property (EXDATE and RDATE may list several, comma-separated).
fn moments(
    property: &Property<'_>,
    calendar_zone: Option<chrono_tz::Tz>,
) -> Result<Vec<Start>, String> {
    let zone = param(property, "TZID").map(|tz| tz.trim_start_matches('/'));
    let date_only = param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    property
        .val
        .as_str()
        .split(',')
        .map(|value| {
            moment(
                value,
                property.name.as_str(),
                zone,
                date_only,
                calendar_zone,
            )
        })
        .collect()
}

/// RDATE's values: dates, date-times, or periods (`start/end` or `start/duration`), each
/// period an instance with its own length.
fn periods(
    property: &Property<'_>,
    calendar_zone: Option<chrono_tz::Tz>,
) -> Result<Vec<(Start, Option<Duration>)>, String> {
    let zone = param(property, "TZID");
    let date_only = param(property, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let name = property.name.as_str();
    property
        .val
        .as_str()
        .split(',')
        .map(|value| match value.split_once('/') {
            None => Ok((moment(value, name, zone, date_only, calendar_zone)?, None)),
            Some((start, end)) => {
                let start = moment(start, name, zone, false, calendar_zone)?;
                let end = end.trim();
                let length =
                    if end.starts_with('P') || end.starts_with("-P") || end.starts_with("+P") {
                        parse_duration(end)
                            .ok_or_else(|| format!("{name}:{value}: {end:?} is not a duration"))?
                    } else {
                        let end = moment(end, name, zone, false, calendar_zone)?;
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
                let until = value
                    .trim()
                    .strip_suffix('Z')
                    .and_then(|v| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok());
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
    Zone(chrono_tz::Tz),
    Wall,
}

impl EventSpec {
    fn frame(&self) -> Frame {
        match &self.start {
            Start::Utc(_) => Frame::Zone(chrono_tz::UTC),
            Start::Zoned(_, tz) => Frame::Zone(*tz),
            Start::Date(_) | Start::Floating(_) => Frame::Wall,
        }
    }

    /// A moment in this event's expansion frame, as a wall time of that frame.
    fn in_frame(&self, moment: &Start, zone: Zone) -> NaiveDateTime {
        match self.frame() {
            Frame::Zone(tz) => moment.instant(zone).with_timezone(&tz).naive_local(),
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
            let Some(moment) = moments(&Property::new_ref("UNTIL", until), None)
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
                    Start::Zoned(_, tz) => Start::Zoned(t, *tz),
                    _ => Start::Floating(t),
                },
                other => other,
            };
            let wall = self.in_frame(&moment, zone);
            let utc = match self.frame() {
                Frame::Zone(tz) => Zone::Named(tz).to_utc(wall),
                Frame::Wall => wall.and_utc(),
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
        let tz = match self.frame() {
            Frame::Zone(tz) => tz,
            Frame::Wall => chrono_tz::UTC,
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
            Start::Zoned(_, tz) => format!("TZID {}", tz.name()),
            Start::Floating(_) => "floating, the lamp's zone".to_owned(),
        }
    }
}

impl CalendarData {
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
            let dense_from =
                event.in_frame(&Start::Utc(window_start.naive_utc()), zone) - event.longest();
            let from = dense_from - Duration::days(1);
            let to = event.in_frame(&Start::Utc(window_end.naive_utc()), zone) + Duration::days(1);
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
                let start = match event.frame() {
                    Frame::Zone(tz) => Zone::Named(tz).to_utc(wall),
                    Frame::Wall => zone.to_utc(wall),
                };
                let end = match event.frame() {
                    Frame::Zone(tz) => Zone::Named(tz).to_utc(wall + length),
                    Frame::Wall => zone.to_utc(wall + length),
                };
                if event.recurrence_id.is_none()
                    && event.recurs()
                    && let Some(uid) = &event.uid
                    && replaced.contains(&(uid.clone(), start))
                {
                    continue;
                }
                let overlaps = start < window_end && (end > window_start || start >= window_start);
                if overlaps {
                    kept += 1;
                    if kept > MAX_PER_EVENT {
                        break;
                    }
                    found.push(Occurrence {
                        title: event.title.clone(),
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

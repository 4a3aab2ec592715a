//! A calendar's own time zones: the VTIMEZONE components (RFC 5545 §3.6.5) that say when each
//! of a zone's offsets begins, as STANDARD and DAYLIGHT observances with DTSTART, TZOFFSETFROM,
//! TZOFFSETTO, RRULE and RDATE.
//!
//! Real invitations need this: Outlook names its zones "W. Europe Standard Time", others use a
//! custom name or a non-ASCII one, and the definition in the file is what the organiser's
//! program meant. The observances are turned into a list of transitions once, when the file is
//! read; a time is then placed by binary search.

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use icalendar::parser::{Component, Property};

/// The most onsets one observance contributes: a yearly rule from 1601 to 2200 needs 600; a
/// hostile `FREQ=SECONDLY` is cut off here instead of filling memory.
const MAX_ONSETS_PER_OBSERVANCE: u16 = 1000;

/// Onsets later than this are not computed (the lamp shows today, not the 23rd century).
const LAST_YEAR: i32 = 2200;

/// One change of offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Transition {
    /// When it happens.
    at: DateTime<Utc>,
    /// Offset from UTC before it, seconds.
    before: i32,
    /// Offset from UTC from then on, seconds.
    after: i32,
}

/// A zone defined by the calendar file itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileZone {
    /// Its TZID.
    pub name: String,
    /// Sorted by time; never empty.
    transitions: Vec<Transition>,
}

impl FileZone {
    /// The zone a VTIMEZONE component defines; why not, when it defines none (no TZID, or no
    /// observance with the offsets and start it needs).
    pub fn parse(component: &Component<'_>) -> Result<FileZone, String> {
        let name = component
            .properties
            .iter()
            .find(|p| p.name == "TZID")
            .map(|p| p.val.as_str().trim().to_owned())
            .filter(|name| !name.is_empty())
            .ok_or("VTIMEZONE without a TZID")?;
        let mut transitions = Vec::new();
        let mut problems = Vec::new();
        for observance in component
            .components
            .iter()
            .filter(|c| c.name == "STANDARD" || c.name == "DAYLIGHT")
        {
            match onsets(observance) {
                Ok(found) => transitions.extend(found),
                Err(problem) => problems.push(format!("{}: {problem}", observance.name)),
            }
        }
        if transitions.is_empty() {
            let why = if problems.is_empty() {
                "no STANDARD or DAYLIGHT observance".to_owned()
            } else {
                problems.join("; ")
            };
            return Err(format!("VTIMEZONE {name:?}: {why}"));
        }
        transitions.sort_by_key(|t| t.at);
        transitions.dedup_by_key(|t| t.at);
        Ok(FileZone { name, transitions })
    }

    /// The offset from UTC at `instant`, seconds. Before the first onset the zone keeps the
    /// offset that onset changes from.
    pub fn offset_at(&self, instant: DateTime<Utc>) -> i32 {
        let after = self.transitions.partition_point(|t| t.at <= instant);
        match after.checked_sub(1) {
            Some(latest) => self.transitions[latest].after,
            None => self.transitions[0].before,
        }
    }

    /// Local wall time at `instant`.
    pub fn local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.naive_utc() + Duration::seconds(i64::from(self.offset_at(instant)))
    }

    /// The instant of wall time `local`, by RFC 5545 §3.3.5: a wall time that happens twice
    /// (clocks going back) is the first of the two; one that never happens (clocks going
    /// forward) is read with the offset from before the gap.
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        let as_if_utc = local.and_utc();
        let at = |offset: i32| as_if_utc - Duration::seconds(i64::from(offset));
        // A day either side covers every offset there is (±14 h) and finds the offsets in
        // force around this wall time.
        let earlier = self.offset_at(as_if_utc - Duration::days(1));
        let later = self.offset_at(as_if_utc + Duration::days(1));
        let valid = |offset: i32| self.offset_at(at(offset)) == offset;
        match (valid(earlier), valid(later)) {
            (true, true) => at(earlier.max(later)),
            (true, false) => at(earlier),
            (false, true) => at(later),
            (false, false) => at(earlier),
        }
    }
}

/// `+0100`, `-0500`, `+053000`: seconds east of UTC.
fn offset(property: Option<&Property<'_>>, name: &str) -> Result<i32, String> {
    let text = property
        .ok_or_else(|| format!("no {name}"))?
        .val
        .as_str()
        .trim();
    let bad = || format!("{name}:{text} is not an offset such as +0100");
    let (sign, digits) = match text.split_at_checked(1).ok_or_else(bad)? {
        ("+", digits) => (1, digits),
        ("-", digits) => (-1, digits),
        _ => return Err(bad()),
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let part = |range: std::ops::Range<usize>| digits.get(range).unwrap_or("0").parse::<i32>();
    let (hours, minutes, seconds) = (
        part(0..2).map_err(|_| bad())?,
        part(2..4).map_err(|_| bad())?,
        if digits.len() == 6 {
            part(4..6).map_err(|_| bad())?
        } else {
            0
        },
    );
    if hours > 23 || minutes > 59 || seconds > 59 {
        return Err(bad());
    }
    Ok(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// A local date-time as observances write them (`19701025T030000`; a `Z` is tolerated).
fn wall_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim().trim_end_matches('Z');
    NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S")
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y%m%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

/// Every onset of one observance, as transitions.
fn onsets(observance: &Component<'_>) -> Result<Vec<Transition>, String> {
    let property = |name: &str| observance.properties.iter().find(|p| p.name == name);
    let before = offset(property("TZOFFSETFROM"), "TZOFFSETFROM")?;
    let after = offset(property("TZOFFSETTO"), "TZOFFSETTO")?;
    let start_text = property("DTSTART").ok_or("no DTSTART")?.val.as_str();
    let start = wall_time(start_text).ok_or_else(|| format!("DTSTART:{start_text} is no time"))?;
    // Onsets are written in the offset that is in force before them.
    let transition = |wall: NaiveDateTime| Transition {
        at: wall.and_utc() - Duration::seconds(i64::from(before)),
        before,
        after,
    };
    let mut walls = vec![start];
    for rule in observance
        .properties
        .iter()
        .filter(|p| p.name == "RRULE")
        .map(|p| p.val.as_str().trim())
        .filter(|rule| !rule.is_empty())
    {
        walls.extend(expand(rule, start, before)?);
    }
    for rdate in observance.properties.iter().filter(|p| p.name == "RDATE") {
        walls.extend(
            rdate
                .val
                .as_str()
                .split(',')
                // A period's start is the onset.
                .filter_map(|value| wall_time(value.split('/').next().unwrap_or(value))),
        );
    }
    Ok(walls.into_iter().map(transition).collect())
}

/// A recurring onset rule's wall times, expanded as plain wall time (the onsets of one
/// observance are all in the same offset, `before`).
fn expand(rule: &str, start: NaiveDateTime, before: i32) -> Result<Vec<NaiveDateTime>, String> {
    // UNTIL is UTC (RFC 5545 §3.3.10); the rule runs in wall time, so UNTIL is moved by the
    // offset the onsets are written in.
    let rule = rule
        .split(';')
        .map(|part| match part.split_once('=') {
            Some((key, value)) if key.trim().eq_ignore_ascii_case("UNTIL") => {
                match wall_time(value) {
                    Some(until) => {
                        let wall = until + Duration::seconds(i64::from(before));
                        format!("UNTIL={}", wall.format("%Y%m%dT%H%M%SZ"))
                    }
                    None => part.to_owned(),
                }
            }
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";");
    let parsed: rrule::RRule<rrule::Unvalidated> = rule
        .parse()
        .map_err(|e: rrule::RRuleError| format!("RRULE {rule:?}: {e}"))?;
    let set = parsed
        .build(rrule::Tz::UTC.from_utc_datetime(&start))
        .map_err(|e| format!("RRULE {rule:?}: {e}"))?;
    let last = chrono::NaiveDate::from_ymd_opt(LAST_YEAR, 1, 1)
        .unwrap_or(chrono::NaiveDate::MAX)
        .and_time(chrono::NaiveTime::MIN);
    Ok(set
        .before(rrule::Tz::UTC.from_utc_datetime(&last))
        .all(MAX_ONSETS_PER_OBSERVANCE)
        .dates
        .iter()
        .map(|d| d.naive_utc())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{read_calendar, unfold};

    fn zone(vtimezone: &str) -> Result<FileZone, String> {
        let text = format!(
            "BEGIN:VCALENDAR\r\n{}END:VCALENDAR\r\n",
            vtimezone.replace('\n', "\r\n")
        );
        let unfolded = unfold(&text);
        let calendar = read_calendar(&unfolded).expect("syntax");
        FileZone::parse(&calendar.components[0])
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn wall(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("wall time")
    }

    /// Outlook's definition of "W. Europe Standard Time": the current EU rule from 1601.
    const OUTLOOK_BERLIN: &str = "BEGIN:VTIMEZONE
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
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
";

    /// New York as the RFC's own example writes it: the 1967–2006 rules ending with UNTIL,
    /// then the 2007 rules.
    const RFC_NEW_YORK: &str = "BEGIN:VTIMEZONE
TZID:America/New_York-from-the-file
BEGIN:DAYLIGHT
DTSTART:19670430T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=-1SU;UNTIL=19730429T070000Z
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:19671029T020000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU;UNTIL=20061029T060000Z
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19760425T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=-1SU;UNTIL=19860427T070000Z
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:19870405T020000
RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU;UNTIL=20060402T070000Z
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:DAYLIGHT
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
END:STANDARD
END:VTIMEZONE
";

    #[test]
    fn outlook_zone_switches_on_the_last_sundays_of_march_and_october() {
        let berlin = zone(OUTLOOK_BERLIN).expect("zone");
        assert_eq!(berlin.name, "W. Europe Standard Time");
        // 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC.
        assert_eq!(berlin.offset_at(at("2024-03-31T00:59:59Z")), 3600);
        assert_eq!(berlin.offset_at(at("2024-03-31T01:00:00Z")), 7200);
        assert_eq!(berlin.offset_at(at("2024-10-27T00:59:59Z")), 7200);
        assert_eq!(berlin.offset_at(at("2024-10-27T01:00:00Z")), 3600);
        assert_eq!(
            berlin.to_utc(wall("2024-07-01 09:30")),
            at("2024-07-01T07:30:00Z")
        );
        assert_eq!(
            berlin.to_utc(wall("2024-12-01 09:30")),
            at("2024-12-01T08:30:00Z")
        );
        assert_eq!(
            berlin.local(at("2024-07-01T07:30:00Z")),
            wall("2024-07-01 09:30")
        );
    }

    #[test]
    fn wall_times_at_transitions_follow_rfc_5545() {
        let new_york = zone(RFC_NEW_YORK).expect("zone");
        // §3.3.5's own examples: 01:30 on 4 November 2007 happens twice, and means EDT;
        // 02:30 on 11 March 2007 never happens, and is read with EST (so 03:30 EDT).
        assert_eq!(
            new_york.to_utc(wall("2007-11-04 01:30")),
            at("2007-11-04T05:30:00Z")
        );
        assert_eq!(
            new_york.to_utc(wall("2007-03-11 02:30")),
            at("2007-03-11T07:30:00Z")
        );
        // The old rules end where UNTIL says: 2006 switched on the first Sunday of April,
        // 2007 on the second Sunday of March.
        assert_eq!(new_york.offset_at(at("2006-04-02T06:59:59Z")), -5 * 3600);
        assert_eq!(new_york.offset_at(at("2006-04-02T07:00:00Z")), -4 * 3600);
        assert_eq!(new_york.offset_at(at("2006-03-12T12:00:00Z")), -5 * 3600);
        assert_eq!(new_york.offset_at(at("2007-03-11T12:00:00Z")), -4 * 3600);
        assert_eq!(new_york.offset_at(at("2007-04-01T12:00:00Z")), -4 * 3600);
        // 1974's rule is not in the file (the energy crisis): after 1973's last onset the zone
        // follows the standard observance until 1976's first daylight one.
        assert_eq!(new_york.offset_at(at("1975-06-01T12:00:00Z")), -5 * 3600);
        assert_eq!(new_york.offset_at(at("1976-06-01T12:00:00Z")), -4 * 3600);
    }

    #[test]
    fn rdate_onsets_and_a_zone_without_rules() {
        let fixed = zone(
            "BEGIN:VTIMEZONE
TZID:Kolkata from the file
BEGIN:STANDARD
DTSTART:19450101T000000
TZOFFSETFROM:+0630
TZOFFSETTO:+0530
END:STANDARD
END:VTIMEZONE
",
        )
        .expect("zone");
        assert_eq!(fixed.offset_at(at("2024-01-01T00:00:00Z")), 5 * 3600 + 1800);
        assert_eq!(
            fixed.to_utc(wall("2024-01-01 09:00")),
            at("2024-01-01T03:30:00Z")
        );
        let by_dates = zone(
            "BEGIN:VTIMEZONE
TZID:Änderungen
BEGIN:DAYLIGHT
DTSTART:20240331T020000
RDATE:20250330T020000,20260329T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
BEGIN:STANDARD
DTSTART:20231029T030000
RDATE:20241027T030000
RDATE:20251026T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
",
        )
        .expect("zone");
        assert_eq!(by_dates.offset_at(at("2025-07-01T00:00:00Z")), 7200);
        assert_eq!(by_dates.offset_at(at("2025-12-01T00:00:00Z")), 3600);
        assert_eq!(by_dates.offset_at(at("2026-07-01T00:00:00Z")), 7200);
    }

    #[test]
    fn zones_that_define_nothing_say_why_and_hostile_rules_stay_bounded() {
        let no_offset = zone(
            "BEGIN:VTIMEZONE
TZID:Broken
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETTO:+2500
END:STANDARD
END:VTIMEZONE
",
        )
        .expect_err("no valid observance");
        assert!(
            no_offset.contains("Broken") && no_offset.contains("TZOFFSETFROM"),
            "{no_offset}"
        );
        let empty = zone("BEGIN:VTIMEZONE\nTZID:Empty\nEND:VTIMEZONE\n").expect_err("empty");
        assert!(empty.contains("no STANDARD or DAYLIGHT"), "{empty}");
        let hostile = zone(
            "BEGIN:VTIMEZONE
TZID:Every second
BEGIN:STANDARD
DTSTART:19700101T000000
RRULE:FREQ=SECONDLY
TZOFFSETFROM:+0000
TZOFFSETTO:+0100
END:STANDARD
END:VTIMEZONE
",
        )
        .expect("zone");
        assert_eq!(
            hostile.transitions.len(),
            usize::from(MAX_ONSETS_PER_OBSERVANCE)
        );
        assert_eq!(hostile.offset_at(at("2024-01-01T00:00:00Z")), 3600);
    }
}

//! Time zones as settings spell them: an IANA name (`Europe/Paris`) or a fixed offset (`+05:30`).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};
use serde::Deserialize;

/// Where local time is reckoned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Zone {
    /// A zone of the IANA database, daylight saving included.
    Named(chrono_tz::Tz),
    /// A fixed offset from UTC.
    Fixed(FixedOffset),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Named(chrono_tz::UTC)
    }
}

impl TryFrom<String> for Zone {
    type Error = String;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl std::str::FromStr for Zone {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if let Some(offset) = parse_offset(text) {
            return Ok(Zone::Fixed(offset));
        }
        text.parse::<chrono_tz::Tz>().map(Zone::Named).map_err(|_| {
            format!(
                "time zone {text:?} is not accepted: expected an IANA name such as \
                 \"Europe/London\" or an offset such as \"+05:30\" or \"UTC\""
            )
        })
    }
}

fn parse_offset(text: &str) -> Option<FixedOffset> {
    let rest = text
        .strip_prefix("UTC")
        .or_else(|| text.strip_prefix("GMT"))
        .unwrap_or(text);
    let (sign, digits) = match rest.as_bytes().first()? {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<i32>().ok()?, m.parse::<i32>().ok()?),
        // `get`, not indexing: four bytes of user text may split a multi-byte character.
        None if digits.len() == 4 => (
            digits.get(..2)?.parse().ok()?,
            digits.get(2..)?.parse().ok()?,
        ),
        None => (digits.parse().ok()?, 0),
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

impl Zone {
    /// Local wall time at `instant`.
    pub fn local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Named(tz) => instant.with_timezone(tz).naive_local(),
            Zone::Fixed(offset) => instant.with_timezone(offset).naive_local(),
        }
    }

    /// The UTC instant of local wall time `local` (the earlier one in a repeated hour; a time
    /// skipped by daylight saving is taken an hour later).
    pub fn to_utc(&self, local: NaiveDateTime) -> DateTime<Utc> {
        fn resolve<Z: TimeZone>(zone: &Z, local: NaiveDateTime) -> DateTime<Utc> {
            zone.from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    let later = local.checked_add_signed(chrono::Duration::hours(1))?;
                    zone.from_local_datetime(&later).earliest()
                })
                .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
        }
        match self {
            Zone::Named(tz) => resolve(tz, local),
            Zone::Fixed(offset) => resolve(offset, local),
        }
    }

    /// The offset from UTC at `instant`, seconds.
    pub fn offset_seconds(&self, instant: DateTime<Utc>) -> i32 {
        match self {
            Zone::Named(tz) => tz
                .offset_from_utc_datetime(&instant.naive_utc())
                .fix()
                .local_minus_utc(),
            Zone::Fixed(offset) => offset.local_minus_utc(),
        }
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Named(tz) => write!(f, "{}", tz.name()),
            Zone::Fixed(offset) => write!(f, "{offset}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_zone_text_is_refused_not_a_panic() {
        for text in [
            "+1é2",
            "+é12",
            "UTC+1\u{300}0",
            "Europe/Zürich",
            "−05:00",
            "+٠٥",
        ] {
            assert!(text.parse::<Zone>().is_err(), "{text}");
        }
    }

    #[test]
    fn names_and_offsets() {
        let at = DateTime::parse_from_rfc3339("2024-07-01T12:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        let paris: Zone = "Europe/Paris".parse().expect("IANA");
        assert_eq!(paris.local(at).format("%H:%M").to_string(), "14:00");
        let india: Zone = "+05:30".parse().expect("offset");
        assert_eq!(india.local(at).format("%H:%M").to_string(), "17:30");
        let west: Zone = "UTC-3".parse().expect("offset");
        assert_eq!(west.offset_seconds(at), -3 * 3600);
        assert_eq!("UTC".parse::<Zone>(), Ok(Zone::default()));
        assert!("Mars/Olympus".parse::<Zone>().unwrap_err().contains("IANA"));
        assert_eq!(paris.to_utc(paris.local(at)), at);
    }
}

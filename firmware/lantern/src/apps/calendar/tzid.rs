//! A TZID as real calendars write it, to a zone of the IANA database: the name itself,
//! a vendor's path ending in one (`/mozilla.org/20070129_1/America/New_York`), or a Windows
//! zone name from Outlook and Exchange ("W. Europe Standard Time").

use chrono_tz::Tz;

/// How a TZID was understood, for people checking a feed (`lantern agenda`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An IANA name as written.
    Iana(Tz),
    /// The IANA name at the end of a vendor's path.
    VendorPath(Tz),
    /// A Windows zone name, mapped as CLDR maps it for its main region.
    Windows(Tz),
}

impl Resolved {
    /// The zone.
    pub fn zone(self) -> Tz {
        match self {
            Resolved::Iana(tz) | Resolved::VendorPath(tz) | Resolved::Windows(tz) => tz,
        }
    }
}

/// Windows zone names and the IANA zone CLDR's windowsZones.xml gives each for its main
/// region ("001"), for the zones Outlook and Exchange invitations most often carry. CLDR's
/// data is under the Unicode licence; this is a subset, typed from it.
const WINDOWS: &[(&str, &str)] = &[
    ("Dateline Standard Time", "Etc/GMT+12"),
    ("UTC-11", "Etc/GMT+11"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Mountain Standard Time", "America/Denver"),
    ("Central America Standard Time", "America/Guatemala"),
    ("Central Standard Time", "America/Chicago"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("Eastern Standard Time", "America/New_York"),
    ("US Eastern Standard Time", "America/Indianapolis"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Pacific SA Standard Time", "America/Santiago"),
    ("Newfoundland Standard Time", "America/St_Johns"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("UTC", "Etc/UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Romance Standard Time", "Europe/Paris"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("W. Central Africa Standard Time", "Africa/Lagos"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("Egypt Standard Time", "Africa/Cairo"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Arab Standard Time", "Asia/Riyadh"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("E. Africa Standard Time", "Africa/Nairobi"),
    ("Iran Standard Time", "Asia/Tehran"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("Pakistan Standard Time", "Asia/Karachi"),
    ("India Standard Time", "Asia/Calcutta"),
    ("Nepal Standard Time", "Asia/Katmandu"),
    ("Bangladesh Standard Time", "Asia/Dhaka"),
    ("SE Asia Standard Time", "Asia/Bangkok"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("W. Australia Standard Time", "Australia/Perth"),
    ("Taipei Standard Time", "Asia/Taipei"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("Cen. Australia Standard Time", "Australia/Adelaide"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
];

/// The zone a TZID names, and how it was found; `None` when it names none the lamp knows.
pub fn resolve(tzid: &str) -> Option<Resolved> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = tzid.trim_start_matches('/').parse::<Tz>() {
        return Some(Resolved::Iana(tz));
    }
    if let Some((_, iana)) = WINDOWS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(tzid))
    {
        return iana.parse::<Tz>().ok().map(Resolved::Windows);
    }
    // The shortest tail of a vendor's path that is an IANA name ("…/America/New_York"): the
    // shortest, since "Tzfile/Europe/London" is no zone but "Europe/London" is.
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    (1..parts.len())
        .rev()
        .map(|from| parts[parts.len() - from..].join("/"))
        .find_map(|tail| tail.parse::<Tz>().ok())
        .map(Resolved::VendorPath)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_vendor_and_windows_names_resolve_and_others_do_not() {
        assert_eq!(
            resolve("Europe/Paris"),
            Some(Resolved::Iana(Tz::Europe__Paris))
        );
        assert_eq!(
            resolve("/mozilla.org/20070129_1/America/New_York"),
            Some(Resolved::VendorPath(Tz::America__New_York))
        );
        assert_eq!(
            resolve("/freeassociation.sourceforge.net/Tzfile/Europe/London"),
            Some(Resolved::VendorPath(Tz::Europe__London))
        );
        assert_eq!(
            resolve("W. Europe Standard Time"),
            Some(Resolved::Windows(Tz::Europe__Berlin))
        );
        assert_eq!(
            resolve("\"Eastern Standard Time\""),
            Some(Resolved::Windows(Tz::America__New_York))
        );
        assert_eq!(resolve("an event with a custom tz name"), None);
        assert_eq!(resolve("Zürich/Ost"), None);
        assert_eq!(resolve(""), None);
        // Every mapped name is a zone the database knows.
        for (windows, iana) in WINDOWS {
            assert!(iana.parse::<Tz>().is_ok(), "{windows} → {iana}");
        }
    }
}

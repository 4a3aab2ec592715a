//! A TZID as real calendars write it, to a zone of the IANA database: the name itself,
//! a vendor's path ending in one (`/mozilla.org/20070129_1/America/New_York`), or a Windows
//! zone name from Outlook and Exchange ("W. Europe Standard Time").

use chrono_tz::Tz;

use super::windows_zones::WINDOWS_ZONES as WINDOWS;

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
        assert_eq!(
            resolve("Aus Central W. Standard Time"),
            Some(Resolved::Windows(Tz::Australia__Eucla))
        );
        // Every mapped name is a zone the database knows, and the table is CLDR's whole.
        assert!(WINDOWS.len() >= 139, "{}", WINDOWS.len());
        for (windows, iana) in WINDOWS {
            assert!(iana.parse::<Tz>().is_ok(), "{windows} → {iana}");
        }
    }
}

//! What real calendar feeds do, and what the lamp makes of it. Each expectation is worked out
//! from RFC 5545 (and what Outlook, Google Calendar and Thunderbird show), written down here,
//! not taken from the code's output.

use chrono::NaiveDate;
use lantern::apps::Zone;
use lantern::apps::calendar::ics::{self, Occurrence};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn zone(name: &str) -> Zone {
    name.parse().expect("zone")
}

/// "HH:MM–HH:MM Title" in UTC for each occurrence, all-day ones as "all day Title".
fn agenda(text: &str, date: &str, lamp: &str) -> Vec<String> {
    let data = ics::parse(text).expect("a calendar");
    data.occurrences(day(date), zone(lamp))
        .iter()
        .map(line)
        .collect()
}

fn line(o: &Occurrence) -> String {
    if o.all_day {
        format!("all day {}", o.title)
    } else {
        format!(
            "{}–{} {}",
            o.start.format("%H:%M"),
            o.end.format("%H:%M"),
            o.title
        )
    }
}

fn crlf(lines: &str) -> String {
    lines.replace('\n', "\r\n")
}

#[test]
fn an_outlook_export_with_a_byte_order_mark_is_read() {
    let text = crlf(
        "\u{feff}BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nSUMMARY:Standup\n\
         DTSTART:20240514T093000Z\nDTEND:20240514T094500Z\nEND:VEVENT\nEND:VCALENDAR\n",
    );
    assert_eq!(agenda(&text, "2024-05-14", "UTC"), ["09:30–09:45 Standup"]);
}

#[test]
fn line_feeds_alone_and_folded_lines_are_read() {
    let text = "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:a\nSUMMARY:A long\n  title\n\
                DTSTART:20240514T100000Z\nEND:VEVENT\nEND:VCALENDAR\n";
    assert_eq!(
        agenda(text, "2024-05-14", "UTC"),
        ["10:00–10:00 A long title"]
    );
}

#[test]
fn an_event_before_the_calendar_s_own_properties_is_read() {
    let text = crlf(
        "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:First\nDTSTART:20240514T080000Z\n\
         END:VEVENT\nVERSION:2.0\nPRODID:-//odd//EN\nEND:VCALENDAR\n",
    );
    assert_eq!(agenda(&text, "2024-05-14", "UTC"), ["08:00–08:00 First"]);
}

#[test]
fn x_wr_timezone_places_floating_times() {
    // 09:00 floating in a calendar of America/New_York (EDT in May, UTC−4) is 13:00 UTC,
    // wherever the lamp is. A time with its own TZID or Z keeps it.
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\nX-WR-TIMEZONE:America/New_York\n\
         BEGIN:VEVENT\nUID:a\nSUMMARY:Floating\nDTSTART:20240514T090000\nDTEND:20240514T100000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:b\nSUMMARY:Zoned\nDTSTART;TZID=Europe/Paris:20240514T090000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:c\nSUMMARY:Utc\nDTSTART:20240514T090000Z\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(
        agenda(&text, "2024-05-14", "UTC"),
        [
            "07:00–07:00 Zoned",
            "09:00–09:00 Utc",
            "13:00–14:00 Floating"
        ]
    );
    let data = ics::parse(&text).expect("a calendar");
    let rules: Vec<String> = data
        .occurrences(day("2024-05-14"), zone("UTC"))
        .into_iter()
        .map(|o| o.zone_rule)
        .collect();
    assert_eq!(
        rules,
        ["TZID Europe/Paris", "UTC", "X-WR-TIMEZONE America/New_York"]
    );
}

#[test]
fn of_several_versions_of_an_event_the_highest_sequence_then_the_latest_stamp_wins() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:x\nSEQUENCE:0\nDTSTAMP:20240501T000000Z\nSUMMARY:Draft\nDTSTART:20240514T090000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:x\nSEQUENCE:2\nDTSTAMP:20240503T000000Z\nSUMMARY:Final\nDTSTART:20240514T110000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:x\nSEQUENCE:1\nDTSTAMP:20240504T000000Z\nSUMMARY:Second\nDTSTART:20240514T100000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:y\nSEQUENCE:3\nDTSTAMP:20240502T000000Z\nSUMMARY:Older\nDTSTART:20240514T150000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:y\nSEQUENCE:3\nDTSTAMP:20240506T000000Z\nSUMMARY:Newer\nDTSTART:20240514T160000Z\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(
        agenda(&text, "2024-05-14", "UTC"),
        ["11:00–11:00 Final", "16:00–16:00 Newer"]
    );
}

#[test]
fn a_cancelled_instance_removes_its_occurrence_only() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:w\nSUMMARY:Weekly\nDTSTART:20240507T090000Z\nDTEND:20240507T100000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:w\nRECURRENCE-ID:20240514T090000Z\nSTATUS:CANCELLED\nSUMMARY:Weekly\nDTSTART:20240514T090000Z\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert!(agenda(&text, "2024-05-14", "UTC").is_empty());
    assert_eq!(agenda(&text, "2024-05-21", "UTC"), ["09:00–10:00 Weekly"]);
}

#[test]
fn two_rules_give_their_union_and_an_empty_rule_is_none() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:u\nSUMMARY:Gym\nDTSTART:20240513T070000Z\n\
         RRULE:FREQ=WEEKLY;BYDAY=MO\nRRULE:FREQ=WEEKLY;BYDAY=WE\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:e\nSUMMARY:Once\nDTSTART:20240514T120000Z\nRRULE:\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    // 2024-05-13 is a Monday.
    assert_eq!(agenda(&text, "2024-05-13", "UTC"), ["07:00–07:00 Gym"]);
    assert_eq!(agenda(&text, "2024-05-14", "UTC"), ["12:00–12:00 Once"]);
    assert_eq!(agenda(&text, "2024-05-15", "UTC"), ["07:00–07:00 Gym"]);
    assert!(agenda(&text, "2024-05-16", "UTC").is_empty());
    assert!(
        agenda(&text, "2024-05-21", "UTC").is_empty(),
        "an empty rule repeats nothing"
    );
}

#[test]
fn rdate_periods_dates_and_rdate_only_events_show() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:p\nSUMMARY:Clinic\nDTSTART:20240513T090000Z\nDTEND:20240513T093000Z\n\
         RDATE;VALUE=PERIOD:20240514T120000Z/PT2H,20240515T090000Z/20240515T101500Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:d\nSUMMARY:Bins\nDTSTART;VALUE=DATE:20240513\n\
         RDATE;VALUE=DATE:20240516\nRDATE;VALUE=DATE:20240520\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(
        agenda(&text, "2024-05-13", "UTC"),
        ["all day Bins", "09:00–09:30 Clinic"]
    );
    assert_eq!(agenda(&text, "2024-05-14", "UTC"), ["12:00–14:00 Clinic"]);
    assert_eq!(agenda(&text, "2024-05-15", "UTC"), ["09:00–10:15 Clinic"]);
    assert_eq!(agenda(&text, "2024-05-16", "UTC"), ["all day Bins"]);
    assert!(agenda(&text, "2024-05-17", "UTC").is_empty());
    assert_eq!(agenda(&text, "2024-05-20", "UTC"), ["all day Bins"]);
}

#[test]
fn odd_ends_and_bare_dates_are_read_leniently() {
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:h\nSUMMARY:New Year\nDTSTART:20190101\nRRULE:FREQ=YEARLY\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:b\nSUMMARY:Backwards\nDTSTART:20240101T100000Z\nDTEND:20240101T090000Z\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(
        agenda(&text, "2024-01-01", "UTC"),
        ["all day New Year", "10:00–10:00 Backwards"]
    );
}

#[test]
fn lantern_agenda_prints_the_days_as_json_with_both_clocks() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("feed.ics");
    std::fs::write(
        &path,
        crlf(
            "BEGIN:VCALENDAR\nVERSION:2.0\n\
             BEGIN:VEVENT\nUID:a\nSUMMARY:Standup\nDTSTART;TZID=America/New_York:20240514T090000\nDURATION:PT15M\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:z\nSUMMARY:Broken\nDTSTART:nonsense\nEND:VEVENT\n\
             END:VCALENDAR\n",
        ),
    )
    .expect("write");
    let output = atelier_cli::output_of_built(env!("CARGO_BIN_EXE_lantern"), |command| {
        command.arg("agenda").arg(&path).args([
            "--day",
            "2024-05-14",
            "--days",
            "3",
            "--timezone",
            "Europe/London",
            "--json",
        ])
    })
    .expect("lantern runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let days = json["days"].as_array().expect("days");
    assert_eq!(days.len(), 3);
    // 09:00 in New York (UTC−4) is 13:00 UTC and 14:00 in London (BST, UTC+1).
    let first = &days[0]["occurrences"][0];
    assert_eq!(first["title"], "Standup");
    assert_eq!(first["start"], "2024-05-14T14:00:00");
    assert_eq!(first["end"], "2024-05-14T14:15:00");
    assert_eq!(first["start_utc"], "2024-05-14T13:00:00+00:00");
    assert_eq!(first["zone_rule"], "TZID America/New_York");
    assert_eq!(days[1]["occurrences"].as_array().expect("list").len(), 1);
    assert!(
        days[2]["occurrences"].as_array().expect("list").is_empty(),
        "COUNT=2"
    );
    let skipped = json["skipped"].as_array().expect("skipped");
    assert!(
        skipped[0].as_str().expect("text").contains("Broken"),
        "{skipped:?}"
    );

    // A calendar that is not one: a clear error naming it.
    let bad = dir.path().join("bad.ics");
    std::fs::write(&bad, "hello").expect("write");
    let output = atelier_cli::output_of_built(env!("CARGO_BIN_EXE_lantern"), |command| {
        command.arg("agenda").arg(&bad)
    })
    .expect("lantern runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.ics") && stderr.contains("VCALENDAR"),
        "{stderr}"
    );
}

#[test]
fn windows_and_vendor_zone_names_place_invitations_from_abroad() {
    // 09:00 in Berlin (CEST, UTC+2) is 07:00 UTC; 09:00 in New York (EDT, UTC−4) is 13:00 UTC.
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:w\nSUMMARY:Berlin\nDTSTART;TZID=W. Europe Standard Time:20240514T090000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:m\nSUMMARY:New York\nDTSTART;TZID=/mozilla.org/20070129_1/America/New_York:20240514T090000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:q\nSUMMARY:Quoted\nDTSTART;TZID=\"Eastern Standard Time\":20240514T100000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:u\nSUMMARY:Unknown\nDTSTART;TZID=My Own Zone:20240514T090000\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(
        agenda(&text, "2024-05-14", "UTC"),
        [
            "07:00–07:00 Berlin",
            "09:00–09:00 Unknown",
            "13:00–13:00 New York",
            "14:00–14:00 Quoted"
        ]
    );
    let data = ics::parse(&text).expect("a calendar");
    assert!(
        data.zone_notes
            .iter()
            .any(|n| n.contains("W. Europe Standard Time") && n.contains("Europe/Berlin")),
        "{:?}",
        data.zone_notes
    );
    assert!(
        data.zone_notes
            .iter()
            .any(|n| n.contains("My Own Zone") && n.contains("floating"))
    );
}

#[test]
fn an_exdate_in_another_zone_removes_the_same_instant() {
    // The 09:00 New York instance on 2024-05-14 is 15:00 in Paris: an EXDATE written in Paris
    // time removes it.
    let text = crlf(
        "BEGIN:VCALENDAR\nVERSION:2.0\n\
         BEGIN:VEVENT\nUID:x\nSUMMARY:Call\nDTSTART;TZID=America/New_York:20240513T090000\nRRULE:FREQ=DAILY\n\
         EXDATE;TZID=Europe/Paris:20240514T150000\nEND:VEVENT\n\
         END:VCALENDAR\n",
    );
    assert_eq!(agenda(&text, "2024-05-13", "UTC"), ["13:00–13:00 Call"]);
    assert!(agenda(&text, "2024-05-14", "UTC").is_empty());
    assert_eq!(agenda(&text, "2024-05-15", "UTC"), ["13:00–13:00 Call"]);
}

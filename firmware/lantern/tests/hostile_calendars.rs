//! Calendars as a hostile or broken feed might send them: each is read, expanded and drawn
//! without a panic and within bounded work; the odd event is skipped, never the calendar.
//! Expectations come from plain minute arithmetic here, not from the expander.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use lantern::apps::calendar::ics::{self, MAX_PER_DAY};
use lantern::apps::{AppSettings, RenderContext, Zone};
use lantern::render::Frame;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn calendar(events: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
        events.replace('\n', "\r\n")
    )
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn utc() -> Zone {
    "UTC".parse().expect("zone")
}

/// Runs `work` on its own thread and fails, instead of hanging the suite, if it does not end
/// within a generous minute: these inputs used to stall for hours.
fn finishes<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(work());
    });
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: still expanding after a minute"))
}

#[test]
fn an_overflowing_duration_skips_that_event_only() {
    let text = calendar(
        "BEGIN:VEVENT\nUID:a\nSUMMARY:Forever\nDTSTART:20240514T090000Z\nDURATION:P99999999999999W\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:b\nSUMMARY:Huge\nDTSTART:20240514T090000Z\nDURATION:P9223372036854775807D\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:c\nSUMMARY:Standup\nDTSTART:20240514T093000Z\nDURATION:PT15M\nEND:VEVENT\n",
    );
    let data = ics::parse(&text).expect("a calendar");
    assert_eq!(data.len(), 1);
    assert_eq!(data.skipped.len(), 2, "{:?}", data.skipped);
    let titles: Vec<_> = data
        .occurrences(day("2024-05-14"), utc())
        .into_iter()
        .map(|o| o.title)
        .collect();
    assert_eq!(titles, ["Standup"]);
}

#[test]
fn a_rule_stepping_by_minutes_since_1900_reaches_today_at_once_and_exactly() {
    let text = calendar(
        "BEGIN:VEVENT\nUID:m\nSUMMARY:Tick\nDTSTART:19000101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=90\nEND:VEVENT\n",
    );
    let data = ics::parse(&text).expect("a calendar");
    let found = finishes("minutely since 1900", move || {
        data.occurrences(day("2024-05-14"), utc())
    });
    // Every 90 minutes from 1900-01-01 00:00: those starting on 2024-05-14.
    let origin = NaiveDateTime::parse_from_str("19000101T000000", "%Y%m%dT%H%M%S").expect("t");
    let day_start = day("2024-05-14").and_hms_opt(0, 0, 0).expect("t");
    let minutes = (day_start - origin).num_minutes();
    let first = (minutes + 89) / 90 * 90;
    let expected: Vec<NaiveDateTime> = (0..)
        .map(|k| origin + chrono::Duration::minutes(first + 90 * k))
        .take_while(|t| *t < day_start + chrono::Duration::days(1))
        .collect();
    let starts: Vec<NaiveDateTime> = found
        .iter()
        .map(|o| o.start.naive_utc())
        .filter(|t| *t >= day_start)
        .collect();
    assert_eq!(starts, expected);
    assert_eq!(expected.len(), 16);
}

#[test]
fn secondly_rules_are_bounded_and_a_huge_count_from_long_ago_is_refused() {
    let text = calendar(
        "BEGIN:VEVENT\nUID:s\nSUMMARY:Every second\nDTSTART:20240513T000000Z\nRRULE:FREQ=SECONDLY\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:c\nSUMMARY:Counted\nDTSTART:19000101T000000Z\nRRULE:FREQ=SECONDLY;COUNT=1000000000\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:n\nSUMMARY:Never\nDTSTART:19000101T000000Z\nRRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:e\nSUMMARY:Ended\nDTSTART:19000101T090000Z\nRRULE:FREQ=DAILY;UNTIL=20000101T000000Z\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:d\nSUMMARY:Daily\nDTSTART:19000101T090000Z\nRRULE:FREQ=DAILY\nEND:VEVENT\n",
    );
    let data = ics::parse(&text).expect("a calendar");
    let found = finishes("hostile rules", move || {
        data.occurrences(day("2024-05-14"), utc())
    });
    assert!(found.len() <= MAX_PER_DAY);
    assert!(found.iter().any(|o| o.title == "Every second"));
    assert!(!found.iter().any(|o| o.title == "Counted"));
    assert!(!found.iter().any(|o| o.title == "Never"));
    assert!(!found.iter().any(|o| o.title == "Ended"));
    let daily: Vec<_> = found.iter().filter(|o| o.title == "Daily").collect();
    assert_eq!(daily.len(), 1);
    assert_eq!(daily[0].start.to_rfc3339(), "2024-05-14T09:00:00+00:00");
}

#[test]
fn a_calendar_app_draws_a_hostile_day_from_the_refresher_s_result() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("hostile.ics");
    std::fs::write(
        &path,
        calendar(
            "BEGIN:VEVENT\nUID:s\nSUMMARY:Half-hourly\nDTSTART:19000101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=30\nEND:VEVENT\n\
             BEGIN:VEVENT\nUID:d\nSUMMARY:Broken\nDTSTART:20240514T090000Z\nDURATION:P99999999999999W\nEND:VEVENT\n",
        ),
    )
    .expect("write");
    let settings = AppSettings::parse(
        "calendar",
        &format!("path = {:?}", path.display().to_string()),
    )
    .expect("valid");
    let now: DateTime<Utc> = "2024-05-14T10:00:00Z".parse().expect("time");
    let mut app = settings.build_in(utc());
    let mut refresher = app.refresher().expect("a refresher");
    finishes("refresh", move || refresher.refresh(now));
    // Drawing is a lookup now: many frames, no expansion; the dense event's labels are drawn
    // (the frame differs from the same app with no calendar read).
    let mut frame = Frame::new(320, 180);
    for _ in 0..30 {
        app.render(&RenderContext::at(now), &mut frame);
    }
    let mut bare = Frame::new(320, 180);
    settings
        .build_in(utc())
        .render(&RenderContext::at(now), &mut bare);
    assert_ne!(frame, bare, "the day's events are drawn");
}

/// Whether the top band of `frame` has text in the warning colour ("calendar unavailable").
fn warned(frame: &Frame) -> bool {
    use embedded_graphics::pixelcolor::RgbColor as _;
    (0..frame.width() as i32).any(|x| {
        (8..32).any(|y| {
            let p = frame.pixel(x, y);
            p.r() > 200 && p.g() > 150 && p.b() < 60
        })
    })
}

#[test]
fn a_file_over_the_size_limit_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("huge.ics");
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(ics::MAX_BYTES + 10).expect("sparse file");
    let settings = AppSettings::parse(
        "calendar",
        &format!("path = {:?}", path.display().to_string()),
    )
    .expect("valid");
    let app = settings.build_in(utc());
    let mut refresher = app.refresher().expect("a refresher");
    refresher.refresh("2024-05-14T10:00:00Z".parse().expect("time"));
    let mut app = app;
    let mut frame = Frame::new(320, 180);
    app.render(
        &RenderContext::at("2024-05-14T10:00:00Z".parse().expect("time")),
        &mut frame,
    );
    assert!(warned(&frame), "calendar unavailable is drawn");
}

/// Lines a calendar is made of, whole or broken, to assemble at random.
fn line() -> impl Strategy<Value = String> {
    let names = prop::sample::select(vec![
        "BEGIN:VEVENT",
        "END:VEVENT",
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
        "SUMMARY",
        "UID",
        "STATUS",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "DTSTART;VALUE=DATE",
        "DTSTART;TZID=Europe/Paris",
        "DTSTART;TZID=/x/Nowhere",
        "EXDATE;TZID=America/New_York",
        "RDATE;VALUE=PERIOD",
    ]);
    let values = prop::sample::select(vec![
        "20240514T090000Z",
        "20240514",
        "19000101T000000",
        "99991231T235959Z",
        "00010101",
        "P1D",
        "PT15M",
        "-PT1H",
        "P99999999999999W",
        "PT",
        "P",
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=7",
        "FREQ=DAILY;COUNT=3",
        "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20240601",
        "FREQ=MONTHLY;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
        "FREQ=HOURLY;COUNT=99999999999",
        "FREQ=",
        "",
        "CANCELLED",
        "Ünïcødé ☎ summary",
        "a,b,c",
        "20240514T090000Z,20240515T090000Z",
    ]);
    prop_oneof![
        4 => (names, values).prop_map(|(n, v)| if n.starts_with("BEGIN") || n.starts_with("END") { n.to_owned() } else { format!("{n}:{v}") }),
        1 => "[ -~]{0,40}",
        1 => any::<String>().prop_map(|s| s.chars().take(40).collect()),
    ]
}

#[test]
fn any_assembly_of_calendar_lines_parses_expands_and_draws_without_panicking() {
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let days = [day("2024-05-14"), day("1900-01-01"), day("9999-12-30")];
    let zones: Vec<Zone> = ["UTC", "Europe/London", "+14:00", "-12:00"]
        .iter()
        .map(|z| z.parse().expect("zone"))
        .collect();
    runner
        .run(&prop::collection::vec(line(), 0..40), |lines| {
            let text = calendar(&lines.join("\n"));
            if let Ok(data) = ics::parse(&text) {
                for day in days {
                    for zone in &zones {
                        let found = data.occurrences(day, *zone);
                        prop_assert!(found.len() <= MAX_PER_DAY);
                    }
                }
            }
            Ok(())
        })
        .expect("no input panics or breaks a bound");
}

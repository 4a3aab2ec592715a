//! A busy Exchange export: 5 MB, 5 000 events (one-off meetings over two years, weekly and
//! daily series in Windows-named zones with the file's VTIMEZONEs, moved instances, exceptions,
//! long folded HTML descriptions), parsed and expanded for one day, as the lamp's calendar
//! refresher does. Target: median under 50 ms on the 2-core build machine. Peak memory is
//! printed before the timings (VmHWM of this process, which holds little else).

use chrono::NaiveDate;
use divan::Bencher;
use lantern::apps::Zone;
use lantern::apps::calendar::ics;

const EVENTS: usize = 5_000;

fn main() {
    let text = exchange_export();
    let before = high_water_kb();
    let data = ics::parse(&text).expect("the generated calendar parses");
    let shown = data.occurrences(day(), zone()).len();
    println!(
        "calendar: {:.1} MB, {} events ({} skipped), {shown} shown on {}; VmHWM {} kB after \
         generating the text, {} kB after parsing and expanding",
        text.len() as f64 / 1e6,
        data.len(),
        data.skipped.len(),
        day(),
        before,
        high_water_kb()
    );
    drop(data);
    divan::main();
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 18).expect("a date")
}

fn zone() -> Zone {
    "Europe/Berlin".parse().expect("a zone")
}

fn high_water_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A small deterministic generator: the benchmark sees the same calendar every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Lines folded at 75 octets, as exports write them.
fn fold(line: &str, out: &mut String) {
    let mut rest = line;
    let mut first = true;
    while !rest.is_empty() {
        let limit = if first { 75 } else { 74 };
        let mut cut = rest.len().min(limit);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        if !first {
            out.push(' ');
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n");
        rest = &rest[cut..];
        first = false;
    }
}

const ZONES: &str = "BEGIN:VTIMEZONE\r
TZID:W. Europe Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T030000\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VTIMEZONE\r
TZID:Eastern Standard Time\r
BEGIN:STANDARD\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0400\r
TZOFFSETTO:-0500\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:16010101T020000\r
TZOFFSETFROM:-0500\r
TZOFFSETTO:-0400\r
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r
END:DAYLIGHT\r
END:VTIMEZONE\r
";

fn exchange_export() -> String {
    let mut rng = Lcg(2025);
    let mut out = String::with_capacity(5_500_000);
    out.push_str("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nPRODID:Microsoft Exchange Server 2010\r\n");
    out.push_str("VERSION:2.0\r\nX-WR-CALNAME:Calendar\r\n");
    out.push_str(ZONES);
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a date");
    let mut series = Vec::new();
    for n in 0..EVENTS {
        let zone = if rng.below(4) == 0 {
            "Eastern Standard Time"
        } else {
            "W. Europe Standard Time"
        };
        let date = first + chrono::Duration::days(rng.below(730) as i64);
        let hour = 8 + rng.below(10);
        let minutes = [0, 15, 30, 45][rng.below(4) as usize];
        let length = [15, 30, 45, 60, 90][rng.below(5) as usize];
        let start = format!("{}T{hour:02}{minutes:02}00", date.format("%Y%m%d"));
        let end_minutes = hour * 60 + minutes + length;
        let end = format!(
            "{}T{:02}{:02}00",
            date.format("%Y%m%d"),
            end_minutes / 60,
            end_minutes % 60
        );
        let kind = rng.below(100);
        // 5 % are moved instances of an earlier series.
        if kind < 5
            && let Some((uid, series_start)) =
                series.get(rng.below(series.len().max(1) as u64) as usize)
        {
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(&format!(
                "UID:{uid}\r\nRECURRENCE-ID;TZID={zone}:{series_start}\r\n"
            ));
            out.push_str(&format!(
                "DTSTART;TZID={zone}:{start}\r\nDTEND;TZID={zone}:{end}\r\n"
            ));
        } else {
            let uid = format!("040000008200E00074C5B7101A82E00800000000{n:08X}");
            out.push_str("BEGIN:VEVENT\r\n");
            out.push_str(&format!("UID:{uid}\r\n"));
            out.push_str(&format!(
                "DTSTART;TZID={zone}:{start}\r\nDTEND;TZID={zone}:{end}\r\n"
            ));
            match kind {
                5..35 => {
                    out.push_str("RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE,FR;WKST=MO\r\n");
                    series.push((uid, start.clone()));
                }
                35..40 => {
                    out.push_str("RRULE:FREQ=DAILY;COUNT=200\r\n");
                    let skipped = date + chrono::Duration::days(7);
                    out.push_str(&format!(
                        "EXDATE;TZID={zone}:{}T{hour:02}{minutes:02}00\r\n",
                        skipped.format("%Y%m%d")
                    ));
                }
                _ => {}
            }
        }
        out.push_str(&format!("SUMMARY;LANGUAGE=en-US:Meeting {n}\r\n"));
        out.push_str("DTSTAMP:20240101T120000Z\r\nCLASS:PUBLIC\r\nPRIORITY:5\r\n");
        out.push_str("TRANSP:OPAQUE\r\nSTATUS:CONFIRMED\r\nSEQUENCE:0\r\n");
        let mut description = String::from("DESCRIPTION;LANGUAGE=en-US:");
        while description.len() < 250 {
            description.push_str(
                "Agenda\\n- \"status\" of the project\\, risks\\; next steps\\n\
                 Join online: https://meet.example.com/j/123456789?pwd=abcdef \\n",
            );
        }
        fold(&description, &mut out);
        let mut html = String::from("X-ALT-DESC;FMTTYPE=text/html:<html><body>");
        while html.len() < 300 {
            html.push_str("<p class=\"MsoNormal\">Agenda: &quot;status&quot;\\, risks</p>");
        }
        html.push_str("</body></html>");
        fold(&html, &mut out);
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

#[divan::bench(sample_count = 20)]
fn parse_and_expand_one_day(bencher: Bencher<'_, '_>) {
    let text = exchange_export();
    bencher.bench_local(|| {
        let data = ics::parse(&text).expect("parses");
        divan::black_box(data.occurrences(day(), zone()).len())
    });
}

#[divan::bench(sample_count = 20)]
fn parse_only(bencher: Bencher<'_, '_>) {
    let text = exchange_export();
    bencher.bench_local(|| divan::black_box(ics::parse(&text).expect("parses").len()));
}

#[divan::bench(sample_count = 20)]
fn expand_one_day(bencher: Bencher<'_, '_>) {
    let data = ics::parse(&exchange_export()).expect("parses");
    bencher.bench_local(|| divan::black_box(data.occurrences(day(), zone()).len()));
}

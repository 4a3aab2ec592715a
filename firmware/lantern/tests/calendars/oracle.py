"""The calendar oracle: what an independent implementation says happens on each day.

recurring-ical-events 3 over icalendar 7 (with x-wr-timezone for calendars that name their zone
in X-WR-TIMEZONE), the Python libraries that Home Assistant, Nextcloud tools and others use. It
shares no code with the lamp's calendar. tests/run.sh installs the pinned versions.

    python3 oracle.py FILE.ics ZONE DAY...

prints one JSON object: {"YYYY-MM-DD": [{"title", "start", "end", "all_day"}...]}, times in UTC
(RFC 3339), each day's events overlapping that day in ZONE (an IANA name), cancelled ones left
out. Floating times and all-day dates are placed in ZONE, as the lamp places them.
"""

import datetime as dt
import json
import sys
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone


def utc(value, zone):
    """A DTSTART/DTEND value as a UTC datetime: dates and floating times are in `zone`."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(dt.timezone.utc)
    return dt.datetime.combine(value, dt.time(), zone).astimezone(dt.timezone.utc)


def rfc3339(value):
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    path, zone_name, days = sys.argv[1], sys.argv[2], sys.argv[3:]
    zone = ZoneInfo(zone_name)
    with open(path, "rb") as file:
        calendar = icalendar.Calendar.from_ical(file.read())
    calendar = x_wr_timezone.to_standard(calendar)
    query = recurring_ical_events.of(calendar)
    result = {}
    for day in map(dt.date.fromisoformat, days):
        start = dt.datetime.combine(day, dt.time(), zone)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
        found = []
        for event in query.between(start, end):
            # recurring-ical-events hands cancelled instances to its caller, whose job it is to
            # hide them (as a calendar view does, and as the lamp does).
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            begins = event["DTSTART"].dt
            all_day = not isinstance(begins, dt.datetime)
            ends = event.end if event.end is not None else begins
            found.append(
                {
                    "title": str(event.get("SUMMARY", "(untitled)")),
                    "start": rfc3339(utc(begins, zone)),
                    "end": rfc3339(utc(ends, zone)),
                    "all_day": all_day,
                }
            )
        found.sort(key=lambda e: (not e["all_day"], e["start"], e["title"]))
        result[day.isoformat()] = found
    json.dump(result, sys.stdout, ensure_ascii=False, sort_keys=True)
    print()


if __name__ == "__main__":
    main()

"""A participant's agenda as an iCalendar file (RFC 5545), times in the reader's zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def _text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (a CRLF and a space)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        end = min(start + (75 if not parts else 74), len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def calendar(*, events: list[dict], zone: zoneinfo.ZoneInfo, name: str, stamp: dt.datetime) -> str:
    """`events`: uid, start, end (aware), summary, location, description, url."""
    tz = zone.key
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//techmatch portal//connection sessions//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_text(name)}",
        f"X-WR-TIMEZONE:{tz}",
    ]
    for event in events:
        start = event["start"].astimezone(zone)
        end = event["end"].astimezone(zone)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}",
            f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
            f"DTSTART;TZID={tz}:{start:%Y%m%dT%H%M%S}",
            f"DTEND;TZID={tz}:{end:%Y%m%dT%H%M%S}",
            f"SUMMARY:{_text(event['summary'])}",
        ]
        if event.get("location"):
            lines.append(f"LOCATION:{_text(event['location'])}")
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        if event.get("description"):
            lines.append(f"DESCRIPTION:{_text(event['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"

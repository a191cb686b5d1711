"""An iCalendar (RFC 5545) invitation for a Tahap II meeting, attached to the notification email so the
meeting lands in the coordinator's and the assessors' calendars. Plain text, no dependency."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 3.1)."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > 74:
            out.append(current)
            current = " "
        current += ch
    out.append(current)
    return "\r\n".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_ics(meeting: Any) -> str:
    region = meeting.region
    summary = f"Evaluasi Smart City Tahap II — {region.name} ({region.code})"
    where = meeting.place or meeting.meeting_url
    description = f"{meeting.cycle.name}. " + (f"Tautan: {meeting.meeting_url}. " if meeting.meeting_url else "") \
        + (f"Tempat: {meeting.place}." if meeting.place else "")
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kotacerdas//Tahap II//ID", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:kotacerdas-meeting-{meeting.pk}@{settings.SITE_ROOT.split('//')[-1].split('/')[0]}",
        f"SEQUENCE:{meeting.version - 1}",
        f"DTSTAMP:{_utc(meeting.updated_at)}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(meeting.starts_at + dt.timedelta(minutes=meeting.duration_minutes))}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(where)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    if meeting.meeting_url:
        lines.append(f"URL:{meeting.meeting_url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"

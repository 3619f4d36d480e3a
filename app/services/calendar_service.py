"""The meeting calendar: series, stored occurrences, single meetings and the queries.

Occurrences are stored, not computed on the fly: an advisor moves one
meeting, cancels another, writes a note on a third, and those individual
changes must survive when the series' rule changes. Each occurrence is
identified by its series and the date the rule produced (``occurrence_key``);
regenerating touches only future, untouched (not detached), planned
occurrences.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from app.domain import cadence, closures, conflicts, recurrence
from app.domain.calendar_model import (
    DateRange,
    HolidayPolicy,
    MeetingStatus,
    Occurrence,
    SchoolHolidayPolicy,
)
from app.errors import BadInput
from app.i18n import _
from app.services.changes import Changes
from app.store import (
    forums_repo,
    meetings_repo,
    school_holidays_repo,
    series_repo,
    settings_repo,
    sites_repo,
)
from app.store.meetings_repo import MeetingRow
from app.store.vault import Vault

HORIZON_DAYS = 365
# Extend the stored horizon only when it falls this far behind, so reading
# the calendar does not write on every call.
HORIZON_SLACK_DAYS = 30
TRAVEL_BUFFER_SETTING = "travel_buffer_minutes"
EXTRA_CLOSURES_SETTING = "extra_closure_days"
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class MeetingNotFound(BadInput):
    """A meeting id that is not in the vault."""


@dataclass(frozen=True)
class MeetingView:
    """A meeting as the calendar shows it (local, timezone-aware times)."""

    id: str
    series_id: str | None
    start: datetime
    end: datetime
    iso_year: int
    iso_week: int
    site_id: str
    site_name: str
    forum_id: str
    forum_kind: str
    forum_name: str
    status: str
    agenda_item_count: int
    moved_from: date | None
    note: str
    sequence: int
    updated_at: str


def to_utc_text(moment: datetime) -> str:
    """The stored form of an aware datetime."""
    return moment.astimezone(UTC).strftime(_UTC_FORMAT)


def from_utc_text(text: str) -> datetime:
    """An aware UTC datetime from its stored form."""
    return datetime.strptime(text, _UTC_FORMAT).replace(tzinfo=UTC)


class CalendarService:
    """Calendar use cases on one unlocked vault (call from the database thread)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault
        self.tz = ZoneInfo(closures.TIMEZONES[vault.country])

    # --- settings -----------------------------------------------------------------

    def travel_buffer(self) -> timedelta:
        """The configured minimum time between meetings at different sites."""
        value = settings_repo.get(self.vault.conn, TRAVEL_BUFFER_SETTING)
        if value is None:
            return conflicts.DEFAULT_TRAVEL_BUFFER
        return timedelta(minutes=int(value))

    def set_travel_buffer(self, minutes: int) -> Changes:
        """Change the travel buffer (0–240 minutes)."""
        if not 0 <= minutes <= 240:
            raise BadInput(_("The travel buffer must be between 0 and 240 minutes."))
        with self.vault.transaction() as conn:
            settings_repo.put(conn, self.vault.ctx, TRAVEL_BUFFER_SETTING, str(minutes))
        return Changes.of("settings")

    def extra_closure_days(self) -> tuple[tuple[int, int], ...]:
        """The extra closure days (month, day); the country's defaults unless changed."""
        value = settings_repo.get(self.vault.conn, EXTRA_CLOSURES_SETTING)
        if value is None:
            return closures.DEFAULT_EXTRA_CLOSURES[self.vault.country]
        return tuple((int(m), int(d)) for m, d in json.loads(value))

    def set_extra_closure_days(self, days: Iterable[tuple[int, int]]) -> Changes:
        """Replace the list of extra closure days (month, day)."""
        clean = sorted({(int(m), int(d)) for m, d in days})
        for month, day in clean:
            try:
                date(2024, month, day)  # a leap year accepts 29 February
            except ValueError:
                raise BadInput(
                    _("{month}/{day} is not a day of the year.").format(month=month, day=day)
                ) from None
        with self.vault.transaction() as conn:
            settings_repo.put(conn, self.vault.ctx, EXTRA_CLOSURES_SETTING, json.dumps(clean))
        return Changes.of("settings")

    def school_holidays(self) -> list[DateRange]:
        """The configured school-holiday periods."""
        return [period for _, _, period in school_holidays_repo.list_all(self.vault.conn)]

    def add_school_holiday(self, period: DateRange, name: str = "") -> Changes:
        """Add a school-holiday period."""
        with self.vault.transaction() as conn:
            rid = school_holidays_repo.add(conn, self.vault.ctx, period, name)
        return Changes.of("school_holidays", rid)

    def closure_calendar(self, first_year: int, last_year: int) -> closures.ClosureCalendar:
        """Public holidays, closure days and school holidays for a span of years."""
        return closures.build_closure_calendar(
            self.vault.country,
            first_year,
            last_year,
            extra_closure_days=self.extra_closure_days(),
            school_holidays=self.school_holidays(),
        )

    # --- forums -------------------------------------------------------------------

    def change_forum(
        self,
        forum_id: str,
        *,
        name: str | None = None,
        default_rrule: str | None = None,
        default_duration_minutes: int | None = None,
        max_gap_days: int | None = None,
    ) -> Changes:
        """Change a forum's defaults, e.g. the day-care consultation to every 4th Monday.

        Existing series keep their own rule; the new default applies to new series.
        """
        fields: dict[str, object] = {}
        if name is not None:
            if not name.strip():
                raise BadInput(_("A forum needs a name."))
            fields["name"] = name.strip()
        if default_rrule is not None:
            problem = recurrence.validate_rrule(default_rrule)
            if problem:
                raise BadInput(problem)
            fields["default_rrule"] = default_rrule
        if default_duration_minutes is not None:
            if default_duration_minutes <= 0:
                raise BadInput(_("A meeting must last at least one minute."))
            fields["default_duration_minutes"] = default_duration_minutes
        if max_gap_days is not None:
            if max_gap_days <= 0:
                raise BadInput(_("The longest allowed gap must be at least one day."))
            fields["max_gap_days"] = max_gap_days
        with self.vault.transaction() as conn:
            if not forums_repo.update(conn, self.vault.ctx, forum_id, **fields):
                raise BadInput(_("There is no such forum."))
        return Changes.of("forums", forum_id)

    # --- series -------------------------------------------------------------------

    def add_series(
        self,
        forum_id: str,
        site_id: str,
        first_start: datetime,
        today: date,
        *,
        rrule: str | None = None,
        duration_minutes: int | None = None,
        holiday_policy: HolidayPolicy = HolidayPolicy.SKIP,
        school_policy: SchoolHolidayPolicy | None = None,
        other_sites: Iterable[str] = (),
        ends_on: date | None = None,
    ) -> tuple[str, Changes]:
        """Create a series (the forum's defaults fill what is not given) and its meetings."""
        forum = self._forum_at_site(forum_id, site_id)
        rule = rrule or forum.default_rrule
        if not rule:
            raise BadInput(_("This forum has no default rhythm; give a recurrence rule."))
        problem = recurrence.validate_rrule(rule)
        if problem:
            raise BadInput(problem)
        duration = duration_minutes or forum.default_duration_minutes
        if duration <= 0:
            raise BadInput(_("A meeting must last at least one minute."))
        school = school_policy or SchoolHolidayPolicy(forum.school_holiday_policy)
        with self.vault.transaction() as conn:
            series_id = series_repo.add(
                conn,
                self.vault.ctx,
                forum_id=forum_id,
                site_id=site_id,
                rrule=rule,
                first_start=first_start.replace(tzinfo=None).isoformat(timespec="minutes"),
                duration_minutes=duration,
                holiday_policy=str(holiday_policy),
                school_holiday_policy=str(school),
                ends_on=ends_on.isoformat() if ends_on else None,
            )
            series_repo.set_sites(conn, self.vault.ctx, series_id, list(other_sites))
            changed = self._regenerate(series_id, today, from_day=None)
        return series_id, Changes.of("series", series_id) | changed

    def change_series(self, series_id: str, today: date, **fields: object) -> Changes:
        """Change a series' rule, time, duration or policies; future meetings follow.

        Meetings in the past, and ones moved, cancelled or annotated one by
        one, are kept as they are.
        """
        allowed = {
            "rrule",
            "first_start",
            "duration_minutes",
            "holiday_policy",
            "school_holiday_policy",
            "ends_on",
            "site_id",
        }
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        if "rrule" in fields:
            problem = recurrence.validate_rrule(str(fields["rrule"]))
            if problem:
                raise BadInput(problem)
        values = dict(fields)
        if isinstance(values.get("first_start"), datetime):
            start = values["first_start"]
            assert isinstance(start, datetime)
            values["first_start"] = start.replace(tzinfo=None).isoformat(timespec="minutes")
        ends_on = values.get("ends_on")
        if isinstance(ends_on, date):
            values["ends_on"] = ends_on.isoformat()
        for key in ("holiday_policy", "school_holiday_policy"):
            if key in values:
                values[key] = str(values[key])
        with self.vault.transaction() as conn:
            if not series_repo.update(conn, self.vault.ctx, series_id, **values):
                raise BadInput(_("There is no such meeting series."))
            changed = self._regenerate(series_id, today, from_day=today)
        return Changes.of("series", series_id) | changed

    def ensure_horizon(self, today: date) -> Changes:
        """Generate meetings up to a year ahead for every series that is behind."""
        target = today + timedelta(days=HORIZON_DAYS - HORIZON_SLACK_DAYS)

        def is_behind(s: series_repo.Series) -> bool:
            if s.generated_until is None:
                return True
            # A series that ends sooner is complete once generated to its end.
            goal = min(target, date.fromisoformat(s.ends_on)) if s.ends_on else target
            return date.fromisoformat(s.generated_until) < goal

        behind = [s for s in series_repo.list_all(self.vault.conn) if is_behind(s)]
        changed = Changes()
        if not behind:
            return changed
        with self.vault.transaction():
            for s in behind:
                changed |= self._regenerate(s.id, today, from_day=today)
        return changed

    def _regenerate(self, series_id: str, today: date, from_day: date | None) -> Changes:
        """Bring the stored occurrences of one series in line with its rule.

        ``from_day`` None: a new series, generate everything from its start.
        Otherwise only occurrences on or after ``from_day`` may change.
        Must run inside the caller's transaction.
        """
        conn, ctx = self.vault.conn, self.vault.ctx
        series = series_repo.get(conn, series_id)
        assert series is not None
        first_start = datetime.fromisoformat(series.first_start)
        window_last = today + timedelta(days=HORIZON_DAYS)
        if series.ends_on:
            window_last = min(window_last, date.fromisoformat(series.ends_on))
        window_first = first_start.date() if from_day is None else max(from_day, first_start.date())
        wanted: dict[str, Occurrence] = {}
        if window_first <= window_last:
            calendar = self.closure_calendar(window_first.year, window_last.year + 1)
            for occ in recurrence.expand(
                series.rrule,
                first_start,
                timedelta(minutes=series.duration_minutes),
                window_first,
                window_last,
                calendar,
                HolidayPolicy(series.holiday_policy),
                SchoolHolidayPolicy(series.school_holiday_policy),
                self.tz,
            ):
                wanted[occ.key.isoformat()] = occ
        existing = {m.occurrence_key: m for m in meetings_repo.of_series(conn, series_id)}
        with_items = meetings_repo.agenda_item_counts(conn, [m.id for m in existing.values()])
        touched: set[str] = set()
        for key, meeting in existing.items():
            # Only meetings on or after the change may go: a new series keeps
            # nothing older than its start, a changed one keeps its past.
            if key is None or date.fromisoformat(key) < (from_day or window_first):
                continue
            if meeting.detached or meeting.status != MeetingStatus.PLANNED:
                continue
            target = wanted.get(key)
            if target is None and with_items.get(meeting.id):
                # An agenda is being prepared for it: keep it as a one-off.
                meetings_repo.update(conn, ctx, meeting.id, detached=1)
                touched.add(meeting.id)
                continue
            if target is None:
                meetings_repo.delete(conn, meeting.id)
                touched.add(meeting.id)
                continue
            start, end = to_utc_text(target.start), to_utc_text(target.end)
            moved = target.moved_from.isoformat() if target.moved_from else None
            if (start, end, moved, series.site_id) != (
                meeting.start_utc,
                meeting.end_utc,
                meeting.moved_from,
                meeting.site_id,
            ):
                meetings_repo.update(
                    conn,
                    ctx,
                    meeting.id,
                    start_utc=start,
                    end_utc=end,
                    moved_from=moved,
                    site_id=series.site_id,
                    sequence=meeting.sequence + 1,
                )
                touched.add(meeting.id)
        for key, occ in wanted.items():
            if key in existing:
                continue
            touched.add(
                meetings_repo.add(
                    conn,
                    ctx,
                    series_id=series_id,
                    occurrence_key=key,
                    forum_id=series.forum_id,
                    site_id=series.site_id,
                    start_utc=to_utc_text(occ.start),
                    end_utc=to_utc_text(occ.end),
                    status=str(MeetingStatus.PLANNED),
                    moved_from=occ.moved_from.isoformat() if occ.moved_from else None,
                )
            )
        series_repo.update(conn, ctx, series_id, generated_until=window_last.isoformat())
        return Changes(frozenset({"meetings"}), frozenset(touched))

    # --- single meetings and one-off changes --------------------------------------

    def add_meeting(
        self, forum_id: str, site_id: str, start: datetime, duration_minutes: int | None = None
    ) -> tuple[str, Changes]:
        """A single meeting (dialogue, network …) at any date and time (naive = local)."""
        forum = self._forum_at_site(forum_id, site_id)
        minutes = duration_minutes or forum.default_duration_minutes
        if minutes <= 0:
            raise BadInput(_("A meeting must last at least one minute."))
        local = self._local(start)
        with self.vault.transaction() as conn:
            mid = meetings_repo.add(
                conn,
                self.vault.ctx,
                forum_id=forum_id,
                site_id=site_id,
                start_utc=to_utc_text(local),
                end_utc=to_utc_text(
                    self._local(local.replace(tzinfo=None) + timedelta(minutes=minutes))
                ),
                status=str(MeetingStatus.PLANNED),
            )
        return mid, Changes.of("meetings", mid)

    def move_meeting(
        self, meeting_id: str, start: datetime, duration_minutes: int | None = None
    ) -> Changes:
        """Move one meeting; it is then kept as it is when its series changes."""
        meeting = self._meeting(meeting_id)
        old_start, old_end = from_utc_text(meeting.start_utc), from_utc_text(meeting.end_utc)
        minutes = duration_minutes or int((old_end - old_start).total_seconds() // 60)
        if minutes <= 0:
            raise BadInput(_("A meeting must last at least one minute."))
        local = self._local(start)
        end = self._local(local.replace(tzinfo=None) + timedelta(minutes=minutes))
        return self._change(meeting, start_utc=to_utc_text(local), end_utc=to_utc_text(end))

    def cancel_meeting(self, meeting_id: str) -> Changes:
        """Cancel one meeting (it stays, marked cancelled, so the ICS export can say so)."""
        return self._change(self._meeting(meeting_id), status=str(MeetingStatus.CANCELLED))

    def mark_held(self, meeting_id: str) -> Changes:
        """Record that a meeting took place."""
        return self._change(self._meeting(meeting_id), status=str(MeetingStatus.HELD))

    def annotate(self, meeting_id: str, note: str) -> Changes:
        """Attach a short practical note to one meeting (room, time change …)."""
        return self._change(self._meeting(meeting_id), note=note)

    def _change(self, meeting: MeetingRow, **fields: object) -> Changes:
        with self.vault.transaction() as conn:
            meetings_repo.update(
                conn,
                self.vault.ctx,
                meeting.id,
                detached=1,
                sequence=meeting.sequence + 1,
                **fields,
            )
        return Changes.of("meetings", meeting.id)

    def _forum_at_site(self, forum_id: str, site_id: str) -> forums_repo.Forum:
        """The forum, after checking that both it and the site exist."""
        forum = forums_repo.get(self.vault.conn, forum_id)
        if forum is None:
            raise BadInput(_("There is no such forum."))
        if sites_repo.get(self.vault.conn, site_id) is None:
            raise BadInput(_("There is no such site."))
        return forum

    def _meeting(self, meeting_id: str) -> MeetingRow:
        meeting = meetings_repo.get(self.vault.conn, meeting_id)
        if meeting is None:
            raise MeetingNotFound(_("There is no meeting with the id {id}.").format(id=meeting_id))
        return meeting

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    # --- queries ------------------------------------------------------------------

    def get(self, meeting_id: str) -> MeetingView:
        """One meeting."""
        return self._views([self._meeting(meeting_id)])[0]

    def between(self, first: date, last: date) -> list[MeetingView]:
        """Meetings starting on ``first`` … ``last`` (local days, inclusive), by start."""
        lo = datetime.combine(first, datetime.min.time(), self.tz)
        hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), self.tz)
        return self._views(meetings_repo.between(self.vault.conn, to_utc_text(lo), to_utc_text(hi)))

    def week(self, iso_year: int, iso_week: int) -> list[MeetingView]:
        """Meetings of one ISO week (Monday–Sunday)."""
        try:
            monday = date.fromisocalendar(iso_year, iso_week, 1)
        except ValueError:
            raise BadInput(
                _("Week {week} does not exist in {year}.").format(week=iso_week, year=iso_year)
            ) from None
        return self.between(monday, monday + timedelta(days=6))

    def month(self, year: int, month: int) -> list[MeetingView]:
        """Meetings of one calendar month."""
        first = date(year, month, 1)
        nxt = date(year + month // 12, month % 12 + 1, 1)
        return self.between(first, nxt - timedelta(days=1))

    def _views(self, rows: list[MeetingRow]) -> list[MeetingView]:
        counts = meetings_repo.agenda_item_counts(self.vault.conn, [r.id for r in rows])
        views = []
        for row in rows:
            start = from_utc_text(row.start_utc).astimezone(self.tz)
            iso = start.date().isocalendar()
            views.append(
                MeetingView(
                    id=row.id,
                    series_id=row.series_id,
                    start=start,
                    end=from_utc_text(row.end_utc).astimezone(self.tz),
                    iso_year=iso.year,
                    iso_week=iso.week,
                    site_id=row.site_id,
                    site_name=row.site_name,
                    forum_id=row.forum_id,
                    forum_kind=row.forum_kind,
                    forum_name=row.forum_name,
                    status=row.status,
                    agenda_item_count=counts.get(row.id, 0),
                    moved_from=date.fromisoformat(row.moved_from) if row.moved_from else None,
                    note=row.note,
                    sequence=row.sequence,
                    updated_at=row.updated_at,
                )
            )
        return views

    def conflicts(self, first: date, last: date) -> list[conflicts.Conflict]:
        """Overlaps and too-short travel gaps among the meetings of a period."""
        slots = [
            conflicts.Slot(m.id, m.site_id, m.start, m.end)
            for m in self.between(first, last)
            if m.status != MeetingStatus.CANCELLED
        ]
        return conflicts.find_conflicts(slots, self.travel_buffer())

    def cadence(self, period: DateRange) -> list[cadence.CadenceFinding]:
        """For each site and forum with a cadence rule: the longest gap in ``period``."""
        conn = self.vault.conn
        holidays = self.school_holidays()
        rules = {f.id: f for f in forums_repo.list_all(conn) if f.max_gap_days}
        dates: dict[tuple[str, str], list[date]] = {}
        for s in series_repo.list_all(conn):
            if s.forum_id in rules:
                dates.setdefault((s.site_id, s.forum_id), [])
        for m in self.between(period.first, period.last):
            if m.forum_id in rules and m.status != MeetingStatus.CANCELLED:
                dates.setdefault((m.site_id, m.forum_id), []).append(m.start.date())
        findings = []
        for (site_id, forum_id), days in sorted(dates.items()):
            forum = rules[forum_id]
            assert forum.max_gap_days is not None
            # Day-cares stay open in school holidays: their gaps count in full.
            counted = holidays if forum.school_holiday_policy == "skip" else []
            findings.append(
                cadence.check(site_id, forum.kind, days, period, forum.max_gap_days, counted)
            )
        return findings

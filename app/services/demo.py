"""A vault of fictional demo data: districts, sites, people and a year of meetings.

Deterministic for a given seed and ``today``: the same command gives the same
vault (ids aside), so screenshots and tests are repeatable. Every name here
is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from app.domain import closures
from app.domain.calendar_model import ForumKind, HolidayPolicy, SiteKind
from app.errors import BadInput
from app.i18n import _
from app.services import sites_service
from app.services.calendar_service import CalendarService
from app.store import forums_repo, roles_repo
from app.store.vault import Vault, VaultDirectory

DEMO_PASSPHRASE = "demo"
SIZES = ("small", "large")

_DISTRICTS = {
    "DK": ("Nordskov", "Åbrink", "Søndervig"),
    "NO": ("Nordli", "Åsmyra", "Sørvika"),
}
_DAYCARE_WORDS = (
    "Mælkebøtten",
    "Regnbuen",
    "Skovtrolden",
    "Solsikken",
    "Myretuen",
    "Bikuben",
    "Kastanjen",
    "Troldehøjen",
    "Spiren",
)
_FIRST = (
    "Anne",
    "Bo",
    "Camilla",
    "Dorthe",
    "Emil",
    "Freja",
    "Gitte",
    "Henrik",
    "Ida",
    "Jens",
    "Karen",
    "Lars",
    "Mette",
    "Niels",
    "Oda",
    "Per",
    "Rikke",
    "Søren",
    "Tove",
    "Ulla",
)
_LAST = (
    "Abildgaard",
    "Bruun",
    "Dalsgaard",
    "Engholm",
    "Fjord",
    "Greve",
    "Holm",
    "Krog",
    "Lund",
    "Mørk",
    "Nygaard",
    "Overby",
    "Rask",
    "Skov",
    "Toft",
    "Vang",
)


@dataclass(frozen=True)
class DemoSummary:
    """What the demo created."""

    districts: int
    sites: int
    contacts: int
    series: int
    meetings: int
    cases: int = 0


def create_demo(
    directory: VaultDirectory,
    today: date,
    *,
    seed: int = 1,
    size: str = "small",
    country: str = "DK",
    passphrase: str = DEMO_PASSPHRASE,
) -> tuple[Vault, DemoSummary]:
    """Create the demo vault in ``directory`` and fill it; returns the open session."""
    if size != "small":
        raise BadInput(_("Only the small demo exists so far."))
    vault = directory.create(passphrase, country, demo=True).vault
    summary = fill(vault, today, random.Random(seed))
    # Only the demo command's vault: tests that build on fill() count its children.
    due_cases, old_meetings = fill_retention_examples(vault, today)
    summary = replace(
        summary, cases=summary.cases + due_cases, meetings=summary.meetings + old_meetings
    )
    return vault, summary


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def fill(vault: Vault, today: date, rng: random.Random) -> DemoSummary:
    """Fill an empty vault with the demo's districts, sites, people and series."""
    calendar = CalendarService(vault)
    country = vault.country
    for year in range(today.year - 1, today.year + 2):
        for period in closures.demo_school_holidays(country, year):
            calendar.add_school_holiday(period)
    roles = {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}
    forums = {f.kind: f.id for f in forums_repo.list_all(vault.conn)}
    names = iter(rng.sample([f"{f} {la}" for f in _FIRST for la in _LAST], 200))
    daycare_words = iter(rng.sample(_DAYCARE_WORDS, len(_DAYCARE_WORDS)))
    start = _monday_on_or_before(today - timedelta(days=182))
    counts = {"sites": 0, "contacts": 0, "series": 0}

    def contact(role: str, site_id: str | None) -> None:
        sites_service.add_contact(
            vault,
            next(names),
            roles[role],
            site_id,
            phone=f"+45 {rng.randint(20, 99)} "
            f"{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        )
        counts["contacts"] += 1

    for d_index, district_name in enumerate(_DISTRICTS[country]):
        district_id, _changes = sites_service.add_district(vault, f"{district_name} skoledistrikt")
        school_id, _changes = sites_service.add_site(
            vault,
            f"{district_name} Skole",
            SiteKind.SCHOOL,
            district_id,
            address=f"Skolevej {d_index + 1}",
            leader=next(names),
        )
        counts["sites"] += 1
        for role in ("leader", "teacher", "teacher", "ppr", "health-visitor", "ssp-worker"):
            contact(role, school_id)
        weekday = 1 + d_index  # Tuesday, Wednesday, Thursday
        calendar.add_series(
            forums[ForumKind.SCHOOL_RESOURCE_TEAM],
            school_id,
            datetime.combine(start + timedelta(days=weekday), time(12, 30)),
            today,
            holiday_policy=HolidayPolicy.MOVE,
        )
        calendar.add_series(
            forums[ForumKind.DISTRICT_HALF_YEARLY],
            school_id,
            datetime.combine(start + timedelta(days=weekday + 7 * d_index), time(15, 0)),
            today,
        )
        counts["series"] += 2
        for c_index in range(3):
            site_id, _changes = sites_service.add_site(
                vault,
                f"Børnehuset {next(daycare_words)}",
                SiteKind.DAYCARE,
                district_id,
                address=f"Børnestien {c_index + 1}",
                leader=next(names),
            )
            counts["sites"] += 1
            for role in ("leader", "pedagogue", "pedagogue"):
                contact(role, site_id)
            offset = (3 * d_index + c_index) % 5  # spread the day-cares over the 5-week cycle
            hour = time(9, 0) if c_index % 2 == 0 else time(13, 0)
            calendar.add_series(
                forums[ForumKind.DAYCARE_CONSULTATION],
                site_id,
                datetime.combine(start + timedelta(weeks=offset), hour),
                today,
                holiday_policy=HolidayPolicy.MOVE,
            )
            counts["series"] += 1
        family_id, _changes = sites_service.add_site(
            vault,
            f"Dagplejen {district_name}",
            SiteKind.FAMILY_DAYCARE,
            district_id,
            leader=next(names),
        )
        counts["sites"] += 1
        contact("leader", family_id)
        # A few one-off meetings in the coming weeks.
        calendar.add_meeting(
            forums[ForumKind.DIALOGUE],
            school_id,
            datetime.combine(
                _monday_on_or_before(today) + timedelta(days=7 + d_index), time(10, 0)
            ),
        )
        calendar.add_meeting(
            forums[ForumKind.NETWORK],
            school_id,
            datetime.combine(
                _monday_on_or_before(today) + timedelta(days=15 + d_index), time(14, 0)
            ),
        )
    for role in (
        "psychologist",
        "authority-caseworker",
        "family-therapist",
        "occupational-therapist",
    ):
        contact(role, None)
    for meeting in calendar.between(start, today - timedelta(days=1)):
        calendar.mark_held(meeting.id)
    cases = fill_cases(vault, today, rng)
    fill_minutes(vault, today, rng)
    meetings = len(calendar.between(start, today + timedelta(days=400)))
    return DemoSummary(
        len(_DISTRICTS[country]),
        counts["sites"],
        counts["contacts"],
        counts["series"],
        meetings,
        cases,
    )


_CONCERNS = (
    "Trækker sig fra legen og virker ked af det i længere perioder.",
    "Meget fravær siden efterårsferien; kommer ofte træt om morgenen.",
    "Udadreagerende i frikvartererne, konflikter med de andre børn.",
    "Personalet er bekymret for sprogudviklingen.",
    "Virker sulten og har ofte ikke madpakke med.",
    "Svært ved at falde til ro efter skoleskift.",
)
# Fictional children with the names the PDF and leak tests need: diacritics,
# a multi-part surname, and a surname that is also a common word ("Skov").
_NAMED_CHILDREN = (
    ("Emma", "Holm Østergård", date(2019, 4, 12), ("Mette Holm", "Jonas Østergård")),
    ("Şükrü", "Nguyễn", date(2016, 9, 3), ("Anh Nguyễn",)),
    ("Åsa", "Ødegård", date(2018, 2, 27), ("Kari Ødegård", "Per Lien")),
    ("Noah", "Skov", date(2017, 11, 23), ("Line Skov", "Mads Krogh")),
)
_ANONYMOUS_CHILDREN = ("Ida", "Malik", "Sofie", "Oscar", "Alma", "Pseudonym A", "Villum", "Liva")


def fill_cases(vault: Vault, today: date, rng: random.Random) -> int:
    """Cases (anonymous and named, with consents in every state) and agendas."""
    from app.domain.case_model import ConsentForm
    from app.services import agenda_service, cases_service

    calendar = CalendarService(vault)
    forums = {f.kind: f for f in forums_repo.list_all(vault.conn)}
    roles = {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}
    scope = [
        roles[k]
        for k in set(forums[ForumKind.SCHOOL_RESOURCE_TEAM].participant_roles)
        | set(forums[ForumKind.DAYCARE_CONSULTATION].participant_roles)
    ]
    # Ordered by time and site name, not by the random record ids, so the same
    # seed always puts the same children on the same agendas.
    upcoming = sorted(
        (
            m
            for m in calendar.between(today, today + timedelta(days=35))
            if m.forum_kind in (ForumKind.SCHOOL_RESOURCE_TEAM, ForumKind.DAYCARE_CONSULTATION)
        ),
        key=lambda m: (m.start, m.site_name),
    )
    by_meeting: dict[str, list[str]] = {}
    count = 0
    if not upcoming:
        return count
    for index, name in enumerate(_ANONYMOUS_CHILDREN):
        meeting = upcoming[index % len(upcoming)]
        case_id, _c = cases_service.create_anonymous(
            vault,
            name,
            meeting.site_id,
            rng.choice(_CONCERNS),
            today - timedelta(days=40),
            age_or_year=rng.choice(("4 år", "5 år", "2. klasse", "6. klasse")),
            level=rng.choice((0, 1, 1, 2)),
        )
        by_meeting.setdefault(meeting.id, []).append(case_id)
        count += 1
    # Named children: consent valid, expiring within 30 days, expired, withdrawn.
    given = today - timedelta(days=180)
    valid_until = {
        "valid": given + timedelta(days=365),
        "expiring": today + timedelta(days=rng.randint(5, 25)),
        "expired": today - timedelta(days=10),
        "withdrawn": given + timedelta(days=365),
    }
    for index, (first, surname, born, guardians) in enumerate(_NAMED_CHILDREN):
        state = ("valid", "expiring", "expired", "withdrawn")[index % 4]
        meeting = upcoming[(index * 3 + 1) % len(upcoming)]
        case_id, _c = cases_service.create_anonymous(
            vault,
            first,
            meeting.site_id,
            rng.choice(_CONCERNS),
            today - timedelta(days=200),
            level=2,
        )
        guardian_ids = [
            cases_service.add_guardian(vault, case_id, g, "forælder", True)[0] for g in guardians
        ]
        consent_id, _c = cases_service.record_consent(
            vault,
            case_id,
            given,
            ConsentForm.WRITTEN,
            guardian_ids,
            scope,
            purpose="Tværfagligt samarbejde om barnets trivsel.",
            valid_until=valid_until[state],
        )
        cases_service.make_named(vault, case_id, surname, born, given + timedelta(days=1))
        if state == "withdrawn":
            cases_service.withdraw_consent(
                vault,
                consent_id,
                today - timedelta(days=10),
                guardians[0],
                "Ønsker ikke længere drøftelse med navn.",
            )
        by_meeting.setdefault(meeting.id, []).append(case_id)
        count += 1
    for meeting_id, case_ids in by_meeting.items():
        for case_id in case_ids:
            agenda_service.add_case_item(vault, meeting_id, case_id, minutes=rng.choice((15, 20)))
        agenda_service.add_general_item(vault, meeting_id, "Orientering og planlægning", minutes=15)
    return count


_KNOWLEDGE = (
    "Personalet har observeret barnet gennem tre uger; trivslen svinger.",
    "Sundhedsplejersken har haft samtale med forældrene om søvn og mad.",
    "Læreren beskriver god faglig udvikling, men uro i pauserne.",
)
_DISCUSSION = (
    "Drøftet hvordan barnet kan støttes i overgangene i løbet af dagen.",
    "Enighed om at styrke samarbejdet med forældrene før næste møde.",
    "PPR foreslår observation i klassen og en fælles plan.",
)


def fill_minutes(vault: Vault, today: date, rng: random.Random) -> int:
    """Minutes of past meetings (approved, one with an addendum), agreements
    (some overdue), interventions and SDQ series for the demo's children."""
    from app.domain.case_model import CaseKind
    from app.services import agenda_service, cases_service, minutes_service, sdq_service
    from app.store import contacts_repo, interventions_repo

    calendar = CalendarService(vault)
    contacts = contacts_repo.list_all(vault.conn)
    types = interventions_repo.types(vault.conn)
    cases = [c.row for c in cases_service.list_cases(vault, today) if c.row.status == "open"]
    past = sorted(
        (
            m
            for m in calendar.between(today - timedelta(days=60), today - timedelta(days=1))
            if m.forum_kind in (ForumKind.SCHOOL_RESOURCE_TEAM, ForumKind.DAYCARE_CONSULTATION)
            and m.status != "cancelled"
        ),
        key=lambda m: (m.start, m.site_name),
    )
    written = 0
    for index, meeting in enumerate(past[:6]):
        at_site = [c for c in cases if c.site_id == meeting.site_id][:2] or cases[index % 3 :][:1]
        for case in at_site:
            agenda_service.add_case_item(vault, meeting.id, case.id, minutes=20)
        minutes_service.start(vault, meeting.id)
        staff = [c for c in contacts if c.site_id == meeting.site_id]
        for contact in staff:
            minutes_service.set_attendance(vault, meeting.id, contact.id, rng.random() > 0.2)
        for item in agenda_service.agenda(vault, meeting.id).items:
            if item.case_id is None:
                continue
            minutes_service.save_field(vault, item.id, "knowledge", rng.choice(_KNOWLEDGE))
            minutes_service.save_field(vault, item.id, "discussion", rng.choice(_DISCUSSION))
            minutes_service.save_field(vault, item.id, "outcome", "continue-locally")
            owner = staff[0].id if staff else None
            day = meeting.start.date()
            # One agreement overdue by now, one due in the coming weeks.
            minutes_service.add_agreement(
                vault,
                item.id,
                "Samtale med forældrene om observationerne",
                owner_contact_id=owner,
                deadline=day + timedelta(days=14),
                parent_contact=True,
            )
            minutes_service.add_agreement(
                vault,
                item.id,
                "Opfølgning i ressourceteamet",
                owner_contact_id=owner,
                deadline=today + timedelta(days=rng.randint(3, 20)),
            )
            minutes_service.add_intervention(
                vault,
                item.id,
                types[rng.randrange(len(types) - 1)][0],
                "Barnet deltager i fællesskabet og har færre konflikter.",
                day,
                responsible_contact_id=owner,
            )
            written += 1
        if index < 4:
            minutes_service.approve(vault, meeting.id, "Distriktsrådgiver", meeting.start.date())
        if index == 0:
            minutes_service.add_addendum(
                vault,
                meeting.id,
                "Distriktsrådgiver",
                "Rettelse: opfølgningen flyttes en uge på grund af ferie.",
                meeting.start.date() + timedelta(days=2),
            )
    # SDQ before and after for the named children with interventions.
    for case in cases:
        if case.kind != CaseKind.NAMED or not case.birth_date:
            continue
        age = max(4, min(17, (today - date.fromisoformat(case.birth_date)).days // 365))
        for months_ago, answers in (
            (5, "2122012201210120121022101"),
            (1, "1011011100100110110011010"),
        ):
            sdq_service.record_answers(
                vault,
                case.id,
                today - timedelta(days=30 * months_ago),
                "parent",
                age,
                answers,
                impact_answers=[2, 2, 1, 1, 0],
                no_difficulties=False,
            )
    return written


def fill_retention_examples(vault: Vault, today: date) -> tuple[int, int]:
    """Two cases already due for erasure (returns cases and meetings added).

    An anonymous case last discussed 13 months ago (12-month rule) and a named
    case closed 5 years and 2 months ago (5-year rule), each with records
    about it, so that ``samraad retention`` has something to show and erase.
    """
    from app.domain.case_model import ConsentForm
    from app.domain.dates import add_months
    from app.domain.retention import ClosureReason
    from app.services import agenda_service, cases_service, minutes_service
    from app.store import sites_repo

    calendar = CalendarService(vault)
    forums = {f.kind: f for f in forums_repo.list_all(vault.conn)}
    sites = sorted(sites_repo.list_all(vault.conn), key=lambda s: s.name)
    daycare = next(s for s in sites if s.kind == SiteKind.DAYCARE)
    school = next(s for s in sites if s.kind == SiteKind.SCHOOL)

    discussed = add_months(today, -13)
    meeting_id, _c = calendar.add_meeting(
        forums[ForumKind.DAYCARE_CONSULTATION].id, daycare.id, datetime.combine(discussed, time(9))
    )
    calendar.mark_held(meeting_id)
    anonymous_id, _c = cases_service.create_anonymous(
        vault,
        "Karla",
        daycare.id,
        "Græder meget ved aflevering om morgenen.",
        add_months(today, -14),
        age_or_year="3 år",
        level=1,
    )
    item_id, _c = agenda_service.add_case_item(vault, meeting_id, anonymous_id, minutes=15)
    minutes_service.start(vault, meeting_id)
    minutes_service.save_field(
        vault, item_id, "knowledge", "Afleveringen er blevet lettere efter ny morgenrutine."
    )
    minutes_service.save_field(vault, item_id, "outcome", "close-case")
    minutes_service.approve(vault, meeting_id, "Distriktsrådgiver", discussed)
    cases_service.close_case(vault, anonymous_id, discussed, ClosureReason.RESOLVED)

    opened = add_months(today, -76)
    named_id, _c = cases_service.create_anonymous(
        vault, "Viggo", school.id, "Meget fravær i indskolingen.", opened, level=1
    )
    guardian_id, _c = cases_service.add_guardian(vault, named_id, "Hanne Lindqvist", "mor", True)
    roles = [r.id for r in roles_repo.list_all(vault.conn) if r.key in ("leader", "teacher")]
    given = opened + timedelta(days=7)
    cases_service.record_consent(
        vault,
        named_id,
        given,
        ConsentForm.WRITTEN,
        [guardian_id],
        roles,
        purpose="Tværfagligt samarbejde om fraværet.",
    )
    cases_service.make_named(vault, named_id, "Lindqvist", date(2011, 6, 14), given)
    cases_service.close_case(vault, named_id, add_months(today, -62), ClosureReason.MOVED)
    return 2, 1

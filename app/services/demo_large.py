"""A realistic vault for performance work: five years of one advisor.

``samraad demo --size large`` builds what an advisor's vault holds after five
years: 3 districts with 30 sites, every forum's series over five years
(about 2,000 held meetings), 5,000 cases (60 % anonymous), 20,000 agenda
items with minutes of realistic length, 20,000 agreements, 3,000 consents,
3,000 SDQ assessments, interventions, attendance and the audit entries of
the printed agendas and approved minutes. ``--size huge`` is ten times that
(30 districts, 50,000 cases) for the scaling measure.

The structure (districts, sites, people, series and their occurrences) goes
through the services, as in the small demo; the volume is built in memory
and written with bulk inserts in one transaction
(:mod:`app.store.demo_bulk_repo`). Every row is a complete record row, so
the case list, agendas, minutes, reports and sync work on it as on rows the
advisor typed.

Deterministic for a seed and ``today``: the same arguments give the same
content; record ids and the bookkeeping timestamps of the service-written
rows are fresh. Every name and every text is invented; no text about a
child names the child, so agendas and minutes print without leak warnings.
"""

from __future__ import annotations

import json
import random
import time as timer
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from app.clock import iso_utc
from app.domain import closures, sdq
from app.domain.calendar_model import ForumKind, HolidayPolicy, MeetingStatus, SiteKind
from app.domain.dates import add_months
from app.domain.retention import ClosureReason
from app.errors import BadInput
from app.i18n import _
from app.instruments import default_sdq
from app.services import sites_service
from app.services.calendar_service import CalendarService, to_utc_text
from app.services.demo import DEMO_PASSPHRASE
from app.store import audit, demo_bulk_repo, forums_repo, interventions_repo, roles_repo
from app.store.records import new_id
from app.store.vault import Vault, VaultDirectory

SIZES = ("large", "huge")
# Version of what this module generates; part of the bench cache key.
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Scale:
    """How much to generate. Counts are exact, except held meetings (a target)."""

    districts: int
    years: float
    held_meetings: int
    cases: int
    agenda_items: int
    agreements: int
    consents: int
    sdq: int
    interventions: int
    anonymous_share: float = 0.6


_LARGE_COUNTS = {
    "held_meetings": 2000,
    "cases": 5000,
    "agenda_items": 20000,
    "agreements": 20000,
    "consents": 3000,
    "sdq": 3000,
    "interventions": 1500,
}


def scaled(factor: float) -> Scale:
    """The large vault times ``factor``.

    From 1 up, districts grow (``huge`` = 10: 30 districts over five years);
    below 1, one district or more over a shorter history, so meetings shrink
    with the cases and a small test vault keeps the large one's proportions.
    """
    if factor <= 0:
        raise ValueError("the scale factor must be positive")
    if factor >= 1:
        districts, years = round(3 * factor), 5.0
    else:
        districts = max(1, round(3 * factor))
        years = max(0.25, 15 * factor / districts)
    counts = {key: max(1, round(value * factor)) for key, value in _LARGE_COUNTS.items()}
    return Scale(districts=districts, years=years, **counts)


LARGE = scaled(1)
HUGE = scaled(10)


def scale_for(size: str) -> Scale:
    """The scale of a named size (``large`` or ``huge``)."""
    if size == "large":
        return LARGE
    if size == "huge":
        return HUGE
    raise BadInput(_("The demo size must be small, large or huge."))


@dataclass(frozen=True)
class LargeSummary:
    """What the large demo created."""

    districts: int
    sites: int
    contacts: int
    series: int
    meetings: int
    held_meetings: int
    cases: int
    anonymous_cases: int
    agenda_items: int
    agreements: int
    consents: int
    sdq_assessments: int
    interventions: int
    audit_entries: int
    seconds: float


def create_large(
    directory: VaultDirectory,
    today: date,
    *,
    seed: int = 1,
    size: str = "large",
    country: str = "DK",
    passphrase: str = DEMO_PASSPHRASE,
    scale: Scale | None = None,
) -> tuple[Vault, LargeSummary]:
    """Create the large (or huge, or ``scale``) demo vault; returns the open session."""
    plan = scale or scale_for(size)
    vault = directory.create(passphrase, country, demo=True).vault
    try:
        summary = fill_large(vault, today, random.Random(seed), plan)
    except BaseException:
        vault.close(auto_backup=False)
        raise
    return vault, summary


def fill_large(vault: Vault, today: date, rng: random.Random, scale: Scale) -> LargeSummary:
    """Fill an empty vault with five years (or ``scale``) of one advisor's work."""
    started = timer.perf_counter()
    with demo_bulk_repo.fast_writes(vault.conn):
        builder = _Builder(vault, today, rng, scale)
        builder.structure()
        builder.meetings()
        builder.cases()
        builder.agendas()
        builder.consents()
        builder.minutes()
        builder.agreements()
        builder.interventions()
        builder.assessments()
        builder.write()
    return builder.summary(timer.perf_counter() - started)


# --- words -----------------------------------------------------------------------------

_DISTRICT_STEMS = {
    "DK": (
        "Nordskov",
        "Åbrink",
        "Søndervig",
        "Vestby",
        "Østerlund",
        "Kildebakke",
        "Egedal",
        "Lindholt",
        "Bakkely",
        "Fjordvang",
        "Hedemark",
        "Mosevang",
        "Strandhøj",
        "Bøgely",
        "Rosengård",
    ),
    "NO": (
        "Nordli",
        "Åsmyra",
        "Sørvika",
        "Vestli",
        "Østhagen",
        "Kilebakken",
        "Eikeli",
        "Lindeberg",
        "Bakkehaugen",
        "Fjordvang",
        "Hedmarka",
        "Mosvika",
        "Strandli",
        "Bøkeli",
        "Rosenlund",
    ),
}
_DISTRICT_SUFFIXES = ("", " Øst", " Vest", " Nord", " Syd")
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
    "Valmuen",
    "Humlebien",
    "Egernet",
)
_DAYCARES_PER_DISTRICT = 8
_ADULT_FIRST = (
    "Anne",
    "Bo",
    "Dorthe",
    "Gitte",
    "Hanne",
    "Jens",
    "Karen",
    "Lars",
    "Marianne",
    "Niels",
    "Pia",
    "Rikke",
    "Søren",
    "Tove",
    "Ulla",
    "Vibeke",
    "Birgitte",
    "Charlotte",
    "Dennis",
    "Eva",
    "Finn",
    "Grethe",
    "Helle",
    "Inge",
    "Jan",
    "Kirsten",
    "Lone",
    "Morten",
    "Ole",
    "Susanne",
    "Torben",
    "Winnie",
    "Anders",
    "Bente",
    "Connie",
    "Erik",
    "Flemming",
    "Hans",
    "Jette",
    "Kim",
)
_ADULT_LAST = (
    "Abildgaard",
    "Bruun",
    "Dalsgaard",
    "Engholm",
    "Greve",
    "Krogh",
    "Mørch",
    "Nygaard",
    "Overby",
    "Rask",
    "Toft",
    "Vang",
    "Bech",
    "Dahl",
    "Friis",
    "Gram",
    "Hald",
    "Juul",
    "Kjeldsen",
    "Lykke",
    "Munk",
    "Nørgaard",
    "Paulsen",
    "Qvist",
    "Riis",
    "Storm",
    "Thygesen",
    "Winther",
    "Aagaard",
    "Bang",
    "Clausen",
    "Damgaard",
    "Enevoldsen",
    "Falk",
    "Gade",
    "Hvid",
    "Iversen",
    "Jessen",
    "Kirk",
    "Lorentzen",
)
_CHILD_FIRST = (
    "Emma",
    "Noah",
    "Ida",
    "Malik",
    "Sofie",
    "Oscar",
    "Alma",
    "Villum",
    "Liva",
    "Åsa",
    "Şükrü",
    "Freja",
    "William",
    "Karla",
    "Lucas",
    "Ella",
    "Oliver",
    "Agnes",
    "Carl",
    "Clara",
    "Alfred",
    "Ellen",
    "Aksel",
    "Olivia",
    "Emil",
    "Mathilde",
    "Elias",
    "Laura",
    "Magnus",
    "Asta",
    "Zainab",
    "Omar",
    "Hiba",
    "Søs",
    "Bjørk",
    "Ronja",
    "Theo",
    "Vigga",
    "Arthur",
    "Lærke",
)
_PSEUDONYMS = tuple(f"Pseudonym {letter}" for letter in "ABCDEFGH")
_CHILD_SURNAMES = (
    "Hansen",
    "Jensen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Mortensen",
    "Østergård",
    "Nguyễn",
    "Ødegård",
    "Yılmaz",
    "Ahmadi",
    "Kowalski",
    "Frederiksen",
    "Mikkelsen",
    "Kjær",
    "Bertelsen",
    "Søgaard",
    "Lauridsen",
)
_GUARDIAN_FIRST = (
    "Mette",
    "Jonas",
    "Mads",
    "Louise",
    "Rasmus",
    "Camilla",
    "Kasper",
    "Martin",
    "Julie",
    "Ahmad",
    "Fatima",
    "Anh",
    "Kari",
    "Thomas",
    "Maria",
    "Katrine",
    "Yusuf",
    "Leyla",
    "Mikkel",
    "Signe",
)
_CONCERNS = (
    "Trækker sig fra legen og virker ked af det i længere perioder.",
    "Meget fravær siden efterårsferien; kommer ofte træt om morgenen.",
    "Udadreagerende i frikvartererne, konflikter med de andre børn.",
    "Personalet er bekymret for sprogudviklingen.",
    "Virker sulten og har ofte ikke madpakke med.",
    "Svært ved at falde til ro efter skoleskift.",
    "Græder meget ved aflevering og har svært ved at slippe forælderen.",
    "Har svært ved at indgå i fællesskabet og leger mest alene.",
    "Motorisk urolig, svært ved at sidde stille i samling og undervisning.",
    "Forældrene har selv bedt om hjælp til at håndtere raseriudbrud.",
    "Stort fravær og faldende faglighed gennem det seneste halve år.",
    "Virker bekymret og spørger ofte, om der er sket noget derhjemme.",
    "Sen sproglig udvikling; bruger få ord og peger meget.",
    "Konflikter med de voksne, nægter at deltage i aktiviteter.",
    "Har været udsat for drillerier og vil ikke i skole.",
    "Trist og indadvendt efter forældrenes skilsmisse.",
    "Søvnproblemer derhjemme, falder i søvn i løbet af formiddagen.",
    "Bekymring for hygiejne og påklædning efter årstiden.",
)
_KNOWLEDGE = (
    "Personalet har observeret barnet gennem tre uger; trivslen svinger fra dag til dag.",
    "Sundhedsplejersken har haft samtale med forældrene om søvn, mad og faste rutiner.",
    "Læreren beskriver god faglig udvikling, men uro og konflikter i pauserne.",
    "Barnet fortæller selv, at det er svært at finde nogen at lege med.",
    "Forældrene oplever et barn, der er træt og irritabel om eftermiddagen.",
    "Pædagogerne ser et barn, der søger de voksne mere end de andre børn.",
    "Fraværet er faldet efter aftalerne fra sidste møde, men er stadig højt.",
    "PPR har observeret i klassen og ser behov for mere struktur i overgangene.",
    "Der har været to episoder med slag i denne måned, begge i frikvarteret.",
    "Barnet deltager mere i samling og tager selv initiativ til leg.",
    "Hjemmet har fået besøg af sundhedsplejersken, som ser en god kontakt.",
    "Sprogvurderingen viser et ordforråd under det forventede for alderen.",
    "Skolen har indført en fast voksen i de første timer, og det hjælper.",
    "Forældrene har været til samtale og er positive over for et samarbejde.",
    "Der er bekymring for madpakke og påklædning, som er drøftet med forældrene.",
    "Barnet har fået en legeaftale med en kammerat, og det har givet mere ro.",
)
_DISCUSSION = (
    "Drøftet hvordan barnet kan støttes i overgangene i løbet af dagen.",
    "Enighed om at styrke samarbejdet med forældrene før næste møde.",
    "PPR foreslår observation i klassen og en fælles plan for pauserne.",
    "Psykologen anbefaler, at de voksne bruger ens sprog om følelser.",
    "Drøftet om barnet skal have en fast voksen i frikvartererne.",
    "Teamet er enigt om, at trivslen skal følges tæt de næste uger.",
    "Der er forskellige vurderinger af, hvor meget fraværet skyldes sygdom.",
    "Drøftet små legegrupper med faste kammerater to gange om ugen.",
    "Forældrene ønsker råd til morgenrutinen; sundhedsplejersken tilbyder et hjemmebesøg.",
    "Drøftet om et forløb i familiehuset kan være relevant senere.",
    "Det besluttes at afprøve et visuelt dagsskema i fire uger.",
    "Teamet vurderer, at indsatsen virker og kan fortsætte uændret.",
    "Der er enighed om at afvente næste sprogvurdering før nye tiltag.",
    "Drøftet hvordan forældrene kan inddrages i planen for skoledagen.",
)
_EVALUATION = (
    "Aftalerne fra sidste møde er gennemført; trivslen er bedre.",
    "Indsatsen har kun delvist virket; der justeres på planen.",
    "Barnet er faldet mere til ro, men overgangene er stadig svære.",
    "Forældresamarbejdet fungerer godt og skal fortsætte.",
    "Fraværet er halveret siden sidst.",
    "Ingen mærkbar forandring endnu; planen følges et par uger mere.",
    "Barnet trives nu i gruppen, og bekymringen er mindre.",
)
_GENERAL_TITLES = (
    "Orientering og planlægning",
    "Orientering fra skolen",
    "Nyt fra dagtilbuddet",
    "Evaluering af samarbejdet",
    "Planlægning af næste halvår",
    "Temadrøftelse: fravær",
    "Temadrøftelse: overgange mellem dagtilbud og skole",
)
_GENERAL_TEXTS = (
    "Kort orientering om personaleforhold og kommende arrangementer.",
    "Drøftet erfaringerne med de nye mødetider; de fungerer godt.",
    "Gennemgang af årets temaer og planlægning af de næste møder.",
    "Orientering om kommunens nye retningslinjer for bekymrende fravær.",
    "Drøftet hvordan sager forberedes, så mødetiden bruges bedst.",
)
_NOTES = (
    "Opfølgning fra sidste møde.",
    "Forældrene er orienteret om drøftelsen.",
    "Ny sag; kort præsentation ved pædagogen.",
    "Læreren deltager ved dette punkt.",
    "Evaluering af den aftalte indsats.",
    "",
    "",
    "",
)
_AGREEMENTS = (
    "Samtale med forældrene om observationerne",
    "Opfølgning i ressourceteamet",
    "Observation i klassen ved PPR",
    "Sundhedsplejersken tilbyder hjemmebesøg",
    "Fast voksen i frikvartererne i fire uger",
    "Visuelt dagsskema afprøves",
    "Sprogvurdering ved talepædagog",
    "Kontakt til familiehuset om forløb",
    "Pædagogen laver trivselsskema hver uge",
    "Læreren sender kort status til forældrene hver fredag",
    "Afklare om der er behov for underretning",
    "Aftale legegrupper med faste kammerater",
)
_GOALS = (
    "Barnet deltager i fællesskabet og har færre konflikter.",
    "Fraværet er under ti procent ved næste evaluering.",
    "Barnet kan falde til ro efter aflevering inden for en halv time.",
    "Forældrene oplever en roligere morgen derhjemme.",
    "Barnet bruger flere ord og indgår i samtaler med de andre børn.",
)
_EVALUATIONS = (
    "Målet er nået; indsatsen afsluttes.",
    "Delvist nået; indsatsen forlænges en periode.",
    "Ikke nået; der aftales en ny plan på næste møde.",
)
_ADDENDA = (
    "Rettelse: opfølgningen flyttes en uge på grund af ferie.",
    "Tilføjelse: forældrene er orienteret efter mødet.",
    "Rettelse: punktet om fravær gælder perioden før jul.",
)
_BYDAY = ("MO", "TU", "WE", "TH", "FR")
_CASE_FORUMS = frozenset(
    {
        ForumKind.SCHOOL_RESOURCE_TEAM,
        ForumKind.DAYCARE_CONSULTATION,
        ForumKind.DIALOGUE,
        ForumKind.NETWORK,
    }
)
_ADVISOR = "Distriktsrådgiver"
_CLOSURE_REASONS = tuple(str(r) for r in ClosureReason)
_CLOSURE_WEIGHTS = tuple(
    {"resolved": 60, "referred": 15, "moved": 15}.get(r, 5) for r in _CLOSURE_REASONS
)


# --- the columns written in bulk (id first, bookkeeping last) --------------------------

_COLUMNS: dict[str, tuple[str, ...]] = {
    "meetings": (
        "series_id",
        "occurrence_key",
        "forum_id",
        "site_id",
        "start_utc",
        "end_utc",
        "status",
        "detached",
        "moved_from",
        "note",
        "sequence",
    ),
    "cases": (
        "kind",
        "first_name",
        "surname",
        "birth_date",
        "age_or_year",
        "site_id",
        "concern",
        "level",
        "relay_holder_id",
        "status",
        "opened_on",
        "closed_on",
        "closure_reason",
    ),
    "guardians": ("case_id", "name", "relation", "has_custody", "contact"),
    "case_levels": ("case_id", "level", "on_date", "relay_holder_id"),
    "consents": (
        "case_id",
        "given_on",
        "form",
        "documented_by",
        "purpose",
        "valid_until",
        "withdrawn_on",
        "withdrawn_by",
        "withdrawal_note",
    ),
    "consent_guardians": ("consent_id", "guardian_id"),
    "consent_roles": ("consent_id", "role_id"),
    "agenda_items": ("meeting_id", "position", "kind", "case_id", "title", "notes", "minutes"),
    "meeting_minutes": ("meeting_id", "approved_on", "approved_by"),
    "item_minutes": (
        "agenda_item_id",
        "meeting_id",
        "knowledge",
        "discussion",
        "evaluation",
        "general_text",
        "outcome",
        "notification_on",
        "notification_by",
        "new_level",
    ),
    "addenda": ("meeting_id", "written_on", "author", "text"),
    "attendance": ("meeting_id", "contact_id", "present"),
    "agreements": (
        "case_id",
        "meeting_id",
        "agenda_item_id",
        "what",
        "owner_contact_id",
        "deadline",
        "parent_contact",
        "status",
    ),
    "interventions": (
        "case_id",
        "type_id",
        "goal",
        "responsible_contact_id",
        "start_on",
        "evaluation_on",
        "status",
        "evaluation",
        "result",
        "meeting_id",
        "agenda_item_id",
    ),
    "sdq_assessments": (
        "case_id",
        "on_date",
        "informant",
        "version",
        "answers",
        "impact_answers",
        "no_difficulties",
    ),
}
# Parents before children, as the foreign keys need them.
_ORDER = tuple(_COLUMNS)


@dataclass
class _Meeting:
    id: str
    site_id: str
    site_name: str
    forum_kind: str
    start: datetime  # local, aware
    end: datetime
    held: bool
    approved_on: date | None = None
    generals: int = 0
    cases: list[_Case] = field(default_factory=list)
    items: list[tuple[str, _Case | None]] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.start.date()


@dataclass
class _Case:
    index: int
    site_id: str
    site_kind: str
    first: int  # index of its first meeting in the site's list
    id: str = field(default_factory=new_id)
    named: bool = False
    first_name: str = ""
    surname: str | None = None
    birth_date: date | None = None
    age_or_year: str = ""
    concern: str = ""
    relay: str | None = None
    opened_on: date = date.min
    closed_on: date | None = None
    closure_reason: str | None = None
    levels: list[tuple[date, int]] = field(default_factory=list)
    meetings: list[_Meeting] = field(default_factory=list)
    guardians: list[tuple[str, bool]] = field(default_factory=list)  # (id, has custody)


def _stamp(day: date, hour: int = 12) -> str:
    """A stored timestamp on ``day`` (UTC, on the hour)."""
    return f"{day.isoformat()}T{hour:02d}:00:00.000Z"


def _monday_on_or_before(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _sentences(rng: random.Random, pool: Sequence[str], low: int, high: int) -> str:
    return " ".join(rng.sample(pool, rng.randint(low, high)))


class _Builder:
    """Plans every row in memory, then writes them in one transaction."""

    def __init__(self, vault: Vault, today: date, rng: random.Random, scale: Scale) -> None:
        self.vault = vault
        self.today = today
        self.rng = rng
        self.scale = scale
        self.calendar = CalendarService(vault)
        self.forums = {f.kind: f for f in forums_repo.list_all(vault.conn)}
        self.rows: dict[str, list[tuple[object, ...]]] = {t: [] for t in _ORDER}
        self.status_changes: list[tuple[str, str, str, str]] = []
        self.audit_entries: list[tuple[str, str, str, str, dict[str, audit.DetailValue]]] = []
        first_day = today - timedelta(days=round(scale.years * 365.25))
        self.history_start = _monday_on_or_before(first_day)
        self.sites: list[tuple[str, str, str]] = []  # (id, kind, name)
        self.staff: dict[str, list[str]] = {}  # site id → contact ids
        self.contacts = 0
        self.series = 0
        self.all_meetings = 0
        self.held: list[_Meeting] = []
        self.upcoming: list[_Meeting] = []
        self.case_list: list[_Case] = []

    def _add(
        self,
        table: str,
        values: tuple[object, ...],
        created: str,
        updated: str = "",
        record_id: str | None = None,
    ) -> str:
        rid = record_id or new_id()
        self.rows[table].append((rid, *values, created, updated or created, self.vault.vault_id))
        return rid

    # --- structure, through the services --------------------------------------------

    def structure(self) -> None:
        """Districts, sites, contacts, school holidays and series (with their meetings)."""
        vault, rng, today = self.vault, self.rng, self.today
        for year in range(self.history_start.year - 1, today.year + 2):
            for period in closures.demo_school_holidays(vault.country, year):
                self.calendar.add_school_holiday(period)
        roles = {r.key: r.id for r in roles_repo.list_all(vault.conn) if r.key}
        adults = [f"{first} {last}" for first in _ADULT_FIRST for last in _ADULT_LAST]
        rng.shuffle(adults)
        names = iter(adults)

        def contact(role: str, site_id: str | None) -> None:
            cid, _changes = sites_service.add_contact(
                vault,
                next(names),
                roles[role],
                site_id,
                phone=f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
            )
            self.contacts += 1
            if site_id is not None:
                self.staff.setdefault(site_id, []).append(cid)

        def site(name: str, kind: SiteKind, district_id: str, address: str = "") -> str:
            sid, _changes = sites_service.add_site(
                vault, name, kind, district_id, address=address, leader=next(names)
            )
            self.sites.append((sid, str(kind), name))
            return sid

        def series(kind: str, site_id: str, first: datetime, rrule: str | None = None) -> None:
            self.calendar.add_series(
                self.forums[kind].id,
                site_id,
                first,
                today,
                rrule=rrule,
                holiday_policy=HolidayPolicy.MOVE,
            )
            self.series += 1

        stems = _DISTRICT_STEMS[vault.country]
        start = self.history_start
        per_district = _DAYCARES_PER_DISTRICT + 1  # the day-cares and the family day-care
        for d in range(self.scale.districts):
            stem = stems[d % len(stems)] + _DISTRICT_SUFFIXES[d // len(stems) % 5]
            if d >= len(stems) * len(_DISTRICT_SUFFIXES):
                stem += f" {d}"
            district_id, _changes = sites_service.add_district(vault, f"{stem} skoledistrikt")
            school = site(f"{stem} Skole", SiteKind.SCHOOL, district_id, f"Skolevej {d + 1}")
            for role in ("leader", "teacher", "teacher", "ppr", "health-visitor", "ssp-worker"):
                contact(role, school)
            weekday = 1 + d % 3  # Tuesday, Wednesday, Thursday
            series(
                ForumKind.SCHOOL_RESOURCE_TEAM,
                school,
                datetime.combine(start + timedelta(days=weekday, weeks=d // 3 % 2), time(12, 30)),
            )
            series(
                ForumKind.DISTRICT_HALF_YEARLY,
                school,
                datetime.combine(start + timedelta(days=weekday, weeks=d % 26), time(15, 0)),
            )
            words = rng.sample(_DAYCARE_WORDS, _DAYCARES_PER_DISTRICT)
            for c in range(per_district):
                if c < _DAYCARES_PER_DISTRICT:
                    sid = site(
                        f"Børnehuset {words[c]}, {stem}",
                        SiteKind.DAYCARE,
                        district_id,
                        f"Børnestien {c + 1}",
                    )
                    for role in ("leader", "pedagogue", "pedagogue"):
                        contact(role, sid)
                else:
                    sid = site(f"Dagplejen {stem}", SiteKind.FAMILY_DAYCARE, district_id)
                    contact("leader", sid)
                # Spread the consultations over the weekdays of the 5-week cycle.
                slot = d * per_district + c
                hour = time(9, 0) if slot // 25 % 2 == 0 else time(13, 0)
                series(
                    ForumKind.DAYCARE_CONSULTATION,
                    sid,
                    datetime.combine(start + timedelta(days=slot % 5, weeks=slot // 5 % 5), hour),
                    rrule=f"FREQ=WEEKLY;INTERVAL=5;BYDAY={_BYDAY[slot % 5]}",
                )
            contact("psychologist", None)
            contact("family-therapist", None)
        contact("authority-caseworker", None)
        contact("occupational-therapist", None)

    # --- meetings: held, cancelled, one-offs ----------------------------------------

    def meetings(self) -> None:
        """Mark the past held (a few cancelled); add one-off meetings up to the target."""
        rng, today, vault_id = self.rng, self.today, self.vault.vault_id
        views = sorted(
            self.calendar.between(self.history_start - timedelta(days=7), today + timedelta(400)),
            key=lambda m: (m.start, m.site_name, m.forum_kind),
        )
        self.all_meetings = len(views)
        for m in views:
            meeting = _Meeting(m.id, m.site_id, m.site_name, m.forum_kind, m.start, m.end, True)
            if m.start.date() < today:
                cancelled = rng.random() < 0.03
                status = MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD
                self.status_changes.append((str(status), iso_utc(m.end), vault_id, m.id))
                if not cancelled:
                    self.held.append(meeting)
            elif m.start.date() <= today + timedelta(days=35) and m.forum_kind in _CASE_FORUMS:
                meeting.held = False
                self.upcoming.append(meeting)
        places = [s for s in self.sites if s[1] != SiteKind.FAMILY_DAYCARE]
        span = max(1, (today - self.history_start).days)
        tz = self.calendar.tz
        for _n in range(max(0, self.scale.held_meetings - len(self.held))):
            site_id, _kind, site_name = rng.choice(places)
            forum = self.forums[ForumKind.DIALOGUE if rng.random() < 0.7 else ForumKind.NETWORK]
            day = self.history_start + timedelta(days=rng.randrange(span))
            day -= timedelta(days=max(0, day.weekday() - 4))  # a weekend day → Friday
            wall = datetime.combine(day, time(10, 0) if rng.random() < 0.5 else time(14, 0))
            begin = wall.replace(tzinfo=tz)
            end = (wall + timedelta(minutes=forum.default_duration_minutes)).replace(tzinfo=tz)
            values = (None, None, forum.id, site_id, to_utc_text(begin), to_utc_text(end))
            mid = self._add(
                "meetings",
                (*values, str(MeetingStatus.HELD), 0, None, "", 0),
                _stamp(day - timedelta(days=14)),
                iso_utc(end),
            )
            self.held.append(_Meeting(mid, site_id, site_name, forum.kind, begin, end, True))
            self.all_meetings += 1
        self.held.sort(key=lambda m: (m.start, m.site_name, m.forum_kind))
        for meeting in self.held:
            # Minutes are approved within a week; the last two weeks' are drafts.
            if meeting.day + timedelta(days=14) < today:
                meeting.approved_on = meeting.day + timedelta(days=rng.randint(1, 7))

    # --- cases, and which agendas they are on ---------------------------------------

    def cases(self) -> None:
        """The cases, each with the meetings it is discussed at (exactly the item count)."""
        rng, scale = self.rng, self.scale
        by_site: dict[str, list[_Meeting]] = {}
        everything = [*self.held, *self.upcoming]
        for meeting in everything:
            if meeting.forum_kind in _CASE_FORUMS:
                by_site.setdefault(meeting.site_id, []).append(meeting)
        # General items: one per resource team, three per half-yearly meeting,
        # one at some consultations and prepared for the coming resource teams.
        for meeting in everything:
            if meeting.forum_kind == ForumKind.SCHOOL_RESOURCE_TEAM:
                meeting.generals = 1
            elif meeting.forum_kind == ForumKind.DISTRICT_HALF_YEARLY:
                meeting.generals = 3
            elif meeting.forum_kind == ForumKind.DAYCARE_CONSULTATION and meeting.held:
                meeting.generals = int(rng.random() < 0.4)
        surplus = sum(m.generals for m in everything) - scale.agenda_items
        for meeting in reversed(everything):
            while surplus > 0 and meeting.generals:
                meeting.generals -= 1
                surplus -= 1
        target = scale.agenda_items - sum(m.generals for m in everything)
        kinds = {sid: kind for sid, kind, _name in self.sites}
        sites = sorted(by_site, key=lambda sid: by_site[sid][0].site_name)
        n = scale.cases if sites else 0
        chosen = rng.choices(sites, [len(by_site[s]) for s in sites], k=n) if n else []
        for index, site_id in enumerate(chosen):
            first = rng.randrange(len(by_site[site_id]))
            self.case_list.append(_Case(index, site_id, kinds[site_id], first))
        # How often each child is discussed: once, plus a share of the rest.
        counts = [1 if i < target else 0 for i in range(n)]
        for _n in range(max(0, target - n)):
            counts[rng.randrange(n)] += 1
        leftover = 0
        for case, wanted in zip(self.case_list, counts, strict=True):
            gap = 1 if rng.random() < 0.7 else 2
            case.meetings = by_site[case.site_id][case.first :: gap][:wanted]
            leftover += wanted - len(case.meetings)
        order = list(range(n))
        rng.shuffle(order)
        progress = True
        while leftover and progress:
            progress = False
            for index in order:
                if not leftover:
                    break
                case = self.case_list[index]
                taken = {m.id for m in case.meetings}
                spare = [m for m in by_site[case.site_id][case.first :] if m.id not in taken]
                if spare:
                    case.meetings.append(spare[0])
                    case.meetings.sort(key=lambda m: (m.start, m.site_name))
                    leftover -= 1
                    progress = True
        for _n in range(leftover):  # no meeting left to discuss a child at: general items
            rng.choice(self.held).generals += 1
        named = rng.sample(range(n), min(round(n * (1 - scale.anonymous_share)), scale.consents))
        for index in named:
            self.case_list[index].named = True
        for case in self.case_list:
            self._describe(case, by_site[case.site_id][case.first])
            for meeting in case.meetings:
                meeting.cases.append(case)

    def _describe(self, case: _Case, first: _Meeting) -> None:
        """Name, age, concern, dates and relay holder of one case."""
        rng, today = self.rng, self.today
        case.opened_on = min(today, first.day - timedelta(days=rng.randint(3, 21)))
        last = case.meetings[-1] if case.meetings else None
        if last is None:
            if case.opened_on < today - timedelta(days=60) and rng.random() < 0.85:
                case.closed_on = min(today, case.opened_on + timedelta(days=rng.randint(30, 90)))
        elif last.approved_on is not None:
            # Most children whose last meeting is long past are closed there.
            chance = 0.85 if last.day < today - timedelta(days=60) else 0.2
            if rng.random() < chance:
                case.closed_on = last.approved_on  # the outcome "close the case" applies
        school = case.site_kind == SiteKind.SCHOOL
        age = rng.randint(6, 15) if school else rng.randint(1, 5)
        case.first_name = rng.choice(_CHILD_FIRST)
        if case.named:
            case.surname = rng.choice(_CHILD_SURNAMES)
            case.birth_date = case.opened_on - timedelta(days=age * 365 + rng.randint(0, 364))
        else:
            if rng.random() < 0.1:
                case.first_name = rng.choice(_PSEUDONYMS)
            case.age_or_year = f"{age - 6}. klasse" if school else f"{age} år"
        if case.closed_on is not None:
            case.closure_reason = rng.choices(_CLOSURE_REASONS, _CLOSURE_WEIGHTS)[0]
        case.concern = _sentences(rng, _CONCERNS, 1, 2)
        staff = self.staff.get(case.site_id, [])
        case.relay = rng.choice(staff) if staff and rng.random() < 0.5 else None
        case.levels.append((case.opened_on, rng.choice((0, 1, 1, 2))))

    def agendas(self) -> None:
        """The agenda items: general items first, then the children."""
        rng, today = self.rng, self.today
        for meeting in [*self.held, *self.upcoming]:
            prepared = min(today, meeting.day - timedelta(days=rng.randint(2, 10)))
            position = 0
            for _n in range(meeting.generals):
                position += 1
                title = rng.choice(_GENERAL_TITLES)
                values: tuple[object, ...] = (
                    meeting.id,
                    position,
                    "general",
                    None,
                    title,
                    "",
                    rng.choice((10, 15)),
                )
                meeting.items.append((self._add("agenda_items", values, _stamp(prepared, 8)), None))
            for case in meeting.cases:
                position += 1
                notes = rng.choice(_NOTES)
                values = (
                    meeting.id,
                    position,
                    "case",
                    case.id,
                    "",
                    notes,
                    rng.choice((15, 20, 25)),
                )
                created = _stamp(max(prepared, case.opened_on), 8)
                meeting.items.append((self._add("agenda_items", values, created), case))

    # --- guardians and consents -----------------------------------------------------

    def consents(self) -> None:
        """Guardians and consents of the named children (renewals, oral first consents)."""
        rng, today = self.rng, self.today
        keys: set[str] = set()
        for kind in _CASE_FORUMS:
            keys |= set(self.forums[kind].participant_roles)
        scope = sorted(r.id for r in roles_repo.list_all(self.vault.conn) if r.key in keys)
        named = [c for c in self.case_list if c.named]
        extra = self.scale.consents - len(named)
        year = timedelta(days=365)

        def last_day(case: _Case) -> date:
            return case.meetings[-1].day if case.meetings else case.opened_on

        needing = sorted(
            (
                c
                for c in named
                if last_day(c) > c.opened_on + year and c.opened_on + year - timedelta(20) <= today
            ),
            key=lambda c: (c.opened_on - last_day(c), c.index),
        )
        renewed = {c.index for c in needing[: max(0, extra)]}
        unrenewed = {c.index for c in needing[max(0, extra) :]}
        oral_pool = [c for c in named if c.index not in renewed] or named
        remaining = max(0, extra - len(renewed))
        oral = {c.index: 1 for c in rng.sample(oral_pool, min(remaining, len(oral_pool)))}
        for n in range(remaining - len(oral)):  # more consents than children: some have more
            key = oral_pool[n % len(oral_pool)].index
            oral[key] = oral.get(key, 0) + 1
        for case in named:
            self._guardians(case)
            givers = [gid for gid, custody in case.guardians if custody]
            written_on = case.opened_on
            for _n in range(oral.get(case.index, 0)):
                given = case.opened_on
                self._consent(
                    case, given, "oral", given + timedelta(days=60), givers, scope, _ADVISOR
                )
                written_on = min(today, case.opened_on + timedelta(days=rng.randint(1, 14)))
            until: date | None = written_on + year
            if case.index in unrenewed:
                until = None  # until further notice
            latest = self._consent(case, written_on, "written", until, givers, scope)
            if case.index in renewed and until is not None:
                given = min(today, until - timedelta(days=rng.randint(0, 20)))
                latest = self._consent(case, given, "written", given + year, givers, scope)
            if case.closed_on is not None and rng.random() < 0.1:
                withdrawn = case.closed_on + timedelta(days=rng.randint(1, 30))
                if withdrawn <= today:
                    self._withdraw(latest, withdrawn)

    def _guardians(self, case: _Case) -> None:
        rng = self.rng
        created = _stamp(case.opened_on, 9)
        count = 2 if rng.random() < 0.7 else 1
        firsts = rng.sample(_GUARDIAN_FIRST, count)
        for n, first in enumerate(firsts):
            surname = case.surname if n == 0 or rng.random() < 0.6 else rng.choice(_CHILD_SURNAMES)
            custody = n == 0 or rng.random() < 0.95
            phone = f"+45 {rng.randint(20, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} 00"
            values = (case.id, f"{first} {surname}", "forælder", int(custody), phone)
            case.guardians.append((self._add("guardians", values, created), custody))

    def _consent(
        self,
        case: _Case,
        given: date,
        form: str,
        until: date | None,
        givers: list[str],
        scope: list[str],
        documented_by: str = "",
    ) -> int:
        """Add one consent; returns its row's index (for a later withdrawal)."""
        created = _stamp(given, 10)
        values = (
            case.id,
            given.isoformat(),
            form,
            documented_by,
            "Tværfagligt samarbejde om barnets trivsel.",
            until.isoformat() if until else None,
            None,
            "",
            "",
        )
        cid = self._add("consents", values, created)
        for gid in givers:
            self._add("consent_guardians", (cid, gid), created)
        for role_id in scope:
            self._add("consent_roles", (cid, role_id), created)
        return len(self.rows["consents"]) - 1

    def _withdraw(self, row_index: int, on: date) -> None:
        row = list(self.rows["consents"][row_index])
        # id, case, given, form, documented_by, purpose, until, withdrawn_on, by, note, …
        row[7], row[8], row[9] = on.isoformat(), "Forælder", "Ønsker ikke længere drøftelse."
        row[11] = _stamp(on, 10)  # updated_at
        self.rows["consents"][row_index] = tuple(row)

    # --- minutes, attendance, audit -------------------------------------------------

    def minutes(self) -> None:
        """Minutes of every held meeting with an agenda (approved unless recent)."""
        rng, today = self.rng, self.today
        for meeting in self.held:
            if not meeting.items:
                continue
            approved = meeting.approved_on
            written = _stamp(meeting.day, 14)
            self._add(
                "meeting_minutes",
                (
                    meeting.id,
                    approved.isoformat() if approved else None,
                    _ADVISOR if approved else "",
                ),
                written,
                _stamp(approved, 10) if approved else written,
            )
            for item_id, case in meeting.items:
                values = self._item_minutes(meeting, item_id, case)
                self._add("item_minutes", values, written, _stamp(approved or meeting.day, 10))
            for contact_id in self.staff.get(meeting.site_id, []):
                present = int(rng.random() < 0.85)
                self._add("attendance", (meeting.id, contact_id, present), written)
            before = min(today, meeting.day - timedelta(days=1))
            self.audit_entries.append(
                (
                    _stamp(before, 8),
                    audit.Action.PRINT,
                    "meeting",
                    meeting.id,
                    {"document": "agenda", "per_child": 0},
                )
            )
            if approved is None:
                continue
            self.audit_entries.append(
                (_stamp(approved, 10), "minutes.approved", "meeting", meeting.id, {})
            )
            if rng.random() < 0.01:
                on = approved + timedelta(days=rng.randint(3, 30))
                if on < today:
                    values4 = (meeting.id, on.isoformat(), _ADVISOR, rng.choice(_ADDENDA))
                    aid = self._add("addenda", values4, _stamp(on, 11))
                    self.audit_entries.append(
                        (
                            _stamp(on, 11),
                            "minutes.addendum",
                            "meeting",
                            meeting.id,
                            {"addendum": aid},
                        )
                    )

    def _item_minutes(
        self, meeting: _Meeting, item_id: str, case: _Case | None
    ) -> tuple[object, ...]:
        rng = self.rng
        if case is None:
            general = _sentences(rng, _GENERAL_TEXTS, 1, 2)
            return (item_id, meeting.id, "", "", "", general, None, None, "", None)
        approved = meeting.approved_on
        knowledge = _sentences(rng, _KNOWLEDGE, 2, 4)
        discussion = _sentences(rng, _DISCUSSION, 2, 4)
        first = case.meetings[0] is meeting
        evaluation = "" if first else _sentences(rng, _EVALUATION, 1, 2)
        if approved is None:  # a draft: written during the meeting, not finished
            return (item_id, meeting.id, knowledge, discussion, "", "", None, None, "", None)
        outcome, notified_on, notified_by, new_level = "continue-locally", None, "", None
        if case.closed_on is not None and case.meetings[-1] is meeting:
            outcome = "close-case"
        elif (roll := rng.random()) < 0.05:
            outcome = "network-meeting"
        elif roll < 0.07:
            outcome, notified_on, notified_by = "notification", meeting.day.isoformat(), "Lederen"
        if outcome != "close-case" and rng.random() < 0.1:
            current = case.levels[-1][1]
            new_level = rng.choice([level for level in range(4) if level != current])
            case.levels.append((approved, new_level))
        return (
            item_id,
            meeting.id,
            knowledge,
            discussion,
            evaluation,
            "",
            outcome,
            notified_on,
            notified_by,
            new_level,
        )

    # --- agreements, interventions, SDQ ---------------------------------------------

    def _case_items(self) -> list[tuple[_Meeting, str, _Case]]:
        return [(m, iid, c) for m in self.held for iid, c in m.items if c is not None]

    def agreements(self) -> None:
        """Agreements made at the children's items; most done, some overdue."""
        rng, today = self.rng, self.today
        items = self._case_items()
        if not items:
            return
        wanted = self.scale.agreements
        counts = [0] * len(items)
        if wanted <= len(items):
            for index in rng.sample(range(len(items)), wanted):
                counts[index] = 1
        else:
            counts = [1] * len(items)
            for _n in range(wanted - len(items)):
                counts[rng.randrange(len(items))] += 1
        for (meeting, item_id, case), count in zip(items, counts, strict=True):
            staff = self.staff.get(meeting.site_id, [])
            for _n in range(count):
                deadline = meeting.day + timedelta(days=rng.choice((14, 21, 28, 42, 56)))
                status = "open"
                if deadline < today - timedelta(days=7):
                    roll = rng.random()
                    status = "done" if roll < 0.9 else "cancelled" if roll < 0.94 else "open"
                owner = rng.choice(staff) if staff and rng.random() < 0.9 else None
                values = (
                    case.id,
                    meeting.id,
                    item_id,
                    rng.choice(_AGREEMENTS),
                    owner,
                    deadline.isoformat(),
                    int(rng.random() < 0.3),
                    status,
                )
                made = iso_utc(meeting.end)
                changed = _stamp(min(deadline, today), 15) if status != "open" else made
                self._add("agreements", values, made, changed)

    def interventions(self) -> None:
        """Interventions started at some items, evaluated once their date has passed."""
        rng, today = self.rng, self.today
        items = self._case_items()
        if not items:
            return
        types = [t[0] for t in interventions_repo.types(self.vault.conn) if t[1] != "other"]
        wanted = self.scale.interventions
        picks = rng.sample(range(len(items)), min(wanted, len(items)))
        picks += rng.choices(range(len(items)), k=max(0, wanted - len(items)))
        for index in picks:
            meeting, item_id, case = items[index]
            staff = self.staff.get(meeting.site_id, [])
            start = meeting.day
            evaluation_on = add_months(start, 3)
            status, evaluation, result = "active", "", None
            if evaluation_on < today:
                roll = rng.random()
                if roll < 0.8:
                    status = "evaluated"
                    pick = rng.randrange(3)
                    evaluation, result = _EVALUATIONS[pick], ("met", "partly", "not-met")[pick]
                elif roll < 0.9:
                    status = "stopped"
            values = (
                case.id,
                rng.choice(types),
                rng.choice(_GOALS),
                rng.choice(staff) if staff else None,
                start.isoformat(),
                evaluation_on.isoformat(),
                status,
                evaluation,
                result,
                meeting.id,
                item_id,
            )
            made = iso_utc(meeting.end)
            changed = _stamp(min(evaluation_on, today), 15) if status != "active" else made
            self._add("interventions", values, made, changed)

    def assessments(self) -> None:
        """SDQ before and after for the named children: first, last, then other meetings."""
        rng, today = self.rng, self.today
        named = [c for c in self.case_list if c.named and c.birth_date is not None]
        if not named:
            return
        instrument = default_sdq()
        dates: dict[int, list[date]] = {}
        for case in named:
            held = [m.day for m in case.meetings if m.held]
            dates[case.index] = held[:1] + held[-1:] + held[1:-1] if len(held) > 1 else held
        made = 0
        rounds = 0
        while made < self.scale.sdq:
            for case in named:
                if made == self.scale.sdq:
                    break
                days = dates[case.index]
                on = (
                    days[rounds]
                    if rounds < len(days)
                    else min(today, case.opened_on + timedelta(days=90 * rounds))
                )
                assert case.birth_date is not None
                age = max(2, min(17, (on - case.birth_date).days // 365))
                informant = "parent" if age < 4 or rng.random() < 0.6 else "teacher"
                version = sdq.choose_version(instrument, informant, age)
                answers = "".join(
                    "." if rng.random() < 0.02 else rng.choice("00112") for _n in range(25)
                )
                impact = [rng.randint(0, 3) for _n in version.impact_keys]
                values = (
                    case.id,
                    on.isoformat(),
                    informant,
                    version.key,
                    answers,
                    json.dumps(impact),
                    0,
                )
                self._add("sdq_assessments", values, _stamp(on, 11))
                made += 1
            rounds += 1

    # --- writing --------------------------------------------------------------------

    def write(self) -> None:
        """Everything planned, in one transaction: rows, status changes, audit entries."""
        for case in self.case_list:
            case.levels.sort(key=lambda pair: pair[0])
            created = _stamp(case.opened_on, 9)
            for on, level in case.levels:
                self._add("case_levels", (case.id, level, on.isoformat(), case.relay), created)
            closed = case.closed_on
            values = (
                "named" if case.named else "anonymous",
                case.first_name,
                case.surname,
                case.birth_date.isoformat() if case.birth_date else None,
                case.age_or_year,
                case.site_id,
                case.concern,
                case.levels[-1][1],
                case.relay,
                "closed" if closed else "open",
                case.opened_on.isoformat(),
                closed.isoformat() if closed else None,
                case.closure_reason,
            )
            changed = _stamp(closed or case.levels[-1][0], 10)
            self._add("cases", values, created, changed, record_id=case.id)
        self.audit_entries.sort(key=lambda entry: entry[0])
        with self.vault.transaction() as conn:
            demo_bulk_repo.set_meeting_statuses(conn, self.status_changes)
            for table in _ORDER:
                columns = ("id", *_COLUMNS[table], "created_at", "updated_at", "writer_vault_id")
                demo_bulk_repo.insert_rows(conn, table, columns, self.rows[table])
            for at, action, entity, entity_id, details in self.audit_entries:
                audit.append(conn, at, action, entity, entity_id, details or None)

    def summary(self, seconds: float) -> LargeSummary:
        """What was made."""
        rows = self.rows
        return LargeSummary(
            districts=self.scale.districts,
            sites=len(self.sites),
            contacts=self.contacts,
            series=self.series,
            meetings=self.all_meetings,
            held_meetings=len(self.held),
            cases=len(self.case_list),
            anonymous_cases=sum(1 for c in self.case_list if not c.named),
            agenda_items=len(rows["agenda_items"]),
            agreements=len(rows["agreements"]),
            consents=len(rows["consents"]),
            sdq_assessments=len(rows["sdq_assessments"]),
            interventions=len(rows["interventions"]),
            audit_entries=len(self.audit_entries),
            seconds=seconds,
        )

"""Schema 3: seeded roles and forums, change-log triggers, and the upgrade of an old vault."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.store import forums_repo, migrate, records, roles_repo
from app.store.connection import Connection
from app.store.vault import Vault
from tests.helpers.vaults import PASSPHRASE, open_directory

SCHEMA1 = Path(__file__).resolve().parents[2] / "fixtures" / "vault-schema1"
SCHEMA1_PASSPHRASE = "fixture passphrase one"
SCHEMA1_VAULT_ID = "5a3c6d1e-0000-4000-8000-00000000f101"

ROLE_KEYS = [
    "leader",
    "teacher",
    "pedagogue",
    "health-visitor",
    "psychologist",
    "ppr",
    "occupational-therapist",
    "authority-caseworker",
    "family-therapist",
    "ssp-worker",
    "police",
    "parent",
    "other",
]
FORUM_KINDS = {
    "daycare-consultation",
    "school-resource-team",
    "dialogue",
    "network",
    "district-half-yearly",
    "other",
}
AT = "2026-11-23T10:00:00.000Z"


def seeded_ids(conn: Connection) -> tuple[list[tuple[str, str | None]], dict[str, str]]:
    roles = [(r.id, r.key) for r in roles_repo.list_all(conn)]
    forums = {f.kind: f.id for f in forums_repo.list_all(conn)}
    return roles, forums


@pytest.fixture
def second_vault(tmp_path: Path) -> Iterator[Vault]:
    directory = open_directory(tmp_path / "second")
    try:
        yield directory.create(PASSPHRASE, "NO").vault
    finally:
        directory.release()


def test_seeded_roles_are_the_thirteen_defaults_in_order(vault: Vault) -> None:
    roles = roles_repo.list_all(vault.conn)
    assert [r.key for r in roles] == ROLE_KEYS
    assert [r.position for r in roles] == list(range(13))
    assert [r.name for r in roles] == [
        "Leader",
        "Teacher",
        "Pedagogue",
        "Health visitor",
        "Psychologist",
        "PPR",
        "Occupational therapist",
        "Authority caseworker",
        "Family therapist",
        "SSP worker",
        "Police",
        "Parent",
        "Other",
    ]


def test_seeded_ids_are_fixed_uuid5_values_shared_by_every_vault(
    vault: Vault, second_vault: Vault
) -> None:
    assert vault.vault_id != second_vault.vault_id
    roles, forums = seeded_ids(vault.conn)
    assert (roles, forums) == seeded_ids(second_vault.conn)
    assert set(forums) == FORUM_KINDS
    ids = [rid for rid, _key in roles] + list(forums.values())
    assert len(set(ids)) == len(ids) == 19
    assert {uuid.UUID(i).version for i in ids} == {5}
    # Seeds are written in each vault's own name.
    for conn, owner in ((vault.conn, vault.vault_id), (second_vault.conn, second_vault.vault_id)):
        writers = conn.execute(
            "SELECT writer_vault_id FROM roles UNION SELECT writer_vault_id FROM forums"
        ).fetchall()
        assert writers == [(owner,)]


def test_seeded_forums_have_the_defaults(vault: Vault) -> None:
    forums = {f.kind: f for f in forums_repo.list_all(vault.conn)}
    daycare = forums["daycare-consultation"]
    assert daycare.default_rrule == "FREQ=WEEKLY;INTERVAL=5;BYDAY=MO"
    assert daycare.school_holiday_policy == "ignore"
    team = forums["school-resource-team"]
    assert team.default_rrule == "FREQ=WEEKLY;INTERVAL=2"  # every 14 days
    assert team.default_duration_minutes == 120
    assert team.max_gap_days == 14
    assert team.school_holiday_policy == "skip"
    for kind in ("dialogue", "network", "other"):
        assert forums[kind].default_rrule is None
        assert forums[kind].max_gap_days is None
    assert forums["district-half-yearly"].default_rrule == "FREQ=MONTHLY;INTERVAL=6"
    role_keys = set(ROLE_KEYS)
    for forum in forums.values():
        assert set(forum.participant_roles) <= role_keys, forum.kind
        assert forum.chair in role_keys | {"advisor"}
        assert forum.minutes_by in role_keys | {"advisor"}


# --- change-log triggers ----------------------------------------------------------------


def _parents(conn: Connection, vault: Vault) -> dict[str, str]:
    ctx = vault.ctx
    site = records.insert(conn, ctx, "sites", {"name": "Nordskov Skole", "kind": "school"})
    forum = forums_repo.by_kind(conn, "other")
    assert forum is not None
    series = records.insert(
        conn,
        ctx,
        "series",
        {
            "forum_id": forum.id,
            "site_id": site,
            "rrule": "FREQ=WEEKLY",
            "first_start": "2026-01-06T10:00",
            "duration_minutes": 60,
            "holiday_policy": "skip",
            "school_holiday_policy": "ignore",
        },
    )
    return {"site": site, "forum": forum.id, "series": series}


# table -> (new record's values, a change) given the parents' ids
ROWS: dict[str, Callable[[dict[str, str]], tuple[dict[str, object], dict[str, object]]]] = {
    "roles": lambda p: ({"name": "Speech therapist", "position": 13}, {"name": "Speech"}),
    "sites": lambda p: ({"name": "Åbrink Skole", "kind": "school"}, {"kind": "other"}),
    "contacts": lambda p: ({"name": "Anne Holm", "site_id": p["site"]}, {"phone": "+45 1"}),
    "forums": lambda p: (
        {
            "kind": "other",
            "name": "Supervision",
            "default_duration_minutes": 45,
            "chair": "advisor",
            "minutes_by": "advisor",
            "school_holiday_policy": "ignore",
        },
        {"default_duration_minutes": 50},
    ),
    "series": lambda p: (
        {
            "forum_id": p["forum"],
            "site_id": p["site"],
            "rrule": "FREQ=MONTHLY",
            "first_start": "2026-01-06T10:00",
            "duration_minutes": 60,
            "holiday_policy": "move",
            "school_holiday_policy": "skip",
        },
        {"rrule": "FREQ=MONTHLY;INTERVAL=2"},
    ),
    "series_sites": lambda p: ({"series_id": p["series"], "site_id": p["site"]}, {}),
    "meetings": lambda p: (
        {
            "series_id": p["series"],
            "occurrence_key": "2026-01-06",
            "forum_id": p["forum"],
            "site_id": p["site"],
            "start_utc": "2026-01-06T09:00:00Z",
            "end_utc": "2026-01-06T10:00:00Z",
            "status": "planned",
        },
        {"status": "held", "sequence": 1},
    ),
    "school_holidays": lambda p: (
        {"name": "Vinterferie", "first_day": "2026-02-09", "last_day": "2026-02-15"},
        {"last_day": "2026-02-16"},
    ),
}


@pytest.mark.parametrize("table", sorted(ROWS))
def test_every_new_table_logs_insert_update_and_delete(vault: Vault, table: str) -> None:
    with vault.transaction() as conn:
        parents = _parents(conn, vault)
    values, change = ROWS[table](parents)
    start = vault.change_seq()
    with vault.transaction() as conn:
        rid = records.insert(conn, vault.ctx, table, values)
        assert records.update(conn, vault.ctx, table, rid, change)
        assert records.delete(conn, table, rid)
    rows = vault.conn.execute(
        "SELECT table_name, record_id, op, vault_id FROM change_log WHERE seq > ? ORDER BY seq",
        (start,),
    ).fetchall()
    assert rows == [
        (table, rid, "insert", vault.vault_id),
        (table, rid, "update", vault.vault_id),
        (table, rid, "delete", vault.vault_id),
    ]


# --- upgrade from schema 1 ------------------------------------------------------------------


def test_schema1_vault_upgrades_with_seeds_in_its_own_name(tmp_path: Path, vault: Vault) -> None:
    target = tmp_path / "old"
    shutil.copytree(SCHEMA1, target)
    directory = open_directory(target)
    try:
        old = directory.unlock(SCHEMA1_PASSPHRASE)
        assert old.vault_id == SCHEMA1_VAULT_ID
        assert old.schema_version() == migrate.latest_version() >= 3
        roles = roles_repo.list_all(old.conn)
        assert [r.key for r in roles] == ROLE_KEYS
        assert seeded_ids(old.conn) == seeded_ids(vault.conn)  # same records as a new vault
        writers = old.conn.execute(
            "SELECT writer_vault_id FROM roles UNION SELECT writer_vault_id FROM forums"
        ).fetchall()
        assert writers == [(SCHEMA1_VAULT_ID,)]
        # The seeds are in the change log too, so they sync like any record.
        logged = old.conn.execute(
            "SELECT record_id, vault_id FROM change_log"
            " WHERE table_name = 'roles' AND op = 'insert'"
        ).fetchall()
        assert sorted(logged) == sorted((r.id, SCHEMA1_VAULT_ID) for r in roles)
    finally:
        directory.release()

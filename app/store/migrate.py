"""Numbered SQL migrations, each applied in one transaction with its version bump.

``app/store/migrations/NNNN_name.sql`` moves the schema from version NNNN-1 to
NNNN. The file and ``PRAGMA user_version = NNNN`` commit together or not at all
(qutebrowser #6111: an interrupted migration must never leave half a schema).
A database from a newer Samråd is refused, never "downgraded".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from app.errors import VaultTooNew
from app.i18n import _
from app.store.connection import Connection

_NAME = re.compile(r"(\d{4})_[a-z0-9_]+\.sql")


# ``-- samraad:record-table NAME`` in a migration stands for the three
# change-log triggers every record table has (see 0001_foundation.sql), so
# no table can be added with a missing or mistyped trigger.
_RECORD_TABLE = re.compile(r"^-- samraad:record-table ([a-z_]+)$", re.MULTILINE)
_TRIGGERS = """CREATE TRIGGER {t}_log_insert AFTER INSERT ON {t}
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('{t}', NEW.id, 'insert', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER {t}_log_update AFTER UPDATE ON {t}
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('{t}', NEW.id, 'update', NEW.writer_vault_id, NEW.updated_at);
END;
CREATE TRIGGER {t}_log_delete AFTER DELETE ON {t}
BEGIN
    INSERT INTO change_log (table_name, record_id, op, vault_id, at)
    VALUES ('{t}', OLD.id, 'delete',
            (SELECT value FROM vault_meta WHERE key = 'vault_id'),
            strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;"""


def expand(sql: str) -> str:
    """The migration text with every record-table directive written out."""
    return _RECORD_TABLE.sub(lambda m: _TRIGGERS.format(t=m.group(1)), sql)


@dataclass(frozen=True)
class Migration:
    """One schema step."""

    version: int
    name: str
    sql: str


def available() -> list[Migration]:
    """All migrations shipped with this build, in order (versions 1..N, no gaps)."""
    found: list[Migration] = []
    for entry in resources.files("app.store.migrations").iterdir():
        match = _NAME.fullmatch(entry.name)
        if match:
            found.append(
                Migration(int(match.group(1)), entry.name, expand(entry.read_text("utf-8")))
            )
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migration files must be numbered 0001.. without gaps")
    return found


def latest_version() -> int:
    """The schema version this build writes."""
    return len(available())


def schema_version(conn: Connection) -> int:
    """The database's ``user_version``."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def upgrade(conn: Connection, target: int | None = None) -> list[int]:
    """Apply every pending migration up to ``target`` (default: latest).

    Returns the versions applied. Raises :class:`VaultTooNew` for a database
    written by a newer build.
    """
    migrations = available()
    goal = len(migrations) if target is None else target
    current = schema_version(conn)
    if current > len(migrations):
        raise VaultTooNew(
            _("This vault was written by a newer version of Samråd; please update Samråd.")
        )
    applied: list[int] = []
    for migration in migrations[current:goal]:
        # executescript would COMMIT an open transaction first, so BEGIN and
        # COMMIT are part of the script itself; a failure leaves it open.
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;"
            f"PRAGMA user_version = {migration.version};\n"
            "COMMIT;\n"
        )
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(migration.version)
    return applied

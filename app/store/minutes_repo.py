"""Minutes: per-item records of the 8 steps, approval, addenda and attendance."""

from __future__ import annotations

from dataclasses import dataclass

from app.store import records
from app.store.connection import Connection
from app.store.records import WriteContext

# The fields the editor saves one by one (autosave); nothing else is writable
# through :func:`save_field`.
TEXT_FIELDS = ("knowledge", "discussion", "evaluation", "general_text", "notification_by")
VALUE_FIELDS = ("outcome", "notification_on", "new_level", "new_relay_holder_id")


@dataclass(frozen=True)
class ItemMinutesRow:
    """The minutes of one agenda item."""

    id: str
    agenda_item_id: str
    meeting_id: str
    knowledge: str
    discussion: str
    evaluation: str
    general_text: str
    outcome: str | None
    notification_on: str | None
    notification_by: str
    new_level: int | None
    new_relay_holder_id: str | None
    leak_override: str | None


_ITEM_COLUMNS = (
    "id, agenda_item_id, meeting_id, knowledge, discussion, evaluation, general_text, outcome,"
    " notification_on, notification_by, new_level, new_relay_holder_id, leak_override"
)


def approval(conn: Connection, meeting_id: str) -> tuple[str | None, str]:
    """(approved on, approved by) of a meeting's minutes; (None, "") for a draft."""
    row = conn.execute(
        "SELECT approved_on, approved_by FROM meeting_minutes WHERE meeting_id = ?", (meeting_id,)
    ).fetchone()
    return (row[0], row[1]) if row else (None, "")


def ensure(
    conn: Connection, ctx: WriteContext, meeting_id: str, agenda_item_ids: list[str]
) -> None:
    """Create the minutes rows of a meeting and its items where missing."""
    if (
        conn.execute("SELECT 1 FROM meeting_minutes WHERE meeting_id = ?", (meeting_id,)).fetchone()
        is None
    ):
        records.insert(conn, ctx, "meeting_minutes", {"meeting_id": meeting_id})
    have = {
        r[0]
        for r in conn.execute(
            "SELECT agenda_item_id FROM item_minutes WHERE meeting_id = ?", (meeting_id,)
        )
    }
    for item_id in agenda_item_ids:
        if item_id not in have:
            records.insert(
                conn, ctx, "item_minutes", {"agenda_item_id": item_id, "meeting_id": meeting_id}
            )


def items(conn: Connection, meeting_id: str) -> dict[str, ItemMinutesRow]:
    """Agenda item id → its minutes, for one meeting."""
    rows = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM item_minutes WHERE meeting_id = ?", (meeting_id,)
    )
    return {row[1]: ItemMinutesRow(*row) for row in rows}


def of_item(conn: Connection, agenda_item_id: str) -> ItemMinutesRow | None:
    """The minutes of one agenda item."""
    row = conn.execute(
        f"SELECT {_ITEM_COLUMNS} FROM item_minutes WHERE agenda_item_id = ?", (agenda_item_id,)
    ).fetchone()
    return ItemMinutesRow(*row) if row else None


def save_field(
    conn: Connection, ctx: WriteContext, minutes_id: str, field: str, value: object
) -> bool:
    """One UPDATE of one field (the autosave write)."""
    if field not in TEXT_FIELDS + VALUE_FIELDS + ("leak_override",):
        raise ValueError(f"not a minutes field: {field}")
    return records.update(conn, ctx, "item_minutes", minutes_id, {field: value})


def save_field_of_item(
    conn: Connection, ctx: WriteContext, agenda_item_id: str, field: str, value: object
) -> bool:
    """The autosave write: one UPDATE of one field, addressed by the agenda item."""
    if field not in TEXT_FIELDS + VALUE_FIELDS:
        raise ValueError(f"not a minutes field: {field}")
    cur = conn.execute(
        f"UPDATE item_minutes SET {field} = ?, updated_at = ?, writer_vault_id = ?"
        " WHERE agenda_item_id = ?",
        (value, ctx.now(), ctx.vault_id, agenda_item_id),
    )
    return bool(cur.rowcount)


def set_leak_override(
    conn: Connection, ctx: WriteContext, agenda_item_id: str, reason: str
) -> bool:
    """Record why an item's minutes may print despite a leak hit (allowed after approval)."""
    record = of_item(conn, agenda_item_id)
    if record is None:
        return False
    return records.update(conn, ctx, "item_minutes", record.id, {"leak_override": reason})


def approve(conn: Connection, ctx: WriteContext, meeting_id: str, on: str, by: str) -> None:
    """Mark a meeting's minutes approved."""
    row = conn.execute(
        "SELECT id FROM meeting_minutes WHERE meeting_id = ?", (meeting_id,)
    ).fetchone()
    records.update(conn, ctx, "meeting_minutes", row[0], {"approved_on": on, "approved_by": by})


def add_addendum(
    conn: Connection, ctx: WriteContext, meeting_id: str, written_on: str, author: str, text: str
) -> str:
    """Append a dated addendum to a meeting's minutes."""
    return records.insert(
        conn,
        ctx,
        "addenda",
        {"meeting_id": meeting_id, "written_on": written_on, "author": author, "text": text},
    )


def addenda(conn: Connection, meeting_id: str) -> list[tuple[str, str, str, str]]:
    """(id, written on, author, text) of a meeting's addenda, oldest first."""
    rows = conn.execute(
        "SELECT id, written_on, author, text FROM addenda WHERE meeting_id = ?"
        " ORDER BY written_on, created_at",
        (meeting_id,),
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def set_attendance(
    conn: Connection, ctx: WriteContext, meeting_id: str, contact_id: str, present: bool
) -> None:
    """Record whether a contact attended."""
    row = conn.execute(
        "SELECT id FROM attendance WHERE meeting_id = ? AND contact_id = ?",
        (meeting_id, contact_id),
    ).fetchone()
    if row:
        records.update(conn, ctx, "attendance", row[0], {"present": int(present)})
    else:
        records.insert(
            conn,
            ctx,
            "attendance",
            {"meeting_id": meeting_id, "contact_id": contact_id, "present": int(present)},
        )


def attendance(
    conn: Connection, meeting_id: str
) -> list[tuple[str, str, str | None, str | None, bool]]:
    """(contact id, name, role key, role name, present) for a meeting."""
    rows = conn.execute(
        "SELECT c.id, c.name, r.key, r.name, a.present FROM attendance a"
        " JOIN contacts c ON c.id = a.contact_id LEFT JOIN roles r ON r.id = c.role_id"
        " WHERE a.meeting_id = ? ORDER BY a.present DESC, c.name",
        (meeting_id,),
    )
    return [(cid, name, key, rname, bool(present)) for cid, name, key, rname, present in rows]

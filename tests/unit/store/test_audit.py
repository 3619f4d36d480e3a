from __future__ import annotations

import pytest

from app.store import audit
from app.store.vault import Vault


def test_each_entry_chains_to_the_previous(vault: Vault) -> None:
    vault.audit(audit.Action.EXPORT, "peer", "office-1", {"records": 12})
    vault.audit(audit.Action.PRINT, "meeting", "m-1", {"pages": 3})
    rows = audit.entries(vault.conn)
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    assert audit.first_broken_entry(vault.conn) is None


def test_the_log_refuses_updates_and_deletes(vault: Vault) -> None:
    with pytest.raises(Exception, match="append-only"):
        vault.conn.execute("UPDATE audit_log SET action = 'x'")
    with pytest.raises(Exception, match="append-only"):
        vault.conn.execute("DELETE FROM audit_log")


def test_editing_a_row_breaks_the_chain_there(vault: Vault) -> None:
    vault.audit(audit.Action.EXPORT, details={"records": 1})
    vault.audit(audit.Action.EXPORT, details={"records": 2})
    target = audit.entries(vault.conn)[1].seq
    vault.conn.execute("DROP TRIGGER audit_log_append_only_update")
    vault.conn.execute("UPDATE audit_log SET details = '{\"records\":99}' WHERE seq = ?", (target,))
    assert audit.first_broken_entry(vault.conn) == target
    assert not vault.self_test().ok


def test_deleting_a_row_breaks_the_chain(vault: Vault) -> None:
    for n in range(3):
        vault.audit(audit.Action.EXPORT, details={"records": n})
    middle = audit.entries(vault.conn)[1].seq
    vault.conn.execute("DROP TRIGGER audit_log_append_only_delete")
    vault.conn.execute("DELETE FROM audit_log WHERE seq = ?", (middle,))
    assert audit.first_broken_entry(vault.conn) == middle + 1


@pytest.mark.parametrize(
    ("entity_id", "details"),
    [
        ("Anna Hansen", None),
        (None, {"note": "barnet er ked af det"}),
        (None, {"name": "Ødis"}),
        (None, {"blob": 1.5}),
    ],
)
def test_free_text_is_refused_so_no_personal_data_enters(
    vault: Vault, entity_id: str | None, details: dict[str, object] | None
) -> None:
    before = len(audit.entries(vault.conn))
    with pytest.raises(ValueError):
        vault.audit(audit.Action.CASE_READ, "case", entity_id, details)  # type: ignore[arg-type]
    assert len(audit.entries(vault.conn)) == before


def test_lifecycle_actions_are_audited(vault: Vault) -> None:
    directory = vault.directory
    vault.close()
    again = directory.unlock("correct horse battery staple")
    actions = [e.action for e in audit.entries(again.conn)]
    assert actions[0] == "vault.created"
    assert "vault.locked" in actions and actions[-1] == "vault.unlocked"
    assert "vault.backup" in actions  # the automatic backup on close

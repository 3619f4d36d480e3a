"""The disk-full scenario, shared by the tmpfs test and the file-size-limit child process.

Run as ``python -m tests.proof.diskfull VAULT_DIR OUT_DIR LIMIT_BYTES`` it lowers
``RLIMIT_FSIZE`` to LIMIT_BYTES (no file may grow past that offset: writes fail
with EFBIG, the way a full disk fails them with ENOSPC), runs :func:`scenario`
and prints its result as one JSON line.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyrage

from app.domain.calendar_model import ForumKind, SiteKind
from app.domain.case_model import ConsentForm
from app.errors import KnownError, StorageFull
from app.services import agenda_service, cases_service, minutes_service, sites_service
from app.services.calendar_service import CalendarService
from app.store import forums_repo, roles_repo
from app.store.vault import Vault
from app.sync import identity
from app.sync.exporter import export_bundle
from tests.helpers.vaults import PASSPHRASE, open_directory

SCAN_BYTES = 400_000  # a scanned consent form: makes bundles and backups larger than a limit
TYPED = 6_000  # characters per autosave, so the disk fills in a few dozen saves


def typed(i: int) -> str:
    """What autosave ``i`` stores as the discussion."""
    return f"typed {i} " + "x" * TYPED


def prepare(root: Path) -> tuple[str, str]:
    """A vault with a meeting, a case on its agenda, minutes started and a scanned
    consent; returns (meeting id, agenda item id). The vault is left locked."""
    with open_directory(root) as directory:
        vault = directory.create(PASSPHRASE, "DK").vault
        site_id, _changes = sites_service.add_site(vault, "Nordskov Skole", SiteKind.SCHOOL, None)
        forum = forums_repo.by_kind(vault.conn, str(ForumKind.SCHOOL_RESOURCE_TEAM))
        assert forum is not None
        meeting_id, _changes = CalendarService(vault).add_meeting(
            forum.id, site_id, datetime(2026, 11, 24, 12, 30)
        )
        case_id, _changes = cases_service.create_anonymous(
            vault, "Ida", site_id, "Træt om morgenen.", date(2026, 10, 1)
        )
        guardian_id, _changes = cases_service.add_guardian(vault, case_id, "Mor", "mor", True)
        cases_service.record_consent(
            vault,
            case_id,
            date(2026, 10, 2),
            ConsentForm.WRITTEN,
            [guardian_id],
            [roles_repo.list_all(vault.conn)[0].id],
            scan=bytes(range(256)) * (SCAN_BYTES // 256),
        )
        item_id, _changes = agenda_service.add_case_item(vault, meeting_id, case_id)
        minutes_service.start(vault, meeting_id)
        identity.signing_key(vault)  # made now: the export below writes only its file
        vault.close()
    return meeting_id, item_id


def _attempt(result: dict[str, Any], name: str, action: Any) -> None:
    try:
        action()
    except KnownError as exc:
        result[name] = {"error": type(exc).__name__, "message": exc.message}
    else:
        result[name] = {"error": None}


def scenario(vault: Vault, item_id: str, out_dir: Path, max_saves: int = 2_000) -> dict[str, Any]:
    """Autosave until the disk is full, then export, back up and lock on the full disk.

    Returns what happened: the last save that returned, and per operation the
    KnownError class and sentence (``None`` when it succeeded). Any other
    exception escapes: that would be a bug.
    """
    result: dict[str, Any] = {"last_saved": 0}
    for i in range(1, max_saves + 1):
        try:
            minutes_service.save_field(vault, item_id, "discussion", typed(i))
        except StorageFull as exc:
            result["autosave"] = {"error": type(exc).__name__, "message": exc.message}
            break
        result["last_saved"] = i
    else:
        result["autosave"] = {"error": None}
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    _attempt(
        result,
        "export",
        lambda: export_bundle(
            vault, out_dir / "everything.samraad", recipients=[recipient], everything=True
        ),
    )
    _attempt(result, "backup", lambda: vault.backup_to(out_dir / "manual.samraad-backup"))
    _attempt(result, "lock", vault.close)
    result["locked"] = not vault.is_open
    return result


def main(argv: list[str]) -> None:
    """``VAULT_DIR OUT_DIR LIMIT_BYTES ITEM_ID``: the scenario under a file-size limit."""
    import resource
    import signal

    vault_dir, out_dir, limit, item_id = Path(argv[0]), Path(argv[1]), int(argv[2]), argv[3]
    with open_directory(vault_dir) as directory:
        vault = directory.unlock(PASSPHRASE)
        # Past the limit a write fails with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
        result = scenario(vault, item_id, out_dir)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])

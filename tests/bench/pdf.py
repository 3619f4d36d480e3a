"""pdf_ratio: the agenda PDF of a 12-item meeting ÷ a bare reportlab document
of the same text in the same fonts.

The app's side is ``agenda_service.print_agenda`` on the large vault, start
to finish: reading the agenda, the consent rule and leak check of every
item, the layout, the atomic 0600 write and the audit entry. The floor is
one ``SimpleDocTemplate`` of plain paragraphs holding the same words, in the
same embedded DejaVu fonts, written to a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, SimpleDocTemplate

from app.reports import pdf_common
from app.services import agenda_service
from app.store.vault import Vault, VaultDirectory
from tests.bench.common import PASSPHRASE, paired_medians

ITEMS = 12
RUNS = 9


@dataclass(frozen=True)
class PdfResult:
    """Medians (seconds) of the app's agenda PDF and of the bare document."""

    app_s: float
    bare_s: float
    meeting_id: str

    @property
    def ratio(self) -> float:
        """App ÷ bare."""
        return self.app_s / self.bare_s


def meeting_with_items(vault: Vault, count: int = ITEMS) -> str:
    """The first meeting (by start) whose agenda has exactly ``count`` items."""
    row = vault.conn.execute(
        "SELECT m.id FROM meetings m JOIN agenda_items i ON i.meeting_id = m.id"
        " GROUP BY m.id HAVING COUNT(*) = ? ORDER BY m.start_utc, m.id LIMIT 1",
        (count,),
    ).fetchone()
    if row is None:
        raise RuntimeError(f"no meeting with {count} agenda items in the benchmark vault")
    return str(row[0])


def _texts(vault: Vault, meeting_id: str) -> list[str]:
    """The words the agenda prints: the heading facts, then each item."""
    view = agenda_service.agenda(vault, meeting_id)
    meeting = view.meeting
    texts = [
        "Dagsorden",
        f"{meeting.forum_name} · {meeting.site_name}",
        meeting.start.strftime("%A %d %B %Y %H:%M"),
        ", ".join(sorted(view.invited_roles)),
    ]
    for item in view.items:
        texts.append(f"{item.position}. {item.anonymous_label} ({item.minutes} min)")
        texts.append("\n".join(t for t in (item.text, item.notes) if t))
    return texts


def _bare(texts: list[str], out: Path) -> None:
    """The floor: the same text as plain paragraphs, one pass, same fonts."""
    pdf_common.register_fonts()
    style = ParagraphStyle("bare", fontName=pdf_common.FONT, fontSize=10.5, leading=14)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4)
    doc.build([Paragraph(pdf_common.markup(text), style) for text in texts])
    out.write_bytes(buffer.getvalue())


def measure(root: Path, scratch: Path, runs: int = RUNS) -> PdfResult:
    """Both documents, turn about, on the vault at ``root``."""
    with VaultDirectory.open(root, create=False) as directory:
        vault = directory.unlock(PASSPHRASE)
        try:
            meeting_id = meeting_with_items(vault)
            texts = _texts(vault, meeting_id)
            app_s, bare_s = paired_medians(
                lambda: agenda_service.print_agenda(vault, meeting_id, scratch / "agenda.pdf"),
                lambda: _bare(texts, scratch / "bare.pdf"),
                runs,
            )
        finally:
            vault.close(auto_backup=False)
    return PdfResult(app_s, bare_s, meeting_id)

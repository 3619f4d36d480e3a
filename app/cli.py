"""The command line: scripting, the office, and tests. The GUI is the product.

Every command takes ``--data-dir`` (before or after the command word). A user
mistake ends with one sentence on stderr and a non-zero exit — never a
traceback (architecture.md rule 6).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import NoReturn, TextIO

from app import __version__, i18n
from app.domain.secrets_policy import passphrase_problem
from app.errors import BadInput, KnownError, VaultExists, WeakPassphrase
from app.fileio import atomic_write
from app.i18n import _, ngettext
from app.paths import default_demo_dir, resolve_data_dir
from app.reports import calendar_export
from app.services import (
    agenda_service,
    case_report,
    cases_service,
    demo,
    key_memory,
    minutes_print,
    sites_service,
)
from app.services.calendar_service import CalendarService
from app.services.retention_service import BundleWarning, ErasureResult, erasure_sentences
from app.store import sites_repo
from app.store.connection import DatabaseError
from app.store.keyring_cache import KeyringCache
from app.store.vault import Vault, VaultDirectory, outside_data_folder

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BUG = 70
EXIT_CANCELLED = 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad command line is one sentence, not a usage dump."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(
            _("Invalid command line ({detail}); see “samraad --help”.").format(detail=message)
        )


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    # On sub-commands the defaults are SUPPRESS so a value given before the
    # command word is not overwritten by the sub-parser's default.
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--data-dir", default=default, help=_("the vault's folder"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=default, help=_("language"))
    parser.add_argument(
        "--passphrase-file", default=default, help=_("read the passphrase from this file")
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``samraad``."""
    parser = _Parser(prog="samraad", description=_("Samråd — offline meetings and minutes."))
    parser.add_argument("--version", action="version", version=f"samraad {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        _global_options(p, suppress=True)
        return p

    p = command("init", _("create a vault; prints the recovery code once"))
    p.add_argument("--country", choices=("DK", "NO"), default="DK")
    command("self-test", _("open the vault, check its integrity and audit chain"))
    p = command("backup", _("write an encrypted backup file"))
    p.add_argument("--out", required=True)
    p = command("restore", _("replace the vault with a backup"))
    p.add_argument("file")
    p.add_argument("--recovery-code-file")
    p.add_argument("--yes", action="store_true", help=_("replace an existing vault"))
    p = command("passphrase", _("change the passphrase"))
    p.add_argument("--new-passphrase-file")
    p = command("recover", _("unlock with the recovery code and set a new passphrase"))
    p.add_argument("--recovery-code-file")
    p.add_argument("--new-passphrase-file")
    p = command("calendar", _("list meetings (table, JSON or iCalendar)"))
    p.add_argument("--from", dest="date_from", type=_date_arg)
    p.add_argument("--to", dest="date_to", type=_date_arg)
    p.add_argument("--format", choices=("table", "json", "ics"), default="table")
    p.add_argument("--out", help=_("write to this file instead of the screen"))
    p = command("sites", _("list sites, or import sites and contacts from CSV"))
    p.add_argument("action", nargs="?", choices=("import",))
    p.add_argument("file", nargs="?")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = command("cases", _("list cases"))
    p.add_argument("--format", choices=("table", "json"), default="table")
    p = command("agenda", _("print a meeting's agenda as PDF"))
    p.add_argument("meeting_id")
    p.add_argument("--out", required=True)
    p.add_argument("--per-child", help=_("also write one PDF per named child into this folder"))
    p = command("minutes", _("print a meeting's minutes as PDF"))
    p.add_argument("meeting_id")
    p.add_argument("--out", required=True)
    p.add_argument("--per-child", help=_("also write one extract per named child into this folder"))
    p = command("case-report", _("everything about one child, for a subject access request"))
    p.add_argument("case_id")
    p.add_argument("--out", required=True)
    p.add_argument("--json", dest="json_out")
    p = command("sdq", _("SDQ scoring without a vault"))
    p.add_argument("action", choices=("score",))
    p.add_argument(
        "--version", dest="sdq_version", required=True, choices=("parent", "teacher", "self")
    )
    p.add_argument("--age", type=int, required=True)
    p.add_argument("--answers", required=True, help=_("25 characters of 0, 1, 2 or . (missing)"))
    p = command("export", _("write an encrypted bundle for the office or a colleague"))
    p.add_argument("--recipient", action="append", default=[], help=_("an age public key"))
    p.add_argument("--recipient-file", help=_("a file of age public keys, one per line"))
    p.add_argument("--bundle-passphrase-file", help=_("encrypt with the passphrase in this file"))
    p.add_argument("--peer", help=_("everything since the last export to this peer"))
    p.add_argument("--case", action="append", default=[], help=_("one case with all it needs"))
    p.add_argument("--all", action="store_true", help=_("everything in the vault"))
    p.add_argument("--out", required=True)
    p = command("import", _("import an encrypted bundle"))
    p.add_argument("file")
    p.add_argument("--identity", help=_("the age identity (secret key) file"))
    p.add_argument("--bundle-passphrase-file", help=_("the bundle's passphrase file"))
    p.add_argument(
        "--trust-new-sender", action="store_true", help=_("accept a sender not seen before")
    )
    p = command("demo", _("create a vault of fictional demo data"))
    p.add_argument("--size", choices=("small", "large", "huge"), default="small")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--country", choices=("DK", "NO"), default="DK")
    p = command("remember", _("remember the key in the system keyring on this computer"))
    p.add_argument("--forget", action="store_true", help=_("stop remembering it"))
    p = command("retention", _("list what is due for erasure under the retention rules"))
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--erase-due", action="store_true", help=_("erase everything that is due"))
    p.add_argument("--yes", action="store_true", help=_("erase without asking"))
    p = command("erase", _("erase one case and everything about it, for good"))
    p.add_argument("case_id")
    p.add_argument("--yes", action="store_true", help=_("erase without asking"))
    return parser


def _date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("{text} is not a date like 2026-11-23").format(text=text)
        ) from None


# --- secrets from file, environment or prompt ---------------------------------------


def _read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadInput(_("The file {name} cannot be read.").format(name=path)) from None
    # Only the first line's ending (and an editor's BOM) goes: spaces and any
    # other character may belong to the passphrase.
    first = text.removeprefix("\ufeff").split("\n", 1)[0]
    return first.removesuffix("\r")


def _secret(file_arg: str | None, env_name: str, prompt: str, *, confirm: bool = False) -> str:
    if file_arg:
        return _read_secret_file(file_arg)
    from_env = os.environ.get(env_name)
    if from_env is not None:
        return from_env
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput(
            _("No {what} given: use a prompt, {env} or a file option.").format(
                what=prompt.rstrip(": ").lower(), env=env_name
            )
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass(_("Repeat: ")) != first:
        raise BadInput(_("The two entries differ; nothing was changed."))
    return first


def _passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str:
    return _secret(args.passphrase_file, "SAMRAAD_PASSPHRASE", _("Passphrase: "), confirm=confirm)


def _new_passphrase(args: argparse.Namespace) -> str:
    return _secret(
        args.new_passphrase_file, "SAMRAAD_NEW_PASSPHRASE", _("New passphrase: "), confirm=True
    )


def _recovery_code(args: argparse.Namespace) -> str:
    return _secret(args.recovery_code_file, "SAMRAAD_RECOVERY_CODE", _("Recovery code: "))


def unlock(directory: VaultDirectory, args: argparse.Namespace) -> Vault:
    """Unlock with the remembered key if the OS keyring has it, else the passphrase."""
    vault = key_memory.unlock_remembered(directory, KeyringCache())
    return vault if vault is not None else directory.unlock(_passphrase(args))


# --- commands ---------------------------------------------------------------------


def cmd_init(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    if directory.exists():
        raise VaultExists(_("A vault already exists in this data folder."))
    created = directory.create(_passphrase(args, confirm=True), args.country)
    created.vault.close()
    out.write(_("Vault created in {path}.").format(path=directory.layout.root) + "\n")
    out.write(_("Recovery code (shown only now; print it and lock it away):") + "\n")
    out.write(f"\n    {created.recovery_code}\n\n")
    return EXIT_OK


def cmd_self_test(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    vault = unlock(directory, args)
    try:
        report = vault.self_test()
    finally:
        vault.close(auto_backup=False)
    if report.ok:
        out.write(
            _("Vault OK: encryption, integrity and audit chain verified (schema {n}).").format(
                n=report.schema_version
            )
            + "\n"
        )
        return EXIT_OK
    if report.audit_broken_at is not None:
        reason = _("the audit log was altered at entry {n}").format(n=report.audit_broken_at)
    elif report.cipher_problems:
        reason = _("encrypted pages are damaged ({n} problems)").format(
            n=len(report.cipher_problems)
        )
    else:
        reason = _("the database structure is damaged")
    if report.restore_from is None:
        message = _("Vault check FAILED: {reason}.").format(reason=reason)
    else:
        message = _(
            "Vault check FAILED: {reason}; restore the newest good backup with "
            "“samraad restore {path}”."
        ).format(reason=reason, path=report.restore_from)
    sys.stderr.write(message + "\n")
    return EXIT_CHECK_FAILED


def cmd_backup(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.out)
    if not target.parent.is_dir():
        raise BadInput(_("The folder {name} does not exist.").format(name=target.parent))
    if directory.layout.contains(target):
        raise outside_data_folder()
    vault = unlock(directory, args)
    try:
        vault.backup_to(target)
    finally:
        vault.close()
    out.write(_("Backup written to {path}.").format(path=args.out) + "\n")
    return EXIT_OK


def cmd_restore(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    if directory.exists() and not args.yes:
        raise VaultExists(
            _("A vault already exists here; add --yes to replace it (it is kept aside in backups).")
        )
    if args.recovery_code_file:
        directory.restore(Path(args.file), recovery_code=_recovery_code(args))
    else:
        directory.restore(Path(args.file), passphrase=_passphrase(args))
    out.write(_("Vault restored from {path}.").format(path=args.file) + "\n")
    return EXIT_OK


def cmd_passphrase(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    current = _passphrase(args)
    # Ask for and check the new passphrase before unlocking: a refusal then
    # leaves every file of the vault exactly as it was.
    new = _new_passphrase(args)
    problem = passphrase_problem(new)
    if problem:
        raise WeakPassphrase(problem)
    vault = directory.unlock(current)
    try:
        vault.change_passphrase(new)
    finally:
        vault.close(auto_backup=False)
    out.write(_("Passphrase changed.") + "\n")
    return EXIT_OK


def cmd_recover(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    vault = directory.unlock_with_recovery_code(_recovery_code(args), _new_passphrase(args))
    vault.close(auto_backup=False)
    out.write(_("Vault unlocked with the recovery code; the new passphrase is set.") + "\n")
    return EXIT_OK


def cmd_remember(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    vault = directory.unlock(_passphrase(args))
    try:
        if args.forget:
            key_memory.forget(vault, KeyringCache())
            out.write(_("The key is no longer remembered on this computer.") + "\n")
        else:
            key_memory.remember(vault, KeyringCache())
            out.write(_("The key is remembered in this computer's keyring.") + "\n")
    finally:
        vault.close(auto_backup=False)
    return EXIT_OK


def _today() -> date:
    return date.today()


def _emit(text: str, out_path: str | None, out: TextIO) -> None:
    if out_path:
        # The user asked for this file: written atomically, private (0600).
        atomic_write(Path(out_path), text.encode("utf-8"))
    else:
        out.write(text)


def cmd_calendar(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    today = _today()
    first = args.date_from or today
    last = args.date_to or first + timedelta(days=27)
    if last < first:
        raise BadInput(_("The end date is before the start date."))
    if args.out:
        _writable_target(Path(args.out), directory)
    vault = unlock(directory, args)
    try:
        service = CalendarService(vault)
        service.ensure_horizon(today)
        meetings = service.between(first, last)
        if args.format == "json":
            text = (
                json.dumps(
                    [calendar_export.meeting_json(m) for m in meetings],
                    indent=2,
                    ensure_ascii=False,
                )
                + "\n"
            )
        elif args.format == "ics":
            text = calendar_export.ics(meetings, stamp=vault.ctx.clock())
        else:
            text = calendar_export.table(meetings)
    finally:
        vault.close()
    _emit(text, args.out, out)
    return EXIT_OK


def cmd_sites(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "import":
        if not args.file:
            raise BadInput(_("Name the CSV file to import."))
        try:
            data = Path(args.file).read_bytes()
        except OSError:
            raise BadInput(_("The file {name} cannot be read.").format(name=args.file)) from None
        vault = unlock(directory, args)
        try:
            report = sites_service.import_csv(vault, data)
        except sites_service.ImportRejected as rejected:
            for line in rejected.details():
                sys.stderr.write(line + "\n")
            raise
        finally:
            vault.close()
        parts = (
            ngettext("{n} site", "{n} sites", report.sites).format(n=report.sites),
            ngettext("{n} contact", "{n} contacts", report.contacts).format(n=report.contacts),
            ngettext("{n} new district", "{n} new districts", report.districts).format(
                n=report.districts
            ),
        )
        out.write(_("Imported: {parts}.").format(parts=", ".join(parts)) + "\n")
        return EXIT_OK
    vault = unlock(directory, args)
    try:
        sites = sites_repo.list_all(vault.conn)
    finally:
        vault.close(auto_backup=False)
    if args.format == "json":
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "kind": s.kind,
                "district": s.district,
                "district_id": s.district_id,
                "address": s.address,
            }
            for s in sites
        ]
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(calendar_export.sites_table(sites))
    return EXIT_OK


def cmd_cases(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    vault = unlock(directory, args)
    try:
        summaries = cases_service.list_cases(vault, _today())
    finally:
        vault.close(auto_backup=False)
    if args.format == "json":
        rows = [
            {
                "id": s.row.id,
                "kind": s.row.kind,
                "first_name": s.row.first_name,
                "surname": s.row.surname,
                "birth_date": s.row.birth_date,
                "age_or_year": s.row.age_or_year,
                "site_id": s.row.site_id,
                "level": s.row.level,
                "status": s.row.status,
                "opened_on": s.row.opened_on,
                "closed_on": s.row.closed_on,
                "consent_valid_today": s.consent_valid_today,
            }
            for s in summaries
        ]
        out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    if not summaries:
        out.write(_("No cases yet.") + "\n")
    for s in summaries:
        name = s.row.first_name + (f" {s.row.surname}" if s.row.surname else "")
        consent = _("consent valid") if s.consent_valid_today else _("no valid consent")
        out.write(
            f"{name:<28} {_(s.row.kind):<10} {_('level')} {s.row.level}  {_(s.row.status):<8}"
            f" {consent:<18} {s.row.id}\n"
        )
    return EXIT_OK


def _writable_target(path: Path, directory: VaultDirectory) -> None:
    # Never let a file the user asked for land on (or among) the vault's own files.
    if directory.layout.contains(path):
        raise outside_data_folder()
    if not path.parent.is_dir():
        raise BadInput(_("The folder {name} does not exist.").format(name=path.parent))
    if not os.access(path.parent, os.W_OK):
        raise BadInput(_("The folder {name} cannot be written to.").format(name=path.parent))


def _per_child_folder(args: argparse.Namespace, directory: VaultDirectory) -> Path | None:
    """The --per-child folder, checked before the vault is unlocked (None if not asked)."""
    if not args.per_child:
        return None
    folder = Path(args.per_child)
    if not folder.is_dir():
        raise BadInput(_("The folder {name} does not exist.").format(name=folder))
    _writable_target(folder / "probe.pdf", directory)
    return folder


def cmd_agenda(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.out)
    _writable_target(target, directory)
    per_child = _per_child_folder(args, directory)
    vault = unlock(directory, args)
    try:
        written = agenda_service.print_agenda(vault, args.meeting_id, target, per_child)
    finally:
        vault.close()
    out.write(_("Agenda written to {path}.").format(path=written.agenda) + "\n")
    for path in written.per_child:
        out.write(_("Per-child agenda written to {path}.").format(path=path) + "\n")
    out.write(
        _("Reminder: a PDF is not encrypted; keep it where only the right people can read it.")
        + "\n"
    )
    return EXIT_OK


def cmd_minutes(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.out)
    _writable_target(target, directory)
    per_child = _per_child_folder(args, directory)
    vault = unlock(directory, args)
    try:
        written = minutes_print.print_minutes(vault, args.meeting_id, target, per_child)
    finally:
        vault.close()
    out.write(_("Minutes written to {path}.").format(path=written.minutes) + "\n")
    for path in written.per_child:
        out.write(_("Extract for the child's record written to {path}.").format(path=path) + "\n")
    out.write(
        _("Reminder: a PDF is not encrypted; keep it where only the right people can read it.")
        + "\n"
    )
    return EXIT_OK


def cmd_case_report(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    target = Path(args.out)
    _writable_target(target, directory)
    json_target = Path(args.json_out) if args.json_out else None
    if json_target is not None:
        _writable_target(json_target, directory)
    vault = unlock(directory, args)
    try:
        case_report.write(vault, args.case_id, target, json_target, _today())
    finally:
        vault.close()
    out.write(_("Subject access report written to {path}.").format(path=target) + "\n")
    if json_target is not None:
        out.write(_("Data written to {path}.").format(path=json_target) + "\n")
    return EXIT_OK


def cmd_sdq(args: argparse.Namespace, out: TextIO) -> int:
    """Score 25 answers with the shipped instrument; needs no vault."""
    from app.domain import sdq
    from app.instruments import default_sdq

    instrument = default_sdq()
    try:
        version = sdq.choose_version(instrument, args.sdq_version, args.age)
        scores = sdq.score_answers(instrument, sdq.parse_answers(args.answers))
    except ValueError as exc:
        raise BadInput(str(exc)) from None
    values = scores.as_dict()
    result: dict[str, object] = {
        key: values[key]
        for key in (
            "emotional",
            "conduct",
            "hyperactivity",
            "peer",
            "prosocial",
            "total",
            "externalising",
            "internalising",
        )
    }
    banded = sdq.bands(version, scores)
    result["bands"] = {key: banded.get(key) for key in (*sdq.SCALES, "total")}
    result["version"] = version.key
    out.write(json.dumps(result, indent=2) + "\n")
    return EXIT_OK


def _lines_of(path: str) -> list[str]:
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise BadInput(_("The file {name} cannot be read.").format(name=path)) from None
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def cmd_export(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    from app.store import sync_repo
    from app.sync.exporter import export_bundle

    target = Path(args.out)
    _writable_target(target, directory)
    recipients = list(args.recipient) + (
        _lines_of(args.recipient_file) if args.recipient_file else []
    )
    passphrase = (
        _read_secret_file(args.bundle_passphrase_file) if args.bundle_passphrase_file else None
    )
    # Command-line mistakes are refused before the vault is unlocked.
    if passphrase is not None and not passphrase:
        raise BadInput(_("The bundle passphrase is empty."))
    if bool(recipients) == (passphrase is not None):
        raise BadInput(_("Give the office's public key or a bundle passphrase (one of them)."))
    if sum((bool(args.peer), bool(args.case), bool(args.all))) > 1:
        raise BadInput(_("Choose one: --peer NAME, --case ID … or --all."))
    vault = unlock(directory, args)
    try:
        peer = args.peer
        if not (peer or args.case or args.all):
            known = sync_repo.peers(vault.conn)
            if len(known) != 1:
                raise BadInput(_("Choose one: --peer NAME, --case ID … or --all."))
            peer = known[0].name
        result = export_bundle(
            vault,
            target,
            recipients=recipients,
            passphrase=passphrase,
            peer_name=peer,
            case_ids=args.case,
            everything=args.all,
        )
    finally:
        vault.close()
    out.write(
        _("Bundle written to {path}: {records} records, {deleted} deletions.").format(
            path=result.path, records=result.records, deleted=result.tombstones
        )
        + "\n"
    )
    return EXIT_OK


def cmd_import(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    from app.services.sync_service import import_sentences
    from app.sync import bundle
    from app.sync.importer import import_bundle

    if bool(args.identity) == bool(args.bundle_passphrase_file):
        raise BadInput(_("Give --identity F or --bundle-passphrase-file F (one of them)."))
    identities = _lines_of(args.identity) if args.identity else []
    passphrase = (
        _read_secret_file(args.bundle_passphrase_file) if args.bundle_passphrase_file else None
    )
    source = Path(args.file)
    try:
        if source.stat().st_size > bundle.MAX_BUNDLE_BYTES:
            raise bundle.BadBundle(_("The bundle is larger than Samråd accepts."))
        data = source.read_bytes()
    except OSError:
        raise BadInput(_("The file {name} cannot be read.").format(name=args.file)) from None
    vault = unlock(directory, args)
    try:
        report = import_bundle(
            vault,
            data,
            identities=identities,
            passphrase=passphrase,
            trust_new_sender=args.trust_new_sender,
        )
    finally:
        vault.close()
    for sentence in import_sentences(report):
        out.write(sentence + "\n")
    return EXIT_OK


def cmd_demo(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    if directory.exists():
        raise VaultExists(_("A vault already exists in this data folder."))
    passphrase = (
        _read_secret_file(args.passphrase_file)
        if args.passphrase_file
        else os.environ.get("SAMRAAD_PASSPHRASE", demo.DEMO_PASSPHRASE)
    )
    if args.size == "small":
        vault, small = demo.create_demo(
            directory,
            _today(),
            seed=args.seed,
            size=args.size,
            country=args.country,
            passphrase=passphrase,
        )
        sites, meetings = small.sites, small.meetings
    else:
        from app.services import demo_large

        vault, large = demo_large.create_large(
            directory,
            _today(),
            seed=args.seed,
            size=args.size,
            country=args.country,
            passphrase=passphrase,
        )
        sites, meetings = large.sites, large.meetings
    vault.close()
    out.write(
        _(
            "Demo vault with fictional data created in {path} ({sites} sites, {meetings} meetings)."
        ).format(path=directory.layout.root, sites=sites, meetings=meetings)
        + "\n"
    )
    return EXIT_OK


# --- retention and erasure ------------------------------------------------------------

EXIT_NOT_CONFIRMED = 1


def _confirm(question: str, yes: bool) -> bool:
    """True when the user confirmed (or gave --yes); refuses without a terminal."""
    if yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        raise BadInput(_("Add --yes to erase without being asked; nothing was erased."))
    answer = input(question + " " + _("[y/N]") + " ").strip().lower()
    return answer in ("y", "yes", "j", "ja", _("y"), _("yes"))


def _print_bundle_warning(shown: Sequence[BundleWarning], out: TextIO) -> None:
    if not shown:
        return
    out.write(
        _(
            "These bundle files exported earlier may still hold the data; delete them "
            "and any copies (Samråd cannot reach them):"
        )
        + "\n"
    )
    for b in shown:
        missing = "" if b.exists else "  " + _("(no longer at this path)")
        out.write(f"  {b.path}  {b.written_at[:10]}{missing}\n")


def _print_erasure(result: ErasureResult, out: TextIO) -> None:
    for sentence in erasure_sentences(result):
        out.write(sentence + "\n")
    _print_bundle_warning(result.bundles, out)


def cmd_retention(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    from app.domain.retention import DUE_REASON_LABELS, ItemKind
    from app.services import retention_service

    today = _today()
    vault = unlock(directory, args)
    try:
        retention_service.finish_pending(vault)
        entries = retention_service.due(vault, today)
        rules = retention_service.rules(vault)
        if args.format == "json" and not args.erase_due:
            rows = [
                {
                    "kind": str(e.item.kind),
                    "case_id": e.item.case_id,
                    "consent_id": e.item.consent_id,
                    "first_name": e.case.first_name,
                    "case_kind": e.case.kind,
                    "status": e.case.status,
                    "site_id": e.case.site_id,
                    "site_name": e.case.site_name,
                    "reason": str(e.item.reason),
                    "reason_text": _(DUE_REASON_LABELS[e.item.reason]),
                    "since": e.item.since.isoformat(),
                    "due_on": e.item.due_on.isoformat(),
                    "overdue_days": e.item.overdue_days(today),
                }
                for e in entries
            ]
            out.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
            return EXIT_OK
        out.write(
            _(
                "Retention: anonymous cases {a} months after the last meeting, named cases "
                "{n} months after closing, withdrawn consent forms {f} days after withdrawal."
            ).format(a=rules.anonymous_months, n=rules.named_months, f=rules.withdrawn_form_days)
            + "\n"
        )
        if not entries:
            out.write(_("Nothing is due for erasure.") + "\n")
            return EXIT_OK
        for e in entries:
            what = e.case.first_name
            if e.item.kind is ItemKind.CONSENT_FORM:
                what = _("{name}: scanned consent form").format(name=e.case.first_name)
            out.write(
                f"{what:<28} {e.case.site_name:<24} {_(DUE_REASON_LABELS[e.item.reason])}; "
                + _("since {since}, due {due}").format(
                    since=e.item.since.isoformat(), due=e.item.due_on.isoformat()
                )
                + f"  {e.item.consent_id or e.item.case_id}\n"
            )
        if not args.erase_due:
            return EXIT_OK
        _print_bundle_warning(
            retention_service.bundles_holding(vault, sorted({e.item.case_id for e in entries})),
            out,
        )
        question = ngettext(
            "Erase this item for good?", "Erase these {n} items for good?", len(entries)
        ).format(n=len(entries))
        if not _confirm(question, args.yes):
            out.write(_("Nothing was erased.") + "\n")
            return EXIT_NOT_CONFIRMED
        _print_erasure(retention_service.erase_due(vault, today), out)
    finally:
        vault.close()
    return EXIT_OK


def cmd_erase(directory: VaultDirectory, args: argparse.Namespace, out: TextIO) -> int:
    from app.services import retention_service
    from app.store import retention_repo

    vault = unlock(directory, args)
    try:
        retention_service.finish_pending(vault)
        cases_service.get_case(vault, args.case_id)
        label = retention_repo.labels(vault.conn, [args.case_id])[args.case_id]
        rows = retention_repo.rows_of_case(vault.conn, args.case_id)
        out.write(
            _("Case {id} ({name}, {site}) and all {n} records about it will be erased.").format(
                id=args.case_id,
                name=label.first_name,
                site=label.site_name,
                n=sum(len(ids) for ids in rows.values()),
            )
            + "\n"
        )
        _print_bundle_warning(retention_service.bundles_holding(vault, [args.case_id]), out)
        if not _confirm(_("Erase this case for good?"), args.yes):
            out.write(_("Nothing was erased.") + "\n")
            return EXIT_NOT_CONFIRMED
        _print_erasure(retention_service.erase_case(vault, args.case_id), out)
    finally:
        vault.close()
    return EXIT_OK


COMMANDS: dict[str, Callable[[VaultDirectory, argparse.Namespace, TextIO], int]] = {
    "init": cmd_init,
    "self-test": cmd_self_test,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "passphrase": cmd_passphrase,
    "recover": cmd_recover,
    "remember": cmd_remember,
    "calendar": cmd_calendar,
    "sites": cmd_sites,
    "demo": cmd_demo,
    "cases": cmd_cases,
    "agenda": cmd_agenda,
    "minutes": cmd_minutes,
    "case-report": cmd_case_report,
    "export": cmd_export,
    "import": cmd_import,
    "retention": cmd_retention,
    "erase": cmd_erase,
}


def _start_gui(args: argparse.Namespace) -> int:
    # Imported here so the core and the CLI never load Qt unless asked.
    from ui.main import run_gui

    return int(run_gui(resolve_data_dir(args.data_dir), args.lang))


def run(argv: Sequence[str], out: TextIO) -> int:
    """Parse ``argv`` and run one command; raises KnownError for user mistakes."""
    args = build_parser().parse_args(list(argv))
    i18n.set_language(i18n.choose_language(args.lang))
    if args.command is None:
        return _start_gui(args)
    if args.command == "sdq":
        return cmd_sdq(args, out)
    data_dir = resolve_data_dir(args.data_dir)
    if args.command == "demo" and not args.data_dir and not os.environ.get("SAMRAAD_DATA_DIR"):
        data_dir = default_demo_dir()
    creates = args.command in ("init", "demo", "restore")
    with VaultDirectory.open(data_dir, create=creates) as directory:
        try:
            return COMMANDS[args.command](directory, args, out)
        except DatabaseError as exc:
            # Writes already turn these into sentences inside their transaction;
            # a read that meets a damaged page or a full disk lands here.
            known = directory.known_error(exc)
            if known is None:
                raise
            raise known from None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``samraad`` console script."""
    i18n.set_language(i18n.choose_language(None))
    try:
        from app.logging_setup import configure_logging, install_excepthook

        install_excepthook()
        try:
            configure_logging()
        except OSError:
            pass  # No log is better than no Samråd; nothing personal is lost.
        return run(sys.argv[1:] if argv is None else argv, sys.stdout)
    except KnownError as exc:
        sys.stderr.write(f"{exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write(_("Cancelled; nothing was changed.") + "\n")
        return EXIT_CANCELLED
    except Exception:
        # A bug: one line for the user, type and location (no values) in the log.
        sys.excepthook(*sys.exc_info())
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())

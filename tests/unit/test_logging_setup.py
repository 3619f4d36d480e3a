"""The log file holds technical events only: planted personal text never reaches it."""

from __future__ import annotations

import io
import logging
import os
import stat
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import VaultLocked
from app.logging_setup import (
    LOG_FILE_NAME,
    PersonalDataFilter,
    SafeFormatter,
    configure_logging,
    install_excepthook,
)

PLANTED = "Zyxqvorth Plantedname 1234"
# Each part alone must not leak either (e.g. a lowercase-only fragment).
PLANTED_PARTS = ("Zyxqvorth", "Plantedname", "zyxqvorth", "plantedname")

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """Leave the root logger and the excepthooks exactly as they were."""
    root = logging.getLogger()
    handlers = root.handlers[:]
    level = root.level
    excepthook = sys.excepthook
    thread_excepthook = threading.excepthook
    try:
        yield
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
        sys.excepthook = excepthook
        threading.excepthook = thread_excepthook


def _our_handlers() -> list[logging.Handler]:
    return [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    ]


def _all_log_bytes(directory: Path) -> bytes:
    for handler in _our_handlers():
        handler.flush()
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def _assert_nothing_planted(data: bytes) -> None:
    for part in (PLANTED, *PLANTED_PARTS):
        assert part.encode() not in data, f"{part!r} leaked into the log"
    assert b"1234" not in data


class Person:
    """Something a careless caller might log whole."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Person(name={self.name!r})"

    __str__ = __repr__


def test_planted_text_never_reaches_the_log_while_technical_values_do(tmp_path: Path) -> None:
    log_dir = tmp_path / "logs"
    configure_logging(log_dir)
    log = logging.getLogger("app.services.test")
    meeting_id = str(uuid.uuid4())

    log.info("event %s for meeting %s, %d rows", "vault.unlocked", meeting_id, 4711)
    log.info("participant %s added", PLANTED)
    log.info("participant %s added", PLANTED.lower())
    log.info("saved", extra={"participant": PLANTED})
    log.error("%s", Person(PLANTED))
    log.error("%r", Person(PLANTED))
    log.error(Person(PLANTED))  # the object as the message
    log.info("%(who)s in %(table)s", {"who": PLANTED, "table": "participants"})
    try:
        raise ValueError(f"UNIQUE constraint failed: participants.name = {PLANTED!r}")
    except ValueError:
        log.exception("insert failed in %s", "participants")
    try:
        empty: dict[str, int] = {}
        empty[PLANTED]
    except KeyError as exc:
        log.exception(exc)
    try:
        try:
            raise RuntimeError(PLANTED)
        except RuntimeError as inner:
            raise LookupError(PLANTED) from inner
    except LookupError:
        log.error("chained", exc_info=True)
    log.warning("where am I", stack_info=True)

    data = _all_log_bytes(log_dir)
    _assert_nothing_planted(data)
    text = data.decode("utf-8")
    assert "vault.unlocked" in text
    assert meeting_id in text
    assert "4711" in text
    assert "participants" in text
    assert "<masked>" in text
    # Exceptions keep their type and location, so bugs stay diagnosable.
    assert "ValueError" in text
    assert "KeyError" in text
    assert "LookupError" in text and "RuntimeError" in text
    assert "test_logging_setup.py:" in text
    assert "in test_planted_text_never_reaches_the_log_while_technical_values_do" in text
    # No source lines and no full paths (they carry the OS user's name).
    assert "raise ValueError" not in text
    assert str(tmp_path) not in text
    assert str(Path(__file__).parent) not in text


def test_log_format_is_time_level_logger_message(tmp_path: Path) -> None:
    path = configure_logging(tmp_path)
    logging.getLogger("app.store").warning("backend %s ready", "sqlcipher")
    line = _all_log_bytes(tmp_path).decode().splitlines()[-1]
    assert line.endswith(" WARNING app.store: backend sqlcipher ready")
    assert path == tmp_path / LOG_FILE_NAME


@pytest.mark.parametrize(
    "value",
    [
        42,
        3.5,
        True,
        None,
        "vault.unlocked",
        "keyring-backend_2",
        "0b5e0b3c-8d0e-4f43-9a4e-3f1f0c6b2a11",
        "2024-03-05",
        "2024-03-05T14:30:00+01:00",
        "2024-03-05 14:30:00.123456",
        "14:30",
        uuid.UUID("0b5e0b3c-8d0e-4f43-9a4e-3f1f0c6b2a11"),
    ],
)
def test_technical_arguments_are_kept(value: object) -> None:
    record = logging.LogRecord("t", logging.INFO, "f.py", 1, "value %s", (value,), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.args == (value,)


@pytest.mark.parametrize(
    "value",
    [
        PLANTED,
        "Jensen",  # uppercase: a name, not a technical word
        "jens hansen",  # space
        "jens@example.dk",
        "010190-1234",  # CPR number
        "0101901234",
        "12345678",  # phone number
        "x" * 41,
        "blåbær",  # non-ASCII letters
        b"bytes",
        ["vault.unlocked"],
        Person("x"),
        type("Sneaky", (str,), {"__str__": lambda self: PLANTED})("ok"),
        type("SneakyInt", (int,), {"__str__": lambda self: PLANTED})(1),
    ],
)
def test_other_arguments_are_masked(value: object) -> None:
    record = logging.LogRecord("t", logging.INFO, "f.py", 1, "value %s", (value,), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.args == ("<masked>",)
    assert PLANTED not in record.getMessage()


def test_a_masked_value_under_a_number_directive_keeps_the_record() -> None:
    record = logging.LogRecord("t", logging.INFO, "f.py", 1, "count %d", (PLANTED,), None)
    assert PersonalDataFilter().filter(record) is True
    message = record.getMessage()  # would raise TypeError without the fallback
    assert message == "count %d <masked>"


def test_filter_drops_extras_and_cached_exception_text() -> None:
    record = logging.makeLogRecord({"msg": "saved", "participant": PLANTED, "exc_text": PLANTED})
    PersonalDataFilter().filter(record)
    assert not hasattr(record, "participant")
    assert record.exc_text is None


def test_formatter_ignores_a_cached_traceback() -> None:
    try:
        raise ValueError(PLANTED)
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("t", logging.ERROR, "f.py", 1, "boom", (), exc_info)
    record.exc_text = f"Traceback ...\nValueError: {PLANTED}"
    text = SafeFormatter().format(record)
    assert PLANTED not in text
    assert "ValueError" in text


def test_configure_is_idempotent(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    first = configure_logging(tmp_path)
    second = configure_logging(tmp_path)
    assert first == second
    assert len(root.handlers) == before + 1
    assert len(_our_handlers()) == 1

    logging.getLogger("app").info("once %s", "only")
    assert _all_log_bytes(tmp_path).decode().count("once only") == 1


def test_configure_sets_the_level(tmp_path: Path) -> None:
    configure_logging(tmp_path, level=logging.WARNING)
    logging.getLogger("app").info("quiet %s", "info")
    logging.getLogger("app").warning("loud %s", "warning")
    text = _all_log_bytes(tmp_path).decode()
    assert "quiet info" not in text
    assert "loud warning" in text


def test_defaults_to_the_platform_log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAMRAAD_LOG_DIR", str(tmp_path / "platform"))
    assert configure_logging() == tmp_path / "platform" / LOG_FILE_NAME


@posix_only
def test_log_dir_and_files_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the common default: open() would give 0644
    try:
        log_dir = tmp_path / "logs"
        log_dir.mkdir(mode=0o755)
        (log_dir / LOG_FILE_NAME).write_text("old\n")
        os.chmod(log_dir / LOG_FILE_NAME, 0o644)
        (log_dir / f"{LOG_FILE_NAME}.1").write_text("older\n")
        os.chmod(log_dir / f"{LOG_FILE_NAME}.1", 0o644)

        path = configure_logging(log_dir)
        assert stat.S_IMODE(log_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

        logging.getLogger("app").info("before %s", "rollover")
        (handler,) = _our_handlers()
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        assert handler.maxBytes == 1_000_000
        assert handler.backupCount == 3
        handler.doRollover()
        logging.getLogger("app").info("after %s", "rollover")

        files = sorted(p for p in log_dir.iterdir())
        assert [p.name for p in files] == [
            LOG_FILE_NAME,
            f"{LOG_FILE_NAME}.1",
            f"{LOG_FILE_NAME}.2",
        ]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    finally:
        os.umask(old_umask)


@posix_only
def test_new_log_file_is_private_from_the_start(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        path = configure_logging(tmp_path / "fresh")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(old_umask)


def _raise_and_capture(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException:
        exc_type, exc_value, tb = sys.exc_info()
    assert exc_type is not None and exc_value is not None
    return exc_type, exc_value, tb


def test_excepthook_reports_a_bug_without_personal_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(tmp_path)
    stream = io.StringIO()
    install_excepthook(stream)
    exc_type, exc_value, tb = _raise_and_capture(KeyError(PLANTED))

    sys.excepthook(exc_type, exc_value, tb)  # type: ignore[arg-type]

    output = stream.getvalue()
    assert output.count("\n") == 1
    assert "KeyError" in output
    assert "internal error" in output
    assert "Traceback" not in output
    _assert_nothing_planted(output.encode())
    assert capsys.readouterr().err == ""

    data = _all_log_bytes(tmp_path)
    _assert_nothing_planted(data)
    assert b"KeyError" in data
    assert b"test_logging_setup.py:" in data


def test_excepthook_prints_a_known_error_as_its_message(tmp_path: Path) -> None:
    configure_logging(tmp_path)
    stream = io.StringIO()
    install_excepthook(stream)
    exc_type, exc_value, tb = _raise_and_capture(VaultLocked("The vault is locked."))

    sys.excepthook(exc_type, exc_value, tb)  # type: ignore[arg-type]

    assert stream.getvalue() == "The vault is locked.\n"


def test_excepthook_defaults_to_stderr_at_crash_time(capsys: pytest.CaptureFixture[str]) -> None:
    install_excepthook()
    exc_type, exc_value, tb = _raise_and_capture(ValueError(PLANTED))

    sys.excepthook(exc_type, exc_value, tb)  # type: ignore[arg-type]

    err = capsys.readouterr().err
    assert "ValueError" in err
    assert PLANTED not in err


def test_thread_exceptions_are_logged_without_personal_data(tmp_path: Path) -> None:
    configure_logging(tmp_path)
    install_excepthook(io.StringIO())

    def work() -> None:
        raise ValueError(PLANTED)

    thread = threading.Thread(target=work, name=PLANTED)
    thread.start()
    thread.join()

    data = _all_log_bytes(tmp_path)
    _assert_nothing_planted(data)
    assert b"ValueError" in data
    assert b"<locals>.work\n" in data

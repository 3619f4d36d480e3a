"""The log file: technical events only, never personal data.

Everything an advisor types (names, notes, CPR numbers) is special-category
personal data, and a log file is the classic place where it leaks: it is not
encrypted, it is kept for days, and it gets attached to support e-mails. So
the log is built to be safe even when a caller is careless:

* :class:`PersonalDataFilter` masks every logging argument that is not plainly
  technical (numbers, UUIDs, ISO dates, lowercase technical words) and drops
  ``extra`` attributes;
* :class:`SafeFormatter` writes exceptions as their type and frame locations
  only, never ``str(exception)`` (sqlite errors quote values, ``KeyError``
  carries the key);
* :func:`install_excepthook` reports crashes the same way instead of Python's
  default traceback with its message.

The file is private (0600 in a 0700 directory) and rotated at about 1 MB.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from collections.abc import Iterator, Mapping
from datetime import date, datetime, time
from io import TextIOWrapper
from pathlib import Path
from types import TracebackType
from typing import TextIO
from uuid import UUID

from app.errors import KnownError
from app.fileio import PRIVATE_FILE, ensure_private_dir
from app.i18n import _
from app.paths import log_dir

LOG_FILE_NAME = "samraad.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASKED = "<masked>"

_log = logging.getLogger(__name__)

# Attributes every LogRecord has; anything else on a record came from
# ``extra=`` (or a careless ``record.foo = ...``) and may hold user text.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}

# Explicit ASCII classes, not \d or \w: those also match non-ASCII digits and
# letters, which would let names through.
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_TIME = r"[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,9})?)?(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
_ISO_RE = re.compile(rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:[T ]{_TIME})?|{_TIME}")
_WORD_RE = re.compile(r"[a-z0-9_.\-]{1,40}")
_LETTER_RE = re.compile(r"[a-z]")
# CPR numbers (ddmmyy-xxxx), Norwegian fødselsnummer and phone numbers are
# lowercase "words" too; no technical word has five digits in a row.
_DIGIT_RUN_RE = re.compile(r"[0-9]{5}")

# Exact types only: a subclass of int or str can override __str__/__format__
# and print anything.
_SAFE_TYPES: frozenset[type] = frozenset({int, float, bool, type(None), UUID, date, datetime, time})

# How deep SafeFormatter follows __cause__/__context__ and exception groups.
_MAX_CHAIN = 8


def _is_technical(value: object) -> bool:
    """True if ``value`` can be logged as-is: it cannot carry user text."""
    if type(value) in _SAFE_TYPES:
        return True
    if not isinstance(value, str) or type(value) is not str:
        return False
    if _UUID_RE.fullmatch(value) or _ISO_RE.fullmatch(value):
        return True
    return (
        _WORD_RE.fullmatch(value) is not None
        and _LETTER_RE.search(value) is not None
        and _DIGIT_RUN_RE.search(value) is None
    )


def _mask(value: object) -> object:
    return value if _is_technical(value) else MASKED


class PersonalDataFilter(logging.Filter):
    """Mask a record's arguments and drop its ``extra`` attributes.

    Attach it to a handler (not a logger) so it also sees records propagated
    from child loggers. It mutates the record in place, so handlers that run
    after it see the masked record too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place; always keep it (technical events matter)."""
        if not isinstance(record.msg, str):
            # logger.error(some_object) or logger.exception(exc): the object
            # *is* the message and may be anything.
            record.msg = MASKED
            record.args = ()
        elif isinstance(record.args, Mapping):
            record.args = {key: _mask(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_mask(value) for value in record.args)

        if record.args:
            try:
                record.msg % record.args
            except (TypeError, ValueError, KeyError):
                # A masked value under "%d" (or a caller's bad template) would
                # make logging print the record to stderr; keep the template.
                record.msg = f"{record.msg} {MASKED}"
                record.args = ()

        for key in [key for key in vars(record) if key not in _STANDARD_ATTRS]:
            delattr(record, key)
        # A formatter that ran earlier may have cached the full traceback
        # with the exception message; SafeFormatter writes it again safely.
        record.exc_text = None
        # Likewise a cached, unmasked rendering of the message.
        if "message" in vars(record):
            del record.message
        return True


def _type_name(exc_type: type[BaseException]) -> str:
    if exc_type.__module__ == "builtins":
        return exc_type.__qualname__
    return f"{exc_type.__module__}.{exc_type.__qualname__}"


def _frame_lines(tb: TracebackType | None, indent: str) -> Iterator[str]:
    # walk_tb reads code objects only, never linecache: no source lines.
    for frame, lineno in traceback.walk_tb(tb):
        code = frame.f_code
        yield f"{indent}  at {os.path.basename(code.co_filename)}:{lineno} in {code.co_qualname}"


def _exception_lines(
    exc: BaseException, tb: TracebackType | None, indent: str, seen: set[int], depth: int
) -> Iterator[str]:
    seen.add(id(exc))
    yield f"{indent}{_type_name(type(exc))}"
    yield from _frame_lines(tb, indent)
    if depth >= _MAX_CHAIN:
        return
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            if id(inner) not in seen:
                yield f"{indent}  contains:"
                yield from _exception_lines(
                    inner, inner.__traceback__, indent + "    ", seen, depth + 1
                )
    cause = exc.__cause__
    context = None if exc.__suppress_context__ else exc.__context__
    if cause is not None and id(cause) not in seen:
        yield f"{indent}caused by:"
        yield from _exception_lines(cause, cause.__traceback__, indent, seen, depth + 1)
    elif context is not None and id(context) not in seen:
        yield f"{indent}while handling:"
        yield from _exception_lines(context, context.__traceback__, indent, seen, depth + 1)


def format_exception_safely(
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    tb: TracebackType | None,
) -> str:
    """Exception type(s) and frame locations, without any exception message.

    Follows ``__cause__``/``__context__`` and exception groups, so a chained
    exception's type and location are kept and its message dropped as well.
    """
    if exc_value is None:
        if exc_type is None:
            return ""
        return "\n".join([_type_name(exc_type), *_frame_lines(tb, "")])
    return "\n".join(_exception_lines(exc_value, tb, "", set(), 0))


_STACK_FILE_RE = re.compile(r'\s*File "(?P<file>[^"]*)", line (?P<line>[0-9]+), in (?P<func>\S+)')


class SafeFormatter(logging.Formatter):
    """``time LEVEL logger: message``; exceptions as type and locations only."""

    def __init__(self) -> None:
        super().__init__(LOG_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record``; never uses a cached ``exc_text`` from elsewhere."""
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        text = self.formatMessage(record)
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        if record.stack_info:
            text = f"{text}\n{self.formatStack(record.stack_info)}"
        return text

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        """The exception's type and frame locations (``file.py:12 in func``)."""
        return format_exception_safely(*ei)

    def formatStack(self, stack_info: str) -> str:
        """Frame locations only: no source lines, no full paths (they name the OS user)."""
        lines = ["Stack (most recent call last):"]
        for line in stack_info.splitlines():
            match = _STACK_FILE_RE.fullmatch(line)
            if match:
                name = os.path.basename(match["file"])
                lines.append(f"  at {name}:{match['line']} in {match['func']}")
        return "\n".join(lines)


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are 0600 from their first byte."""

    def _open(self) -> TextIOWrapper:
        # open() would create the file with the umask's mode (often 0644);
        # after a rollover the new file must be private from the start too.
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        # Always "a": RotatingFileHandler forces append mode when it rotates.
        return open(fd, "a", encoding=self.encoding, errors=self.errors)

    def doRollover(self) -> None:
        """Rotate, then make sure every kept file is 0600 (older ones included)."""
        super().doRollover()
        _chmod_private(Path(self.baseFilename))
        for index in range(1, self.backupCount + 1):
            _chmod_private(Path(self.rotation_filename(f"{self.baseFilename}.{index}")))


def _chmod_private(path: Path) -> None:
    if os.name != "posix":
        return
    try:
        os.chmod(path, PRIVATE_FILE)
    except FileNotFoundError:
        pass


def configure_logging(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send the root logger to a private, rotating, masked log file.

    ``directory`` defaults to :func:`app.paths.log_dir`. Calling it again
    replaces the handler from the previous call rather than adding a second
    one. Returns the path of the log file.
    """
    directory = log_dir() if directory is None else directory
    ensure_private_dir(directory)
    path = directory / LOG_FILE_NAME
    # Create it 0600 before the handler opens it, and tighten a file left
    # with a wider mode by an older version or a copied profile.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE))
    _chmod_private(path)

    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _PrivateRotatingFileHandler)]:
        root.removeHandler(old)
        old.close()

    handler = _PrivateRotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    handler.addFilter(PersonalDataFilter())
    handler.setFormatter(SafeFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    return path


def install_excepthook(stream: TextIO | None = None) -> None:
    """Report uncaught exceptions without personal data.

    A bug is logged (type and locations) and announced with one translated
    line on ``stream`` (``sys.stderr`` at the time of the crash by default).
    A :class:`KnownError` is printed as its message only. Uncaught exceptions
    in threads are logged the same way instead of Python's default traceback.
    """

    def excepthook(
        exc_type: type[BaseException],
        exc_value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        out = sys.stderr if stream is None else stream
        if issubclass(exc_type, KeyboardInterrupt):
            # The user pressed Ctrl+C: not a bug, nothing to explain.
            return
        if issubclass(exc_type, KnownError):
            line = " ".join(str(exc_value).split())
        else:
            try:
                _log.critical("unhandled exception", exc_info=(exc_type, exc_value, tb))
            except Exception:
                # Logging must not turn one crash report into two tracebacks.
                pass
            line = _(
                "Samråd stopped because of an internal error ({type}); "
                "details without personal data are in the log."
            ).format(type=exc_type.__name__)
        if out is not None:  # None under pythonw on Windows
            out.write(line + "\n")
            out.flush()

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        # Not the thread's name: callers may name threads after what they do.
        if args.exc_value is None:
            _log.critical("unhandled exception in a thread")
        else:
            _log.critical(
                "unhandled exception in a thread",
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
            )

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook

"""Fixtures for the end-to-end CLI tests.

``samraad init`` with the production KDF runs once per session; each test
gets its own copy of that vault (same key file, same recovery code), so the
CLI is exercised against a real, CLI-made vault without paying for ``init``
in every test. Tests that must write rows in-process use ``fast_vault``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers.cli import RECOVERY_CODE_RE, Cli, Template, assert_ok
from tests.helpers.vaults import PASSPHRASE, open_directory


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    base = tmp_path_factory.mktemp("cli-template")
    root = base / "vault"
    result = Cli(base).run("init", "--data-dir", root, passphrase=PASSPHRASE)
    assert_ok(result)
    codes = RECOVERY_CODE_RE.findall(result.stdout)
    assert len(codes) == 1, str(result)
    return Template(root=root, recovery_code=codes[0])


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """``samraad`` with log and temp folders inside this test's tmp_path."""
    return Cli(tmp_path)


@pytest.fixture
def cli_vault(tmp_path: Path, template: Template) -> Path:
    """This test's own copy of the CLI-made vault (production KDF, PASSPHRASE)."""
    root = tmp_path / "vault"
    shutil.copytree(template.root, root)
    return root


@pytest.fixture
def recovery_code(template: Template) -> str:
    """The recovery code ``samraad init`` printed for ``cli_vault``."""
    return template.recovery_code


@pytest.fixture
def fast_vault(tmp_path: Path) -> Path:
    """A vault made in-process with the fast test KDF (PASSPHRASE), locked."""
    root = tmp_path / "vault"
    directory = open_directory(root)
    try:
        directory.create(PASSPHRASE, "DK").vault.close()
    finally:
        directory.release()
    return root

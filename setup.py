"""Build steps pyproject.toml cannot declare: compiled catalogues and migrations in the package.

A wheel or an sdist built from this tree serves Polish without the Makefile: the
Polish catalogue is compiled from its .po file into the build, and the Alembic
migrations are copied in as ``portal/migrations`` so an installed portal can be
set up without the source tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class build_py_with_catalogues(build_py):  # noqa: N801  (setuptools command naming)
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        package = Path(self.build_lib) / "portal"
        _compile_catalogues(HERE / "portal" / "translations", package / "translations")
        _copy_migrations(HERE / "migrations", package / "migrations")


def _compile_catalogues(source: Path, target: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in sorted(source.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        untranslated = [m.id for m in catalog if m.id and (m.fuzzy or not _translated(m.string))]
        if untranslated:
            raise SystemExit(f"{po_path}: {len(untranslated)} entries untranslated or fuzzy")
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


def _translated(string) -> bool:
    strings = string if isinstance(string, tuple) else (string,)
    return all(s.strip() for s in strings)


def _copy_migrations(source: Path, target: Path) -> None:
    if not source.is_dir():  # building a wheel from an sdist: they are already in the package
        return
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_catalogues})

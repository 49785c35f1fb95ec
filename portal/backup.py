"""Backups that restore: one archive with the database, the photos and a manifest.

`create_backup` writes a gzipped tar holding a consistent copy of the database
(`pg_dump` in its custom format on PostgreSQL; the sqlite3 online backup API on
SQLite, never a copy of the live file), every file of the upload folder, and
`manifest.json` with the SHA-256 of every member, the schema (Alembic) revision, the
creation time, the portal's version and the backend. The archive is the portal
user's alone (mode 0600) and is named by its UTC time, so `prune_backups` can keep
the newest few.

`restore_backup` puts an archive back into an empty installation. Everything is
checked before anything is changed: every member against the manifest, the backend,
the schema revision (one the code knows), and that the target holds no requests or
accounts and no photos. Only then the database is restored (in one transaction on
PostgreSQL) and the photos written. These commands are for the operator, so their
messages are in English, like the other `flask` commands.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

import click
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

from .database import MIGRATIONS_DIR
from .extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
NAME_PATTERN = re.compile(r"^portal-backup-\d{8}T\d{6}Z\.tar\.gz$")
_CHUNK = 1024 * 1024
_PUBLIC_SCHEMA_ENTRY = re.compile(r"^\d+; \d+ \d+ (SCHEMA - public|COMMENT - SCHEMA public) ")


class BackupRefused(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    portal_version: str
    backend: str
    schema_revision: str
    files: dict[str, dict]

    @property
    def photos(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(UPLOADS + "/"))


@dataclass(frozen=True)
class BackupDone:
    path: Path
    manifest: Manifest
    pruned: list[Path]


@dataclass(frozen=True)
class RestoreDone:
    manifest: Manifest
    photos: int
    needs_upgrade: bool


# --- creating ---------------------------------------------------------------------------


def create_backup(
    output: Path | str, *, keep: int | None = None, now: datetime | None = None
) -> BackupDone:
    """Write one archive of the database and the photos into output (a folder or a file name)."""
    now = now or datetime.now(UTC)
    upload_folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    target = _archive_path(Path(output), now)
    _refuse_unsafe_place(target, upload_folder)
    backend = _backend()
    revision = _current_revision()
    if revision is None:
        raise BackupRefused(
            "The database has no schema yet (no Alembic revision): nothing to back up."
        )
    db.session.rollback()

    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    files: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as staging:
        dump = Path(staging) / DATABASE_MEMBERS[backend]
        _dump_database(backend, dump)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                files[dump.name] = _add_file(tar, dump.name, dump)
                # After the dump: every photo row in it was written after its file.
                for path in _photo_files(upload_folder):
                    try:
                        data = path.read_bytes()
                    except FileNotFoundError:
                        continue  # removed since the dump (retention, erasure)
                    name = f"{UPLOADS}/{path.relative_to(upload_folder).as_posix()}"
                    files[name] = _add_member(tar, name, data)
                manifest = Manifest(
                    created_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    portal_version=_portal_version(),
                    backend=backend,
                    schema_revision=revision,
                    files=files,
                )
                _add_member(tar, MANIFEST, _manifest_bytes(manifest))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    pruned = prune_backups(target.parent, keep) if keep else []
    return BackupDone(target, manifest, pruned)


def prune_backups(folder: Path | str, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives named by create_backup in folder."""
    if keep < 1:
        raise BackupRefused("--keep must be at least 1.")
    archives = sorted(
        path for path in Path(folder).iterdir() if NAME_PATTERN.match(path.name) and path.is_file()
    )
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


def _archive_path(output: Path, now: datetime) -> Path:
    if output.name.endswith((".tar.gz", ".tgz")) and not output.is_dir():
        return output.resolve()
    return (output / f"portal-backup-{now.strftime('%Y%m%dT%H%M%SZ')}.tar.gz").resolve()


def _refuse_unsafe_place(target: Path, upload_folder: Path) -> None:
    package = Path(current_app.root_path).resolve()
    for folder, what in ((upload_folder, "the upload folder"), (package, "the portal's code")):
        if target.is_relative_to(folder):
            raise BackupRefused(
                f"Refusing to write the archive inside {what} ({folder}): "
                "keep backups in their own folder, e.g. /var/backups/portal."
            )
    if target.exists():
        raise BackupRefused(f"{target} already exists.")


def _dump_database(backend: str, dump: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if backend == "sqlite":
        _sqlite_copy(url.database, dump)
        return
    _run(
        "pg_dump",
        "--format=custom",
        "--no-owner",
        "--no-privileges",
        "--file",
        str(dump),
        "--dbname",
        _libpq_uri(url),
        env=_libpq_env(url),
    )


def _photo_files(folder: Path) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
        info = tarfile.TarInfo(name)
        info.size = handle.tell()
        info.mode = 0o600
        info.mtime = int(datetime.now(UTC).timestamp())
        handle.seek(0)
        tar.addfile(info, handle)
    return {"sha256": digest.hexdigest(), "size": info.size}


def _add_member(tar: tarfile.TarFile, name: str, data: bytes) -> dict:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _manifest_bytes(manifest: Manifest) -> bytes:
    content = {
        "format": FORMAT,
        "created_at": manifest.created_at,
        "portal_version": manifest.portal_version,
        "backend": manifest.backend,
        "schema_revision": manifest.schema_revision,
        "files": manifest.files,
    }
    return json.dumps(content, indent=2, sort_keys=True).encode() + b"\n"


# --- checking ---------------------------------------------------------------------------


def verify_backup(archive: Path | str, staging: Path) -> Manifest:
    """Unpack archive into staging and check every member against the manifest."""
    members: dict[str, dict] = {}
    manifest_data = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                name = _safe_name(info)
                if name in members or (name == MANIFEST and manifest_data is not None):
                    raise BackupRefused(f"The archive holds {name} twice.")
                source = tar.extractfile(info)
                if name == MANIFEST:
                    manifest_data = source.read()
                    continue
                members[name] = _unpack(source, staging / name)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupRefused(f"The archive cannot be read: {error}.") from None
    if manifest_data is None:
        raise BackupRefused("The archive has no manifest.json: it is not a portal backup.")
    manifest = _parse_manifest(manifest_data)

    listed, present = set(manifest.files), set(members)
    if listed != present:
        missing = sorted(listed - present)[:5]
        unlisted = sorted(present - listed)[:5]
        raise BackupRefused(
            "The archive does not match its manifest "
            f"(missing: {', '.join(missing) or '-'}; not listed: {', '.join(unlisted) or '-'}). "
            "It was damaged or changed: use another backup."
        )
    for name in sorted(listed):
        expected = manifest.files[name]
        if members[name] != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
            raise BackupRefused(
                f"Checksum mismatch for {name}: the archive was damaged or changed. "
                "Nothing was restored; use another backup."
            )
    if DATABASE_MEMBERS.get(manifest.backend) not in members:
        raise BackupRefused("The archive holds no database copy.")
    return manifest


def _safe_name(info: tarfile.TarInfo) -> str:
    path = PurePosixPath(info.name)
    if (
        not info.isfile()
        or path.is_absolute()
        or ".." in path.parts
        or not path.parts
        or (path.parts[0] != UPLOADS and len(path.parts) != 1)
    ):
        raise BackupRefused(f"The archive holds an unexpected member: {info.name!r}.")
    return path.as_posix()


def _unpack(source, destination: Path) -> dict:
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with open(destination, "xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


def _parse_manifest(data: bytes) -> Manifest:
    try:
        content = json.loads(data)
        if content.get("format") != FORMAT:
            raise BackupRefused(
                f"The manifest has format {content.get('format')!r}; this portal reads {FORMAT}."
            )
        manifest = Manifest(
            created_at=str(content["created_at"]),
            portal_version=str(content["portal_version"]),
            backend=str(content["backend"]),
            schema_revision=str(content["schema_revision"]),
            files=dict(content["files"]),
        )
        if not all(isinstance(entry, dict) for entry in manifest.files.values()):
            raise ValueError("files")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise BackupRefused(
            "The manifest is damaged: it is not a portal backup manifest."
        ) from None
    return manifest


# --- restoring --------------------------------------------------------------------------


def restore_backup(archive: Path | str) -> RestoreDone:
    """Check archive completely, then restore its database and photos into this empty installation."""
    upload_folder = Path(current_app.config["UPLOAD_FOLDER"])
    backend = _backend()
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as staging_name:
        staging = Path(staging_name)
        manifest = verify_backup(archive, staging)
        if manifest.backend != backend:
            raise BackupRefused(
                f"The archive is a {manifest.backend} backup and this installation uses "
                f"{backend}: restore it into a {manifest.backend} database."
            )
        known = _known_revisions()
        if manifest.schema_revision not in known:
            raise BackupRefused(
                f"The archive's schema revision {manifest.schema_revision} is unknown to this "
                f"version of the portal ({_portal_version()}): install the version that made "
                f"the backup ({manifest.portal_version}) or a newer one."
            )
        _refuse_non_empty(upload_folder, manifest.schema_revision)

        db.session.remove()
        db.engine.dispose()
        _restore_database(backend, staging / DATABASE_MEMBERS[backend])
        db.engine.dispose()
        upload_folder.mkdir(parents=True, exist_ok=True)
        for name in manifest.photos:
            destination = upload_folder / PurePosixPath(name).relative_to(UPLOADS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staging / name, destination)
    return RestoreDone(
        manifest, len(manifest.photos), needs_upgrade=manifest.schema_revision != known[0]
    )


def _refuse_non_empty(upload_folder: Path, archive_revision: str) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and not Path(url.database).exists():
        tables = set()  # a new file; looking inside would create it
    else:
        tables = set(sa.inspect(db.engine).get_table_names())
    held = []
    for table, what in (("service_request", "requests"), ("user", "accounts")):
        if table in tables:
            count = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
            if count:
                held.append(f"{count} {what}")
    current = _current_revision() if "alembic_version" in tables else None
    db.session.rollback()
    photos = next(_photo_files(upload_folder), None) if upload_folder.is_dir() else None
    if held or photos:
        where = ", ".join(held) or "no rows"
        raise BackupRefused(
            f"This installation is not empty (database: {where}; upload folder "
            f"{upload_folder}: {'has files' if photos else 'empty'}). Restore only into an empty "
            "installation: point DATABASE_URL at a new, empty database (PostgreSQL: createdb; "
            "SQLite: a file that does not exist yet) and UPLOAD_FOLDER at an empty folder, "
            "or move the current database and photos aside first."
        )
    if current is not None and current != archive_revision:
        raise BackupRefused(
            f"The target database already has schema revision {current}, the archive "
            f"{archive_revision}: restore into a new, empty database instead (createdb)."
        )


def _restore_database(backend: str, copy: Path) -> None:
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if backend == "sqlite":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(copy, url.database)
        return
    # The public schema belongs to the database's owner: leave it as it is, so a
    # restore by the portal's own role never needs a superuser.
    entries = _run("pg_restore", "--list", str(copy), env=os.environ.copy()).splitlines()
    wanted = copy.with_suffix(".list")
    wanted.write_text(
        "\n".join(line for line in entries if not _PUBLIC_SCHEMA_ENTRY.search(line)) + "\n"
    )
    _run(
        "pg_restore",
        "--use-list",
        str(wanted),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        _libpq_uri(url),
        str(copy),
        env=_libpq_env(url),
    )


# --- shared -----------------------------------------------------------------------------


def _backend() -> str:
    backend = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if backend not in DATABASE_MEMBERS:
        raise BackupRefused(f"Backups support PostgreSQL and SQLite, not {backend}.")
    return backend


def _current_revision() -> str | None:
    try:
        revision = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except sa.exc.DatabaseError:
        db.session.rollback()
        return None
    return revision


def _known_revisions() -> list[str]:
    """The code's revisions, newest first."""
    config = current_app.extensions["migrate"].migrate.get_config(directory=MIGRATIONS_DIR)
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


def _portal_version() -> str:
    try:
        return metadata.version("portal")
    except metadata.PackageNotFoundError:
        return "unknown"


def _libpq_uri(url: sa.URL) -> str:
    # The password travels in PGPASSWORD, never on a command line others can read.
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _libpq_env(url: sa.URL) -> dict[str, str]:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _run(program: str, *args: str, env: dict[str, str]) -> str:
    if shutil.which(program) is None:
        raise BackupRefused(
            f"{program} is not installed: install the PostgreSQL client "
            "(Debian: apt-get install postgresql-client)."
        )
    done = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupRefused(f"{program} failed: {done.stderr.strip() or done.returncode}")
    return done.stdout


# --- commands ---------------------------------------------------------------------------

backup_group = AppGroup("backup", help="Back up the database and photos, or restore a backup.")


@backup_group.command("create")
@click.option(
    "--output",
    envvar="BACKUP_FOLDER",
    required=True,
    type=click.Path(path_type=Path),
    help="A folder (the archive is named by the time) or a file name ending in .tar.gz; "
    "or set BACKUP_FOLDER.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    help="Afterwards delete all but the newest KEEP archives in that folder.",
)
def backup_create_command(output: Path, keep: int | None) -> None:
    """Write one archive: database, photos, and a manifest with checksums."""
    try:
        done = create_backup(output, keep=keep)
    except BackupRefused as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backup written: {done.path} ({done.manifest.backend}, schema "
        f"{done.manifest.schema_revision}, {len(done.manifest.photos)} photo(s))."
    )
    for path in done.pruned:
        click.echo(f"Deleted old backup: {path}")


@backup_group.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def backup_restore_command(archive: Path) -> None:
    """Check an archive and restore it into this empty installation."""
    try:
        done = restore_backup(archive)
    except BackupRefused as error:
        raise click.ClickException(f"{error}\nNothing was changed.") from None
    click.echo(
        f"Restored the backup of {done.manifest.created_at}: database "
        f"(schema {done.manifest.schema_revision}) and {done.photos} photo(s)."
    )
    if done.needs_upgrade:
        click.echo("The backup has an older schema: now run `flask --app wsgi.py db upgrade`.")


def _sqlite_copy(source_path, target_path) -> None:
    """Copy a SQLite database with the online backup API, reading the source read-only."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()

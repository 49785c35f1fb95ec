"""Backups restore: a filled installation is archived, wiped and restored, and every request,
event, photo (byte for byte) and queued message is back; damaged or changed archives, and
non-empty targets, are refused without changing anything.

The restore target is another database (PostgreSQL: `<test database>_restore`, created
here and dropped afterwards) and another upload folder, or the same installation wiped.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.engine import make_url

from portal import backup, services
from portal.domain.actor import Actor
from portal.domain.lifecycle import Role, Status
from portal.extensions import db
from portal.models import OutboxMessage, Photo, RequestEvent, ServiceRequest, User
from portal.photos import clean_photo
from tests import factories, tallies
from tests.conftest import POSTGRES_URL, empty_database, make_app


def _photo(color):
    raw = factories.image_bytes(color=color)
    return clean_photo(raw, max_bytes=10**7, max_pixels=10**8, max_side=300)


def _fill(upload_folder: Path) -> None:
    """Requests with photos, history and queued e-mail, made through the services."""
    staff = factories.user(Role.STAFF)
    actor = Actor.of(staff)
    for number, status in enumerate((Status.SUBMITTED, Status.SCHEDULED, Status.READY)):
        request = factories.make_request(
            name=f"Osoba Testowa {number}",
            phone=f"600 000 00{number}",
            email=f"osoba{number}@example.org",
            email_updates=True,
            status=status,
            upload_folder=str(upload_folder),
            photos=[_photo((40 * number, 90, 200)), _photo((10, 40 * number, 90))],
        )
        services.add_note(request, f"Notatka wewnętrzna {number}", actor)


def _snapshot() -> dict:
    db.session.expire_all()
    requests = db.session.scalars(select(ServiceRequest).order_by(ServiceRequest.id))
    events = db.session.scalars(select(RequestEvent).order_by(RequestEvent.id))
    photos = db.session.scalars(select(Photo).order_by(Photo.id))
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    users = db.session.scalars(select(User).order_by(User.id))
    return {
        "requests": [
            (r.id, r.reference, r.access_token, r.status, r.name, r.phone, r.email, r.created_at)
            for r in requests
        ],
        "events": [
            (e.id, e.request_id, e.kind, e.from_status, e.to_status, e.note, e.created_at)
            for e in events
        ],
        "photos": [(p.id, p.request_id, p.stored_name, p.size_bytes) for p in photos],
        "outbox": [
            (m.id, m.kind, m.to_addr, m.payload, m.status, m.request_id, m.message_id_header)
            for m in messages
        ],
        "users": [(u.id, u.email, u.role, u.password_hash) for u in users],
    }


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@pytest.fixture
def filled(app, upload_folder):
    """The installation with data; returns its snapshot and its photo files."""
    with app.app_context():
        _fill(upload_folder)
        state = _snapshot()
    assert len(state["requests"]) == 3 and len(state["photos"]) == 6 and state["outbox"]
    assert state["events"] and len(_files(upload_folder)) == 6
    return state, _files(upload_folder)


@pytest.fixture
def archive(app, filled, tmp_path) -> Path:
    with app.app_context():
        return backup.create_backup(tmp_path / "backups").path


def _restore_database_url(tmp_path: Path, backend: str) -> str:
    """An empty database other than the one backed up: nothing in it, not even a schema."""
    if backend == "sqlite":
        (tmp_path / "restored").mkdir(exist_ok=True)
        return f"sqlite:///{tmp_path / 'restored' / 'portal.sqlite3'}"
    url = make_url(POSTGRES_URL)
    name = f"{url.database}_restore"
    _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _on_server(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def _on_server(statement: str) -> None:
    engine = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture
def target(app, tmp_path):
    """A second, empty installation of the same backend: its own database and photo folder."""
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    uploads = tmp_path / "restored-uploads"
    uploads.mkdir()
    restored = make_app(_restore_database_url(tmp_path, backend), str(uploads))
    yield restored
    with restored.app_context():
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _on_server(
            f'DROP DATABASE IF EXISTS "{make_url(POSTGRES_URL).database}_restore" WITH (FORCE)'
        )


def _tables(app) -> list[str]:
    with app.app_context():
        names = sa.inspect(db.engine).get_table_names()
        db.engine.dispose()
        return names


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {info.name: tar.extractfile(info).read() for info in tar}


def _write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _flip_byte(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_the_archive_holds_the_database_the_photos_and_a_manifest_of_checksums(
    app, filled, archive
):
    _state, photos = filled

    members = _members(archive)
    manifest = json.loads(members.pop("manifest.json"))

    with app.app_context():
        head = backup._known_revisions()[0]
        backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    assert backup.NAME_PATTERN.match(archive.name)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert manifest["schema_revision"] == head
    assert manifest["backend"] == backend
    assert manifest["portal_version"] and manifest["created_at"].endswith("Z")
    assert set(members) == {backup.DATABASE_MEMBERS[backend]} | {f"uploads/{n}" for n in photos}
    for name, data in members.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(data).hexdigest()
    for name, data in photos.items():
        assert members[f"uploads/{name}"] == data


def test_a_backup_restores_into_another_empty_database_with_everything_in_it(
    app, filled, archive, target
):
    state, photos = filled

    with target.app_context():
        done = backup.restore_backup(archive)
        restored = _snapshot()
        # The running tallies came back with the requests they count.
        assert tallies.kept()[0] and tallies.disagreement() is None
        # The sequences came back too: the next request gets a fresh id.
        newer = factories.make_request(upload_folder=target.config["UPLOAD_FOLDER"]).id
        assert tallies.disagreement() is None

    assert done.photos == 6 and not done.needs_upgrade
    assert restored == state
    assert _files(Path(target.config["UPLOAD_FOLDER"])) == photos
    assert newer > max(row[0] for row in state["requests"])


def test_backup_then_wipe_then_restore_through_the_commands(app, filled, upload_folder, tmp_path):
    state, photos = filled
    runner = app.test_cli_runner()

    made = runner.invoke(args=["backup", "create", "--output", str(tmp_path / "kopie")])
    with app.app_context():
        empty_database()
        db.session.remove()
    for path in upload_folder.iterdir():
        path.unlink()
    (archive,) = (tmp_path / "kopie").iterdir()
    restored = runner.invoke(args=["backup", "restore", str(archive)])

    assert made.exit_code == 0, made.output
    assert "Backup written" in made.output and "6 photo(s)" in made.output
    assert restored.exit_code == 0, restored.output
    assert "Restored the backup" in restored.output
    with app.app_context():
        assert _snapshot() == state
    assert _files(upload_folder) == photos


def _change_database_byte(members):
    name = next(n for n in members if n.startswith("database."))
    members[name] = _flip_byte(members[name], len(members[name]) // 2)


def _change_photo_byte(members):
    name = sorted(n for n in members if n.startswith("uploads/"))[0]
    members[name] = _flip_byte(members[name], 200)


def _edit_manifest_checksum(members):
    manifest = json.loads(members["manifest.json"])
    entry = manifest["files"][sorted(manifest["files"])[-1]]
    entry["sha256"] = "0" * 64
    members["manifest.json"] = json.dumps(manifest).encode()


def _drop_photo_from_manifest(members):
    manifest = json.loads(members["manifest.json"])
    del manifest["files"][sorted(n for n in manifest["files"] if n.startswith("uploads/"))[0]]
    members["manifest.json"] = json.dumps(manifest).encode()


def _slip_in_a_photo(members):
    members["uploads/extra.jpg"] = b"\xff\xd8 not listed anywhere"


def _break_manifest(members):
    members["manifest.json"] = members["manifest.json"][:-20]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (_change_database_byte, "Checksum mismatch for database."),
        (_change_photo_byte, "Checksum mismatch for uploads/"),
        (_edit_manifest_checksum, "Checksum mismatch for"),
        (_drop_photo_from_manifest, "does not match its manifest"),
        (_slip_in_a_photo, "not listed: uploads/extra.jpg"),
        (_break_manifest, "The manifest is damaged"),
    ],
)
def test_a_damaged_or_changed_archive_is_refused_and_nothing_changes(
    archive, target, tmp_path, tamper, message
):
    members = _members(archive)
    tamper(members)
    tampered = _write_archive(tmp_path / "tampered.tar.gz", members)

    with target.app_context(), pytest.raises(backup.BackupRefused, match=message):
        backup.restore_backup(tampered)

    assert _tables(target) == []
    assert list(Path(target.config["UPLOAD_FOLDER"]).iterdir()) == []


def test_the_restore_command_refuses_a_changed_archive_with_a_clear_message(
    archive, target, tmp_path
):
    members = _members(archive)
    _change_photo_byte(members)
    tampered = _write_archive(tmp_path / "tampered.tar.gz", members)

    result = target.test_cli_runner().invoke(args=["backup", "restore", str(tampered)])

    assert result.exit_code != 0
    assert "Checksum mismatch" in result.output and "Nothing was changed." in result.output
    assert _tables(target) == []


def test_an_archive_of_a_schema_this_code_does_not_know_is_refused(archive, target, tmp_path):
    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    manifest["schema_revision"] = "f0f0f0f0f0f0"
    members["manifest.json"] = json.dumps(manifest).encode()
    newer = _write_archive(tmp_path / "newer.tar.gz", members)

    with target.app_context(), pytest.raises(backup.BackupRefused, match="unknown to this version"):
        backup.restore_backup(newer)

    assert _tables(target) == []


def test_a_target_already_migrated_to_another_schema_revision_is_refused(archive, target, tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import MIGRATIONS

    members = _members(archive)
    manifest = json.loads(members["manifest.json"])
    with target.app_context():
        older = backup._known_revisions()[1]
        upgrade(directory=MIGRATIONS)
    manifest["schema_revision"] = older
    members["manifest.json"] = json.dumps(manifest).encode()
    old = _write_archive(tmp_path / "old.tar.gz", members)

    with target.app_context(), pytest.raises(backup.BackupRefused, match="new, empty database"):
        backup.restore_backup(old)

    assert "service_request" in _tables(target)


def test_restoring_over_an_installation_with_data_is_refused(app, filled, archive):
    state, photos = filled

    with app.app_context():
        with pytest.raises(backup.BackupRefused, match=r"not empty \(database: 3 requests, 1 acc"):
            backup.restore_backup(archive)
        assert _snapshot() == state
    assert _files(Path(app.config["UPLOAD_FOLDER"])) == photos


def test_restoring_into_an_empty_database_beside_old_photos_is_refused(archive, target):
    leftover = Path(target.config["UPLOAD_FOLDER"]) / "old.jpg"
    leftover.write_bytes(b"an old photo")

    with target.app_context(), pytest.raises(backup.BackupRefused, match="has files"):
        backup.restore_backup(archive)

    assert _tables(target) == []
    assert [path.name for path in leftover.parent.iterdir()] == ["old.jpg"]


@pytest.mark.skipif(not POSTGRES_URL, reason="needs both backends")
def test_an_archive_of_the_other_backend_is_refused(app, archive, tmp_path):
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    other = "postgresql" if backend == "sqlite" else "sqlite"
    uploads = tmp_path / "other-uploads"
    uploads.mkdir()
    target = make_app(_restore_database_url(tmp_path, other), str(uploads))

    try:
        with target.app_context(), pytest.raises(backup.BackupRefused, match="backup and this"):
            backup.restore_backup(archive)
        assert _tables(target) == []
    finally:
        if other == "postgresql":
            _on_server(f'DROP DATABASE IF EXISTS "{make_url(POSTGRES_URL).database}_restore"')


def test_keep_leaves_only_the_newest_archives_and_nothing_else_is_touched(app, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")

    with app.app_context():
        for day in (1, 2, 3):
            backup.create_backup(folder, keep=2, now=datetime(2026, 11, day, 3, 0, tzinfo=UTC))

    assert sorted(path.name for path in folder.iterdir()) == [
        "notes.txt",
        "portal-backup-20261102T030000Z.tar.gz",
        "portal-backup-20261103T030000Z.tar.gz",
    ]


def test_an_archive_is_never_written_among_the_photos(app, upload_folder):
    with app.app_context(), pytest.raises(backup.BackupRefused, match="inside the upload folder"):
        backup.create_backup(upload_folder)

    assert list(upload_folder.iterdir()) == []

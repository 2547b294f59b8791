"""The SQLite read-only guard against another process creating the database's files: a
``-journal`` that appears between the guard's two looks is writable, not read-only (CI saw one of
four instances starting together answer "unavailable")."""

from __future__ import annotations

import os

import pytest

from model_service.storage import database
from model_service.storage.database import READ_ONLY, Database, DatabaseUnavailable


def test_a_file_created_by_another_process_during_the_check_is_not_read_only(tmp_path, monkeypatch):
    db = Database(f"sqlite:///{tmp_path}/service.db")
    wal = tmp_path / "service.db-journal"
    real_access = os.access
    created = []

    def access_then_another_process_creates_the_wal(path, mode):
        answer = real_access(path, mode)
        if str(path) == str(wal) and not created:
            wal.touch()  # what a second instance opening the database does at this moment
            created.append(path)
        return answer

    monkeypatch.setattr(database.os, "access", access_then_another_process_creates_the_wal)
    db._check_writable()
    assert created and wal.exists()


def test_a_file_that_cannot_be_written_is_still_refused(tmp_path, monkeypatch):
    db = Database(f"sqlite:///{tmp_path}/service.db")
    (tmp_path / "service.db").touch()
    monkeypatch.setattr(database.os, "access", lambda path, mode: not str(path).endswith("service.db"))
    with pytest.raises(DatabaseUnavailable, match="read-only") as err:
        db._check_writable()
    assert str(err.value) == READ_ONLY


def test_a_file_created_then_deleted_by_another_process_during_the_check_is_not_read_only(tmp_path, monkeypatch):
    db = Database(f"sqlite:///{tmp_path}/service.db")
    wal = tmp_path / "service.db-journal"
    real_access = os.access
    calls = []

    def access_while_another_process_creates_then_deletes_the_wal(path, mode):
        if str(path) == str(wal):
            calls.append(path)
            if len(calls) == 2:
                wal.unlink()  # ...and closes its last connection (and its -journal is removed)
        answer = real_access(path, mode)
        if str(path) == str(wal) and len(calls) == 1:
            wal.touch()  # a second instance opens the database...
        return answer

    monkeypatch.setattr(database.os, "access", access_while_another_process_creates_then_deletes_the_wal)
    db._check_writable()
    assert len(calls) == 2 and not wal.exists()

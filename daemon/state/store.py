"""The gallery's SQLite database: one table of entries, a curve each, newest last.

Every curve the kiosk starts drawing is an entry (its data as `Curve.to_dict()`, name,
when, where it came from); hearts are a count on the entry, and an entry with hearts is
a favourite. History is bounded: past `history_limit` entries without hearts the oldest
go; favourites stay until someone removes them.

Durability. WAL journal with `synchronous=FULL`: in WAL mode FULL syncs the WAL file
after every commit, so a commit that returned survives a power cut; NORMAL syncs only at
checkpoints and "a transaction committed in WAL mode with synchronous=NORMAL might roll
back following a power loss or system crash" (https://www.sqlite.org/pragma.html
#pragma_synchronous). A heart is acknowledged only after its commit returned. Either way
a killed process loses nothing committed, and the database stays consistent.

Threads. One connection shared by the web threads and the recorder thread, each call
under a lock (check_same_thread=False; sqlite3's connection is usable from any thread
while only one uses it at a time, see the sqlite3 module docs on check_same_thread).
The render thread writes nothing here (the recorder's thread does, see recorder.py); it
reads only the next favourite, for the playlist, waiting a few milliseconds at most for
the lock (`next_favourite`'s `wait`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_SECONDS = 5.0  # another process (an admin's sqlite3 shell) holding a lock
HISTORY = "history"
FAVOURITES = "favourites"
KINDS = (HISTORY, FAVOURITES)

_SCHEMA = (
    """CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: a browser's heart stays its own
    curve TEXT NOT NULL,                   -- Curve.to_dict() as JSON
    name TEXT NOT NULL,
    drawn_at REAL NOT NULL,                -- Unix seconds
    source TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    hearts INTEGER NOT NULL DEFAULT 0
)""",
    "CREATE INDEX favourites ON entries (id) WHERE hearts > 0",
)
_COLUMNS = "id, curve, name, drawn_at, source, detail, hearts"


class GalleryError(Exception):
    """The gallery could not do it (disk full, I/O error); the message says why."""


class SchemaError(Exception):
    """The file is a gallery of a newer (or unknown) schema: left alone."""


def _entry(row: tuple) -> dict:
    entry_id, curve, name, drawn_at, source, detail, hearts = row
    return {
        "id": entry_id,
        "name": name,
        "curve": json.loads(curve),
        "drawn_at": datetime.fromtimestamp(drawn_at, UTC).isoformat(timespec="seconds"),
        "source": source,
        "detail": detail,
        "hearts": hearts,
        "favourite": hearts > 0,
    }


class GalleryStore:
    """The open database. Raises sqlite3 errors from the constructor (see opening.py)."""

    def __init__(
        self, path: Path, history_limit: int, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = Path(path)
        self.history_limit = history_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._full_logged = False
        self._db = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            self._prepare()
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        db = self._db
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("quick_check: " + "; ".join(problems[:3]))
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("gallery: journal mode %s, not WAL", mode)
        db.execute("PRAGMA synchronous=FULL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
            if tables:
                raise SchemaError(f"{self.path} has tables but no gallery schema version")
            with self._transaction():  # (not executescript: it would COMMIT first)
                for statement in _SCHEMA:
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            raise SchemaError(
                f"{self.path} has schema {version}; this kiosk knows {SCHEMA_VERSION}"
            )

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")  # a full disk may show only here, writing the WAL
        except BaseException:
            # Some errors (SQLITE_FULL, SQLITE_IOERR) roll the transaction back already
            # (https://www.sqlite.org/lang_transaction.html, "Response To Errors").
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @contextmanager
    def _writing(self, what: str) -> Iterator[sqlite3.Connection]:
        """A write transaction under the lock; sqlite3 errors as GalleryError (a full
        disk logged once until a write succeeds again)."""
        with self._lock:
            try:
                with self._transaction() as db:
                    yield db
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL":
                    if not self._full_logged:
                        log.warning("gallery: disk full, cannot %s; the kiosk goes on", what)
                        self._full_logged = True
                    raise GalleryError("the disk holding the gallery is full") from exc
                log.warning("gallery: cannot %s: %s", what, exc)
                raise GalleryError(f"the gallery's database failed: {exc}") from exc
            except sqlite3.Error as exc:  # corrupt meanwhile, closed
                log.warning("gallery: cannot %s: %s", what, exc)
                raise GalleryError(f"the gallery's database failed: {exc}") from exc
            self._full_logged = False

    def _read(self, sql: str, args: tuple = (), wait: float | None = None) -> list[tuple]:
        """`wait`: at most this long for the lock (a write may hold it through an fsync);
        then GalleryError. None: as long as it takes."""
        if not self._lock.acquire(timeout=-1 if wait is None else wait):
            raise GalleryError("the gallery is busy writing")
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            log.warning("gallery: cannot read: %s", exc)
            raise GalleryError(f"the gallery's database failed: {exc}") from exc
        finally:
            self._lock.release()

    # -- writes --------------------------------------------------------------

    def record(self, curve: dict, name: str, source: str, detail: str = "") -> int:
        """A new history entry for a curve that started drawing; its id. Trims history."""
        text = json.dumps(curve, separators=(",", ":"))
        with self._writing("record a curve") as db:
            cursor = db.execute(
                "INSERT INTO entries (curve, name, drawn_at, source, detail) VALUES (?,?,?,?,?)",
                (text, name, self._clock(), source, detail),
            )
            entry_id = cursor.lastrowid
            # Keep the newest `history_limit` entries without hearts (and every favourite).
            db.execute(
                "DELETE FROM entries WHERE hearts = 0 AND id <= (SELECT id FROM entries"
                " WHERE hearts = 0 ORDER BY id DESC LIMIT 1 OFFSET ?)",
                (self.history_limit,),
            )
        return entry_id

    def heart(self, entry_id: int) -> dict | None:
        """One more heart for the entry; the entry afterwards, None when there is none.
        Returns only once the heart is committed (synced to disk)."""
        with self._writing("keep a heart") as db:
            db.execute("UPDATE entries SET hearts = hearts + 1 WHERE id = ?", (entry_id,))
            row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row is not None else None

    def unfavourite(self, entry_id: int) -> dict | None:
        """Take the entry's hearts away (it stays in history while history keeps it)."""
        with self._writing("remove a favourite") as db:
            db.execute("UPDATE entries SET hearts = 0 WHERE id = ?", (entry_id,))
            row = db.execute(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,)).fetchone()
        return _entry(row) if row is not None else None

    # -- reads ---------------------------------------------------------------

    def entry(self, entry_id: int) -> dict | None:
        rows = self._read(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        return _entry(rows[0]) if rows else None

    def entries(
        self, kind: str = HISTORY, limit: int = 50, before: int | None = None
    ) -> list[dict]:
        """Newest first: every entry (history) or those with hearts (favourites);
        `before`: only entries with a smaller id (the next page)."""
        where = ["hearts > 0"] if kind == FAVOURITES else []
        args: list[int] = []
        if before is not None:
            where.append("id < ?")
            args.append(before)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = f"SELECT {_COLUMNS} FROM entries {clause} ORDER BY id DESC LIMIT ?"
        return [_entry(row) for row in self._read(sql, (*args, limit))]

    def next_favourite(self, after: int, wait: float | None = None) -> dict | None:
        """The favourite after id `after`, round and round; None when there is none.
        `wait` as for reads: the playlist may ask on the render thread (a skip, a curve
        with no hold), which must not wait for a write's fsync."""
        sql = f"SELECT {_COLUMNS} FROM entries WHERE hearts > 0 AND id > ? ORDER BY id LIMIT 1"
        rows = self._read(sql, (after,), wait) or self._read(sql, (0,), wait)
        return _entry(rows[0]) if rows else None

    def count(self, kind: str = HISTORY) -> int:
        where = "WHERE hearts > 0" if kind == FAVOURITES else ""
        return self._read(f"SELECT count(*) FROM entries {where}")[0][0]

    def close(self, timeout: float = 1.0) -> None:
        """Close the database; a write stuck in its fsync (a dying SD card) is left to the
        process's end rather than holding the stop (WAL keeps what was committed)."""
        if not self._lock.acquire(timeout=timeout):
            log.warning("gallery: a write is still stuck after %.1f s; not waiting", timeout)
            return
        try:
            self._db.close()
        finally:
            self._lock.release()

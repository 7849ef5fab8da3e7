"""The ledger: which submission was graded, under which settings, with what result.

One row per (student, assignment), in the gradebook's own database (sqlite or PostgreSQL,
whatever nbgrader's ``db_url`` names), in a table of its own that nbgrader never reads.
A row is keyed by a hash of what was submitted and a hash of what decides the grade (the
assignment's tests and the grading options). A run that starts again after an interruption
skips every submission whose row matches and grades the rest; ``--regrade`` ignores the rows.

The row is written after the gradebook has the grade, so a run killed in between grades
that submission again and records it in place (nbgrader keeps one submission per student
and assignment): never a lost grade, never a second record.
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, Text, create_engine, delete, insert, select

TABLE_NAME = "dgmcourse_ledger"
_metadata = MetaData()
LEDGER = Table(
    TABLE_NAME, _metadata,
    Column("student", String(128), primary_key=True),
    Column("assignment", String(128), primary_key=True),
    Column("submission_sha256", String(64), nullable=False),
    Column("settings_sha256", String(64), nullable=False),
    Column("status", String(32), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("result", Text, nullable=False),  # the GradeResult as JSON, for the run's table and reports
)
CHUNK = 1 << 20


def submission_hash(folder: Path) -> str:
    """sha256 of everything in a submission folder: names, file bytes, and what each link points to.

    Links are hashed by their target, never followed, as grading treats them.
    """
    digest = hashlib.sha256()
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs.sort()
        for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(here, d))]):
            path = os.path.join(here, name)
            relative = os.path.relpath(path, folder)
            info = os.lstat(path)
            digest.update(relative.encode("utf-8", "surrogateescape") + b"\0")
            if stat.S_ISLNK(info.st_mode):
                digest.update(b"link\0" + os.readlink(path).encode("utf-8", "surrogateescape"))
            elif stat.S_ISREG(info.st_mode):
                # The file's own hash, of fixed length: one file's bytes cannot pass for the next file's entry.
                content = hashlib.sha256()
                try:
                    # Never through a link, and never waiting on a FIFO swapped in since the lstat.
                    opener = lambda p, flags: os.open(p, flags | os.O_NOFOLLOW | os.O_NONBLOCK)  # noqa: E731
                    with open(path, "rb", opener=opener) as handle:
                        while chunk := handle.read(CHUNK):
                            content.update(chunk)
                    digest.update(b"file\0" + content.hexdigest().encode())
                except OSError as error:
                    digest.update(f"unreadable {error.errno}".encode())
            else:
                digest.update(f"other {stat.S_IFMT(info.st_mode)}".encode())
            digest.update(b"\0")
    return digest.hexdigest()


def settings_hash(pack_fingerprint: str, options_fingerprint: dict) -> str:
    return hashlib.sha256((pack_fingerprint + json.dumps(options_fingerprint, sort_keys=True)).encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    submission_sha256: str
    settings_sha256: str
    status: str
    recorded_at: str
    result: dict


class Ledger:
    def __init__(self, db_url: str):
        from nbgrader.api import Gradebook

        from dgmcourse.instructor.course import ensure_tools_on_path

        ensure_tools_on_path()
        # nbgrader first: it stamps its schema version only into a database with no tables yet.
        Gradebook(db_url).close()
        self.engine = create_engine(db_url, pool_pre_ping=True)
        _metadata.create_all(self.engine, checkfirst=True)

    def entries(self) -> dict[tuple[str, str], Entry]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(LEDGER)).mappings().all()
        return {(row["student"], row["assignment"]): Entry(row["submission_sha256"], row["settings_sha256"],
                                                           row["status"], row["recorded_at"], json.loads(row["result"]))
                for row in rows}

    def record(self, student: str, assignment: str, submission_sha256: str, settings_sha256: str,
               status: str, result: dict) -> None:
        """Replace this submission's row, in one transaction."""
        with self.engine.begin() as connection:
            connection.execute(delete(LEDGER).where(LEDGER.c.student == student, LEDGER.c.assignment == assignment))
            connection.execute(insert(LEDGER).values(
                student=student, assignment=assignment, submission_sha256=submission_sha256,
                settings_sha256=settings_sha256, status=status,
                recorded_at=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), result=json.dumps(result)))

    def forget(self, student: str, assignment: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(LEDGER).where(LEDGER.c.student == student, LEDGER.c.assignment == assignment))

    def close(self) -> None:
        self.engine.dispose()

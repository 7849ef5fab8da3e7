"""``nbgrader collect`` that copies only what a student may hand in.

nbgrader's exchange inbound is writable by every student, and ``collect`` runs as the
instructor. Its stock copy follows symbolic links, reads FIFOs and takes every file, and
a submission may claim any student's name. So a student could:

- link ``space_worms_wasserstein.ipynb`` to the instructor's master in ``source/`` (or to
  another student's work): collect copies the target's *contents* as the submission, and
  the feedback page hands its solutions back;
- leave a FIFO that blocks collect forever;
- hand in an ``nbgrader_config.py`` (or ``.json``), which any nbgrader command later run
  in that ``submitted/`` folder would execute as the instructor;
- submit under another student's name and replace that student's submission.

``SafeCollect`` (configured in the course's ``nbgrader_config.py`` as
``c.ExchangeFactory.collect``) copies plain files and folders only, never through a link,
skips what ``CourseDirectory.ignore`` names, and skips submissions whose folder is not
owned by the student they claim to be, logging each thing it left out.
"""
from __future__ import annotations

import glob
import os
import shutil
import stat

from nbgrader.exchange.default.collect import ExchangeCollect

try:
    import pwd
except ImportError:  # Windows: nbgrader does not check owners there either
    pwd = None


def _owner(path: str) -> str:
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except (KeyError, OSError):
        return "unknown"


class SafeCollect(ExchangeCollect):

    def init_src(self):
        super().init_src()  # finds the inbound folder and the due date; the choice is redone below
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        by_student: dict[str, list[dict]] = {}
        for path in sorted(glob.glob(pattern)):
            try:
                record = self._path_to_record(path)
            except Exception as error:  # a folder name a student made up; nbgrader would stop on it
                self.log.error("Not collected: %s is not named student+assignment+time+id (%s)", path, error)
                continue
            if os.path.islink(path) or not os.path.isdir(path):
                self.log.error("Not collected: %s is not a folder (a link or a file)", path)
                continue
            if self.check_owner and pwd is not None and _owner(path) != record["username"]:
                self.log.error("Not collected: %s claims to be %s's submission but is owned by %s; "
                               "cheating attempt?", path, record["username"], _owner(path))
                continue
            by_student.setdefault(record["username"], []).append(record)
        self.src_records = [self._choose(records) for records in by_student.values()]

    def _choose(self, records: list[dict]) -> dict:
        """nbgrader's choice: the newest, or with --before-duedate the newest before the due date."""
        newest_first = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
            if on_time:
                return on_time[0]
        return newest_first[0]

    def do_copy(self, src, dest, log=None):
        """Copy ``src`` to ``dest``: plain files and folders only, no link followed, ignored names left out."""
        ignored = shutil.ignore_patterns(*self.coursedir.ignore)
        # nbgrader's limits are in kilobytes.
        file_limit = 1000 * self.coursedir.max_file_size if self.coursedir.max_file_size else None
        total = sum(os.lstat(os.path.join(folder, name)).st_size
                    for folder, _, names in os.walk(src) for name in names)
        if self.coursedir.max_dir_size and total > 1000 * self.coursedir.max_dir_size:
            raise RuntimeError(f"Not collected: {src} holds {total} bytes, more than "
                               f"{1000 * self.coursedir.max_dir_size} (CourseDirectory.max_dir_size)")

        def copy_tree(source: str, target: str) -> None:
            os.makedirs(target, exist_ok=True)
            names = sorted(os.listdir(source))
            skip = set(ignored(source, names))
            for name in names:
                path = os.path.join(source, name)
                if name in skip:
                    self.log.warning("Not collected: %s (an ignored name: CourseDirectory.ignore)", path)
                    continue
                info = os.lstat(path)
                if stat.S_ISDIR(info.st_mode):
                    copy_tree(path, os.path.join(target, name))
                elif not stat.S_ISREG(info.st_mode):
                    self.log.warning("Not collected: %s is not a plain file (a link, FIFO or device)", path)
                elif file_limit is not None and info.st_size > file_limit:
                    self.log.warning("Not collected: %s is larger than %s bytes", path, file_limit)
                else:
                    self._copy_plain_file(path, os.path.join(target, name))

        copy_tree(src, dest)

    def _copy_plain_file(self, source: str, target: str) -> None:
        """Open without following a link (it may have been swapped since it was looked at)."""
        try:
            handle = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as error:
            self.log.warning("Not collected: %s (%s)", source, error)
            return
        with os.fdopen(handle, "rb") as reader:
            if not stat.S_ISREG(os.fstat(reader.fileno()).st_mode):
                self.log.warning("Not collected: %s is not a plain file", source)
                return
            with open(target, "wb") as writer:
                shutil.copyfileobj(reader, writer)

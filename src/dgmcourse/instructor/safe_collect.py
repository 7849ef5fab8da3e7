"""``nbgrader collect`` that copies only what a student may hand in, at the time it was handed in.

nbgrader's exchange inbound is writable by every student, and ``collect`` runs as the
instructor. Its stock copy follows symbolic links, reads FIFOs, takes every file, trusts
the submission's own ``timestamp.txt``, and a submission may claim any student's name.
So a student could:

- link their notebook (or swap their whole folder, mid-copy) to the instructor's master in
  ``source/`` or to another student's work: collect copies the target's *contents* as the
  submission, which then grades as full marks and hands back the solutions as feedback;
- leave a FIFO that blocks collect forever, a tree deep enough to crash it, or a folder
  name that stops it for the whole class;
- grow a file after its size was checked and fill the instructor's disk;
- hand in an ``nbgrader_config.py`` (or ``.json``), which any nbgrader command later run
  in that ``submitted/`` folder would execute as the instructor;
- submit under another student's name and replace that student's submission;
- rewrite or delete ``timestamp.txt`` after the deadline to escape the late penalty.

``SafeCollect`` (configured in the course's ``nbgrader_config.py`` as
``c.ExchangeFactory.collect``):

- walks each submission through file descriptors opened with ``O_NOFOLLOW``, starting from
  the submission folder itself, so no link is followed and a name swapped mid-copy cannot
  redirect it; only plain files and folders are copied, at most ``MAX_DEPTH`` deep, each
  read no further than the size limit;
- skips what ``CourseDirectory.ignore`` names, and any submission whose folder is not owned
  by the student it names, or whose name cannot be read, logging each;
- dates the submission no earlier than its last change: the newest change time (ctime,
  which no student can set back) of the folder and of everything in it. When
  ``timestamp.txt`` claims an earlier time (beyond ``CLOCK_SLACK``) or is missing, the
  collected ``timestamp.txt`` says the later time and the claim is kept in
  ``timestamp.claimed.txt``, which ``dgmcourse grade`` reports for review.

One submission's problem never stops the others: it is logged and collect goes on.
"""
from __future__ import annotations

import datetime
import errno
import glob
import os
import shutil
import stat

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.collect import ExchangeCollect, groupby
from nbgrader.utils import check_mode, parse_utc

try:
    import pwd
except ImportError:  # Windows: nbgrader does not check owners there either
    pwd = None

MAX_DEPTH = 16
CLOCK_SLACK = datetime.timedelta(minutes=2)  # nbgrader submit writes timestamp.txt after copying
CLAIMED = "timestamp.claimed.txt"
DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


class SafeCollect(ExchangeCollect):

    # --- which submissions ----------------------------------------------------------------
    def init_src(self):
        """nbgrader's choice of submissions, without trusting a folder's name or owner blindly."""
        if self.coursedir.course_id == "":
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, "inbound")
        if not os.path.isdir(self.inbound_path):
            self.fail("Course not found: {}".format(self.inbound_path))
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail("You don't have read permissions for the directory: {}".format(self.inbound_path))
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                self.duedate = gb.find_assignment(self.coursedir.assignment_id).duedate
            except MissingEntry:
                self.duedate = None
        student_id = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student_id}+{self.coursedir.assignment_id}+*")
        records = [record for record in map(self._genuine_record, sorted(glob.glob(pattern))) if record]
        self.src_records = [self._choose(group) for group in groupby(records, lambda r: r["username"]).values()]

    def _genuine_record(self, path: str) -> dict | None:
        try:
            record = self._path_to_record(path)
        except Exception as error:  # a folder name a student made up; nbgrader would stop on it
            self.log.error("Not collected: %s is not named student+assignment+time+id (%s)", path, error)
            return None
        try:
            info = os.lstat(path)
        except OSError as error:
            self.log.error("Not collected: %s (%s)", path, error)
            return None
        if not stat.S_ISDIR(info.st_mode):
            self.log.error("Not collected: %s is not a folder (a link or a file)", path)
            return None
        if self.check_owner and pwd is not None and _owner_name(info.st_uid) != record["username"]:
            self.log.error("Not collected: %s claims to be %s's submission but is owned by %s; cheating attempt?",
                           path, record["username"], _owner_name(info.st_uid))
            return None
        return record

    def _choose(self, records: list[dict]) -> dict:
        """nbgrader's choice: the newest, or with --before-duedate the newest before the due date."""
        newest_first = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            on_time = [r for r in newest_first if r["timestamp"] <= self.duedate]
            if on_time:
                return on_time[0]
        return newest_first[0]

    # --- copying one submission -----------------------------------------------------------------
    def do_copy(self, src, dest, log=None):
        """Copy the submission folder ``src`` to ``dest`` through file descriptors; never raises for
        what the student put there (it is logged and left out)."""
        try:
            top = os.open(src, DIRECTORY_FLAGS)
        except OSError as error:
            self.log.error("Not collected: %s (%s)", src, error)
            return
        try:
            info = os.fstat(top)
            expected = os.path.basename(os.path.dirname(dest))  # submitted/<student>/<assignment>
            if self.check_owner and pwd is not None and _owner_name(info.st_uid) != expected:
                self.log.error("Not collected: %s is no longer owned by %s", src, expected)
                return
            self._copied_bytes = 0
            self._newest_change = info.st_ctime
            os.makedirs(dest, exist_ok=True)
            self._copy_folder(top, src, dest, depth=0)
            self._date_submission(src, dest)
        finally:
            os.close(top)

    def _copy_folder(self, folder_fd: int, shown: str, dest: str, depth: int) -> None:
        ignored = shutil.ignore_patterns(*self.coursedir.ignore)
        try:
            names = sorted(entry.name for entry in os.scandir(folder_fd))
        except OSError as error:
            self.log.warning("Not collected: the contents of %s (%s)", shown, error)
            return
        skip = set(ignored(shown, names))
        for name in names:
            path = os.path.join(shown, name)
            if name in skip:
                self.log.warning("Not collected: %s (an ignored name: CourseDirectory.ignore)", path)
                continue
            try:
                info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
            except OSError as error:
                self.log.warning("Not collected: %s (%s)", path, error)
                continue
            self._newest_change = max(self._newest_change, info.st_ctime)
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 >= MAX_DEPTH:
                    self.log.warning("Not collected: %s is more than %d folders deep", path, MAX_DEPTH)
                    continue
                try:
                    child = os.open(name, DIRECTORY_FLAGS, dir_fd=folder_fd)
                except OSError as error:
                    self.log.warning("Not collected: %s (%s)", path, error)
                    continue
                try:
                    os.makedirs(os.path.join(dest, name), exist_ok=True)
                    self._copy_folder(child, path, os.path.join(dest, name), depth + 1)
                finally:
                    os.close(child)
            elif stat.S_ISREG(info.st_mode):
                self._copy_file(folder_fd, name, path, os.path.join(dest, name))
            else:
                self.log.warning("Not collected: %s is not a plain file (a link, FIFO or device)", path)

    def _copy_file(self, folder_fd: int, name: str, shown: str, target: str) -> None:
        """Copy one plain file, reading no more than the limits allow; a file that turns out larger
        (it may grow while it is read) is left out entirely."""
        file_limit = 1000 * self.coursedir.max_file_size if self.coursedir.max_file_size else None
        total_limit = 1000 * self.coursedir.max_dir_size if self.coursedir.max_dir_size else None
        try:
            handle = os.open(name, FILE_FLAGS, dir_fd=folder_fd)
        except OSError as error:
            reason = "a link" if error.errno == errno.ELOOP else str(error)
            self.log.warning("Not collected: %s (%s)", shown, reason)
            return
        with os.fdopen(handle, "rb") as reader:
            info = os.fstat(reader.fileno())
            if not stat.S_ISREG(info.st_mode):
                self.log.warning("Not collected: %s is not a plain file", shown)
                return
            self._newest_change = max(self._newest_change, info.st_ctime)
            allowed = [limit for limit in (file_limit, total_limit and total_limit - self._copied_bytes) if limit]
            most = min(allowed) if allowed else None
            written = 0
            with open(target, "wb") as writer:
                while True:
                    chunk = reader.read(1 << 20)
                    if not chunk:
                        break
                    written += len(chunk)
                    if most is not None and written > most:
                        break
                    writer.write(chunk)
        if most is not None and written > most:
            os.unlink(target)
            self.log.warning("Not collected: %s is larger than the collect limits (CourseDirectory.max_file_size "
                             "%s kB, max_dir_size %s kB)", shown, self.coursedir.max_file_size,
                             self.coursedir.max_dir_size)
            return
        self._copied_bytes += written

    # --- when it was handed in ------------------------------------------------------------------
    def _date_submission(self, src: str, dest: str) -> None:
        """``timestamp.txt`` no earlier than the submission's last change (see the module's docstring)."""
        changed = datetime.datetime.fromtimestamp(self._newest_change, datetime.timezone.utc).replace(tzinfo=None)
        stamp = os.path.join(dest, "timestamp.txt")
        claimed_text = None
        claimed = None
        if os.path.isfile(stamp):
            with open(stamp, encoding="utf-8", errors="replace") as handle:
                claimed_text = handle.read(200).strip()
            try:
                claimed = parse_utc(claimed_text)
                claimed = claimed.astimezone(datetime.timezone.utc).replace(tzinfo=None) if claimed.tzinfo else claimed
            except Exception:
                claimed = None
        if claimed is not None and claimed + CLOCK_SLACK >= changed:
            return
        with open(os.path.join(dest, CLAIMED), "w", encoding="utf-8") as handle:
            handle.write((claimed_text if claimed_text is not None else "(no timestamp.txt)") + "\n")
        with open(stamp, "w", encoding="utf-8") as handle:
            handle.write(changed.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
        self.log.warning("%s: timestamp.txt said %r, but the submission was last changed at %s UTC; "
                         "it is dated by its last change", src, claimed_text, changed)

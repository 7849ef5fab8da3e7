"""The ``dgmcourse`` command: a thin layer over ``dgmcourse.instructor``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dgmcourse.instructor.bench import SECTIONS, THROUGHPUT_ASSIGNMENT
from dgmcourse.instructor.course import Course, CourseError, ensure_tools_on_path
from dgmcourse.instructor.sandbox.settings import SandboxUnavailable


def _course(args) -> Course:
    db_url = getattr(args, "db_url", None) or ""
    return Course.find(Path(args.course), db_url) if args.course else Course.find(db_url=db_url)


def cmd_release(args) -> int:
    from dgmcourse.instructor.release import release

    course = _course(args)
    result = release(course, args.assignments or None)
    for path in result.notebooks:
        print(f"released {path.relative_to(course.root)}")
    return 0


def cmd_sync(args) -> int:
    from dgmcourse.instructor import text_form

    course = _course(args)
    masters = [m for a in (args.assignments or course.assignments()) for m in course.master_notebooks(a)]
    if args.check:
        problems = text_form.out_of_sync(masters)
        for problem in problems:
            print(problem)
        if problems:
            print("run `dgmcourse sync` (notebooks from the edited text forms) or `dgmcourse sync --from-notebooks` "
                  "(text forms from notebooks edited in Jupyter)")
        return 1 if problems else 0
    try:
        written = text_form.sync(masters, from_notebooks=args.from_notebooks, force=args.force)
    except text_form.SyncRefused as error:
        print(f"dgmcourse sync: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(course.root)}")
    return 0


def cmd_grade(args) -> int:
    from dgmcourse.instructor import grading, reports

    course = _course(args)
    options = grading.GradingOptions(seed=args.seed, max_seconds=args.max_seconds, feedback=not args.no_feedback,
                                     sandbox=not args.unsafe, memory_mb=args.memory_mb,
                                     max_processes=args.max_processes, max_output_bytes=args.max_output_bytes)
    if args.unsafe:
        print("WARNING: --unsafe: student code runs without a sandbox, as you, with access to this course.",
              file=sys.stderr)
    recorder = reports.Recorder(Path(args.reports) if args.reports else course.reports_dir)

    bar = None

    def started(batch) -> None:
        nonlocal bar
        from tqdm import tqdm

        if batch.unchanged:
            print(f"{batch.unchanged} submission(s) already graded, unchanged, under the same tests and settings: "
                  "not graded again (--regrade grades them again)", flush=True)
        if batch.dashboard:
            print(f"Dask dashboard: {batch.dashboard}", flush=True)
        # On a terminal: the count, the rate and the time left; in a log, one line per submission.
        bar = tqdm(total=batch.to_grade, unit="submission", file=sys.stderr, disable=None, dynamic_ncols=True)

    def progress(r):
        recorder.add([r])  # on disk as soon as graded: a run stopped midway keeps what it finished
        line = f"{r.student} / {r.assignment}: {r.status} {r.score:g}/{r.max_score:g}"
        if bar is not None and not bar.disable:
            bar.write(line)
            bar.update(1)
        else:
            print(line, flush=True)

    try:
        from dgmcourse.instructor.grading_task import shown_url

        results = grading.grade_all(
            course, Path(args.submissions).resolve(), students=args.student or None,
            assignments=args.assignment or None, options=options, jobs=args.jobs, scheduler=args.scheduler,
            regrade=args.regrade, progress=progress, started=started,
            warn=lambda text: print(text, file=sys.stderr, flush=True))
    except (OSError, TimeoutError) as error:
        if not args.scheduler:
            raise
        # The scheduler cannot be reached, or no worker joined it: what was recorded stays recorded.
        print(f"dgmcourse grade: the Dask cluster at {shown_url(args.scheduler)} did not take the work "
              f"({type(error).__name__}: {error}). Check that the scheduler runs and that workers have joined "
              "(its dashboard lists them), then run the same command again: it grades what is missing.",
              file=sys.stderr)
        return 2
    finally:
        if bar is not None:
            bar.close()
    if not results:
        print(f"no submissions found in {args.submissions} (expected <student>/<assignment>/ folders)")
        return 1
    summary, by_cell = recorder.summary, recorder.by_cell
    print()
    print(reports.table(results))
    print(f"\nwrote {summary} and {by_cell}")
    from dgmcourse.instructor.misconceptions import tells_by_mistake

    named, chart = reports.write_misconceptions(recorder.directory, tells_by_mistake(course.root, course.assignments()))
    print(f"wrote {named} and {chart}: per task, the students who lost its points and the mistakes named")
    return 0


def cmd_demo(args) -> int:
    from dgmcourse.instructor import demo

    outcome = demo.run(_course(args), seed=args.seed, assignments=args.assignments or None,
                       keep=Path(args.keep) if args.keep else None)
    if outcome.problems:
        print("\nThe demo's grades are not what they must be:")
        for problem in outcome.problems:
            print(f"  - {problem}")
        return 1
    print("\nDemo OK: full marks for the solution, 0 for the blank version, partial marks for the partial student.")
    return 0


def cmd_bench(args) -> int:
    from dgmcourse.instructor import bench
    from dgmcourse.instructor.bench import report

    course = _course(args)
    sections = tuple(args.only or bench.SECTIONS)
    try:
        results = bench.run(course, sections=sections, repeats=args.repeats, submissions=args.submissions,
                            throughput_assignment=args.throughput_assignment, mnist_images=args.mnist_images,
                            assignments=args.assignment or None, postgres_url=args.postgres_url or "")
    except bench.BenchFailure as error:
        print(f"dgmcourse bench: a run did not do the work it was timing:\n{error}", file=sys.stderr)
        return 1
    path = bench.write_json(results, Path(args.json) if args.json else course.reports_dir / "bench.json")
    print()
    print(report.table(results))
    print(f"\nwrote {path}")
    return 0


def cmd_misconceptions(args) -> int:
    from dgmcourse.instructor import misconceptions

    course = _course(args)
    assignments = args.assignments or [a for a in course.assignments()
                                       if misconceptions.probes_path(course.root, a).is_file()]
    failed = False
    for assignment in assignments:
        course.check_assignment(assignment)
        try:
            report = misconceptions.precision(course.root, assignment)
            leaks = misconceptions.tells_leaks(course.root, assignment)
        except (misconceptions.CatalogueError, ValueError) as error:
            print(f"{assignment}: the catalogue could not be built: {error}")
            failed = True
            continue
        print(f"{assignment}: {len(report.catalogued)} catalogued misconception(s) in {len(report.probed_tasks)} "
              f"probed task(s); {len(report.named_as_itself)}/{report.wrong_variants} wrong variants named "
              f"(recall {report.recall:.0%}); {len(report.false_diagnoses) + len(report.wrong_diagnoses)} "
              f"false or wrong diagnoses; {len(report.collisions)} collision(s)")
        for task, why in sorted(report.not_probed.items()):
            print(f"  not probed: {task}: {why}")
        for problem in report.problems + leaks:
            print(f"  PROBLEM: {problem}")
        failed = failed or bool(report.problems or leaks)
    return 1 if failed else 0


def cmd_variants(args) -> int:
    from dgmcourse.instructor import grading, variant_report
    from dgmcourse.instructor import variants as variant_files
    from dgmcourse.instructor.variant_grading import run_assignment, variants_dir

    course = _course(args)
    assignments = args.assignments or [a for a in course.assignments() if variants_dir(course.root, a).is_dir()]
    rows, problems = [], []
    for assignment in assignments:
        folder = variants_dir(course.root, assignment)
        if not folder.is_dir():
            print(f"dgmcourse variants: no variants for {assignment} (expected {folder})", file=sys.stderr)
            return 1
        these = variant_report.rows_for(assignment, variant_files.load(folder))
        tasks = {grading.nb.task_of(gid) for gid in grading.max_points(course, assignment)}
        problems += variant_report.coverage_problems(assignment, these, tasks)
        if args.grade:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="dgmcourse-variants-") as work:
                print(f"grading the variants of {assignment} ...", flush=True)
                these = variant_report.with_outcomes(these, run_assignment(course, assignment, Path(work)))
        rows += these
    print(variant_report.table(rows))
    path = variant_report.write_csv(rows, Path(args.csv) if args.csv else course.reports_dir / "variants.csv")
    print(f"\nwrote {path}")
    for problem in problems:
        print(f"coverage: {problem}")
    failed = any(r.outcome.startswith("NOT") for r in rows)
    return 1 if problems or failed else 0


DB_URL_HELP = ("the gradebook's database, as nbgrader's db_url (postgresql://USER@HOST/DB, the password in "
               "~/.pgpass); default: "
               "c.CourseDirectory.db_url of nbgrader_config.py, else gradebook.db in the course folder")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dgmcourse", description="Release and grade the deep generative models course.")
    p.add_argument("--course", help="course directory (default: the one containing the current directory)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="check the masters and generate release/ (student versions)")
    r.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    r.add_argument("--db-url", help=DB_URL_HELP)
    r.set_defaults(run=cmd_release)

    y = sub.add_parser("sync", help="make each master notebook agree with its text form source/<a>/<name>.py")
    y.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    y.add_argument("--from-notebooks", action="store_true",
                   help="write the text forms from the notebooks (after editing a master in Jupyter)")
    y.add_argument("--check", action="store_true", help="only report pairs that disagree (exit 1 if any)")
    y.add_argument("--force", action="store_true",
                   help="overwrite even a side git sees edited since the last commit (its edits are lost)")
    y.set_defaults(run=cmd_sync)

    g = sub.add_parser("grade", help="autograde submissions in nbgrader's submitted/<student>/<assignment>/ layout")
    g.add_argument("submissions", help="the submitted/ folder")
    g.add_argument("--assignment", action="append", help="grade only this assignment (repeatable)")
    g.add_argument("--student", action="append", help="grade only this student (repeatable)")
    g.add_argument("--seed", type=int, default=0, help="seed the notebooks read from DGMCOURSE_SEED (default 0)")
    g.add_argument("--max-seconds", type=float, default=1800, help="whole-notebook time limit per submission")
    g.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time (default 1)")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="grade on a Dask cluster (tcp://HOST:8786) instead of here; see the README's deployment "
                        "section")
    g.add_argument("--db-url", help=DB_URL_HELP)
    g.add_argument("--regrade", action="store_true",
                   help="grade every submission again, also those the ledger shows graded and unchanged")
    g.add_argument("--memory-mb", type=int, default=6144, help="address-space limit of a kernel (default 6144)")
    g.add_argument("--max-processes", type=int, default=256, help="processes a kernel may start (default 256)")
    g.add_argument("--max-output-bytes", type=int, default=5_000_000, help="output kept per notebook")
    g.add_argument("--unsafe", action="store_true",
                   help="grade without the sandbox (only on a machine that holds nothing but the course)")
    g.add_argument("--no-feedback", action="store_true", help="skip generating feedback HTML")
    g.add_argument("--reports", help="folder for grades.csv (default: <course>/reports)")
    g.set_defaults(run=cmd_grade)

    d = sub.add_parser("demo", help="grade reference students in a throwaway copy of the course, print the "
                                    "summary (the main job); the course itself is never changed")
    d.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--keep", metavar="DIR", help="keep the graded copy (feedback, grades.csv, plot) in DIR, "
                                                 "a new or empty folder outside the course")
    d.set_defaults(run=cmd_demo)

    v = sub.add_parser("variants", help="the right and wrong answers kept as tests/variants/: counts per assignment "
                                        "and kind; --grade grades them through the real grader")
    v.add_argument("assignments", nargs="*", help="assignments (default: every one with variants)")
    v.add_argument("--grade", action="store_true", help="grade every variant and report whether it scored as declared")
    v.add_argument("--csv", help="where to write the per-variant table (default: reports/variants.csv)")
    v.set_defaults(run=cmd_variants)

    m = sub.add_parser("misconceptions", help="the catalogue of named mistakes: per assignment, the misconceptions, "
                                              "recall, and every false diagnosis or probe collision (exit 1 if any)")
    m.add_argument("assignments", nargs="*", help="assignments (default: every one with diagnosis probes)")
    m.set_defaults(run=cmd_misconceptions)

    b = sub.add_parser("bench", help="measure notebooks, grading throughput, MNIST training and vectorisation")
    b.add_argument("--only", action="append", choices=SECTIONS,
                   help="run only this section (repeatable; default: all)")
    b.add_argument("--assignment", action="append", help="notebooks section: only this assignment (repeatable)")
    b.add_argument("--repeats", type=int, default=3, help="runs per notebook; the median is reported (default 3)")
    b.add_argument("--submissions", type=int, default=8, help="submissions graded in the throughput section")
    b.add_argument("--throughput-assignment", default=THROUGHPUT_ASSIGNMENT,
                   help="assignment whose solution is graded in the throughput section")
    b.add_argument("--mnist-images", type=int, default=60000, help="images per MNIST epoch (default: all 60000)")
    b.add_argument("--json", help="where to write the results (default: <course>/reports/bench.json)")
    b.add_argument("--postgres-url", help="throughput section: also time the coordinator's records into this "
                                          "PostgreSQL database (an empty one: the assignment is released into it)")
    b.set_defaults(run=cmd_bench)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    ensure_tools_on_path()
    try:
        return args.run(args)
    except (CourseError, SandboxUnavailable) as error:
        print(f"dgmcourse {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

"""nbgrader configuration for the deep generative models course.

Read by every nbgrader command run in this directory (the formgrader on the hub too).
Site-wide settings (the exchange root, students' course id) belong in
/etc/jupyter/nbgrader_config.py, never here: this file is read last and would override them.
"""
import os

import nbgrader
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    GetGrades,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

import dgmcourse.instructor
from dgmcourse.instructor.preprocessors import (
    BoundedExecute,
    HiddenTestsInOutputs,
    NamedMistakes,
    SafeOutputs,
    StderrInTestsIsNotFailure,
    TaskLabels,
)

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

# --- The course -------------------------------------------------------------------
c.CourseDirectory.course_id = "deep-generative-models"
# Caches and checkpoints never belong to a release or a submission. Nor does code or
# configuration a student hands in: nbgrader would execute a config file found in the folder
# it runs in, as the instructor, and Python imports a .py file next to a notebook.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store",
                            "*.py", "*.pth", "*.so", "nbgrader_config.*", "jupyter_*config*", "ipython_config.*",
                            ".*"]
# `nbgrader collect` copies plain files only (never through a link, never a FIFO) and only
# from submissions owned by the student they name (safe_collect.py).
c.ExchangeFactory.collect = "dgmcourse.instructor.safe_collect.SafeCollect"

# --- Executing student notebooks -------------------------------------------------
# Per-cell limit in seconds. nbgrader 0.9 reads it from `Execute`; the key
# `ExecutePreprocessor.timeout` is ignored (nbgrader issues #1004 and #1463), and a
# test in tests/test_nbgrader_config.py shows that this key takes effect.
# The slowest graded cell (assignment 05's training at grading size) needs < 120 s on
# a 2-core CPU. A whole-notebook limit is applied by `dgmcourse grade`, not here.
c.Execute.timeout = 300
c.Execute.interrupt_on_timeout = True
# Every kernel is started fresh and never retried: a retry would hide a flaky submission.
c.Execute.execute_retries = 0
# Student code runs only in the grading sandbox. nbgrader's own autograde (the formgrader's
# Autograde button) and an instructor's `nbgrader validate` on a submission would start a
# plain kernel as the instructor; this kernel manager refuses that and says to use
# `dgmcourse grade`, unless DGMCOURSE_ALLOW_UNSANDBOXED=1 (see sandbox_only.py).
c.Execute.kernel_manager_class = "dgmcourse.instructor.sandbox.sandbox_only.SandboxOnlyKernelManager"
c.SandboxOnlyKernelManager.course_root = os.path.dirname(os.path.abspath(__file__))

# --- Restoring what students removed -----------------------------------------------
# A deleted test cell is put back from the gradebook and run, so deleting a failing
# test cannot earn its points.
c.OverwriteCells.add_missing_cells = True

# --- Scoring ----------------------------------------------------------------------
# nbgrader's default pipeline with two changes:
# - BoundedExecute replaces Execute: a whole-notebook time limit, a kernel that ignores
#   the interrupt is killed, cells after a dead kernel score 0 while earlier ones keep
#   their points, output bytes are capped, and integrity canaries run before each test
#   (`dgmcourse grade` sets the per-run limits; see the README's grading section);
# - stderr written inside a test cell (a torch UserWarning, a tqdm bar) must not zero a
#   passing test;
# - what student code displayed is made inert (no scripts, handlers or remote resources)
#   before the graded notebook is saved, since the formgrader renders it for the instructor.
c.Autograde.autograde_preprocessors = [
    BoundedExecute,
    StderrInTestsIsNotFailure,
    SafeOutputs,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    SaveAutoGrades,
    AssignLatePenalties,
    CheckCellMetadata,
]
# --- Late submissions ------------------------------------------------------------------
# Lateness is the submission's timestamp.txt (written by `nbgrader submit`) against the
# assignment's due date (`nbgrader db assignment add ID --duedate="2026-12-01 23:59:00 UTC"`).
# Each started day late costs 10 % of the points the notebook earned, up to all of them
# (late_policy.py). The penalty is stored in the gradebook and shown by `nbgrader export`
# and in reports/grades.csv.
c.AssignLatePenalties.plugin_class = "dgmcourse.instructor.late_policy.PercentPerStartedDay"
c.PercentPerStartedDay.percent_per_day = 10.0
c.PercentPerStartedDay.grace_seconds = 0.0

# Feedback stays readable even when a submission prints in a loop.
c.LimitOutput.max_lines = 300
c.LimitOutput.max_traceback = 60

# --- Feedback ---------------------------------------------------------------------
# nbgrader's feedback shows the hidden tests verbatim (nbgrader issue #1363), in the
# cell and again in the traceback of a failing test, and student code can print them.
# Strip every hidden line from every output and the hidden regions from the cells:
# students see which test cells failed, the visible checks and the failure messages,
# never the hidden code. Outputs and markdown are made inert again (the feedback is
# opened in browsers); `dgmcourse grade` then removes every script from the page.
c.GenerateFeedback.preprocessors = [
    GetGrades,
    HiddenTestsInOutputs,
    ClearHiddenTests,
    SafeOutputs,
    TaskLabels,
    NamedMistakes,
    CSSHTMLHeaderPreprocessor,
]
# The course's feedback page (dgmcourse/instructor/templates/dgmcourse_feedback): each graded
# cell and summary row named by its task, long lines wrapped, no MathJax from a CDN: its
# formulas become MathML (the tex_to_mathml filter, feedback_math.py), which browsers render
# with no network and no script.
# Set for the exporter that GenerateFeedback makes, and only there: the formgrader renders
# submissions for manual grading with its own template, which a course-wide HTMLExporter
# setting would replace.
c.GenerateFeedback.HTMLExporter.template_name = "dgmcourse_feedback"
c.GenerateFeedback.HTMLExporter.filters = {"tex_to_mathml": "dgmcourse.instructor.feedback_math.tex_to_mathml_filter"}
c.GenerateFeedback.HTMLExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(dgmcourse.instructor.__file__), "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
]

# --- Student versions -------------------------------------------------------------
# The stub says what to do when a student runs it before answering.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\n"
              "raise NotImplementedError(\"Replace this line with your code for this task, then run this cell \"\n"
              "                          \"and the check below it.\")"
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# --- JupyterHub exchange ------------------------------------------------------------
# Not set here: the exchange root and `path_includes_course` are the hub's, shared by the
# instructor and every student, so they live in /etc/jupyter/nbgrader_config.py (README,
# "Running the course on a JupyterHub"). A value here would override the site-wide one.

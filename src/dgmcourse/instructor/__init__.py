"""Instructor-side tooling: release, grading, reports and the variant harness. Notebooks never import this."""
import sys

# jsonschema imports the optional package rfc3987_syntax when it is installed (jupyter's
# dependencies install it), and that import compiles about 40 grammars: 1.4 s in every
# process that reads a notebook, three times per `dgmcourse grade --jobs 2`. Notebook
# validation never checks the IRI formats it serves, so the grader's processes go without.
sys.modules.setdefault("rfc3987_syntax", None)

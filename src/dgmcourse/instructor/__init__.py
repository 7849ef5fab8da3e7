"""Instructor-side tooling: release, grading, reports and the variant harness. Notebooks never import this."""

"""Helpers that the assignment notebooks import. Students read this code: keep it short and plain."""

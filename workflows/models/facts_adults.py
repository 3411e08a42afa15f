"""Statutory facts of adults' services, written by step completion (see workflows.facts)."""

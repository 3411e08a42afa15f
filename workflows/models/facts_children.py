"""Statutory facts of children's services, written by step completion (see workflows.facts)."""

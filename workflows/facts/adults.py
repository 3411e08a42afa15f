"""Writers of the adults' services facts (registered with workflows.facts.register)."""

"""Writers of the children's services facts (registered with workflows.facts.register)."""

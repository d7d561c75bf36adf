"""Use cases: the only code the area objects (and so web/, the CLI, the scheduler) call into."""

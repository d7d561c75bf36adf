"""Use cases: the only engine entry points the facade (and so web/, the CLI, the scheduler) calls."""

"""Re-runnable benchmarks (not timed tests); latest figures live in benchmarks/README.md."""

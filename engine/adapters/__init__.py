"""Adapters: the only place that imports SQLAlchemy (and, later, APScheduler)."""

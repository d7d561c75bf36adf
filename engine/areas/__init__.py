"""The engine's public surface, one small object per area (``engine.cases``, ``engine.tasks`` …).

Each area binds the use cases of ``engine.services`` to the engine's private context and holds no
business logic of its own. One convention everywhere: the subject first, options and the acting
user keyword-only (``…, *, actor``); every value handed out is a frozen dataclass or an enum of
``engine.model``.
"""

"""What every area object shares: the private context it binds its use cases to."""

from __future__ import annotations

from engine.services.context import Context


class Area:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

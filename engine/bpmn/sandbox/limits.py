"""The sandbox's numeric limits and the error raised when diagram code reaches one."""

from __future__ import annotations

MAX_RANGE = 100_000
MAX_STEPS = 1_000_000
MAX_BITS = 100_000  # about 30,000 decimal digits
MAX_ITEMS = 1_000_000  # characters of a string, items of a list, made by one operation
MAX_SORT = 100_000
MAX_WIDTH = 10_000  # a field width or precision in a format


class ScriptLimit(ValueError):
    """A script or expression hit one of the sandbox's limits (size, steps, time, memory)."""


class ScriptTooLong(ScriptLimit):
    """A script or expression used up its step budget (an endless or huge loop)."""


def refuse(message: str) -> ScriptLimit:
    return ScriptLimit(f"{message} (limit of the script sandbox)")

"""Guards on every builtin and method of the sandbox that can amplify its inputs.

A single operation whose result or running time is out of proportion to its inputs checks the
size first and raises ``ScriptLimit``: ``**``/``pow``, ``*`` on sequences and big integers, ``<<``,
``+`` on sequences, ``%`` formatting and format widths, the padding methods, ``join``/``replace``/
``translate``/``expandtabs``, ``list.extend``/``list.sort``, ``int.to_bytes``, ``sum`` with a list
as start, ``sorted`` of many items, ``math.factorial``/``comb``/``perm``/``prod``/``lcm``. They turn
common mistakes into an immediate, clear error; the worker's hard limits catch the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)

from .limits import MAX_BITS, MAX_ITEMS, MAX_RANGE, MAX_SORT, MAX_WIDTH, refuse


def _bits(value: Any) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 64


def fn_potenza(base: Any, exponent: Any, modulus: Any = None) -> Any:
    if modulus is not None:
        return pow(base, exponent, modulus)  # bounded by the modulus
    big = isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1
    if big and exponent * base.bit_length() > MAX_BITS:
        raise refuse("the power is too large for a script")
    return base**exponent


def fn_prodotto(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
            raise refuse("the repeated sequence is too long for a script")
    if isinstance(left, int) and isinstance(right, int) and _bits(left) + _bits(right) > MAX_BITS:
        raise refuse("the product is too large for a script")
    return left * right


def fn_scorrimento(value: Any, shift: Any) -> Any:
    if isinstance(value, int) and isinstance(shift, int) and value and _bits(value) + shift > MAX_BITS:
        raise refuse("the shifted number is too large for a script")
    return value << shift


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def fn_modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        text = left if isinstance(left, str) else left.decode("latin-1")
        total = len(text)
        for match in _PERCENT_SPEC.finditer(text):
            for size in match.groups():
                if size == "*":
                    raise refuse("a '*' width in a % format is not allowed in a script")
                total += int(size or 0)
        if total > MAX_ITEMS:
            raise refuse("the formatted text would be too long for a script")
    return left % right


_SPEC_SIZES = re.compile(r"(\d+)")


def _check_spec(spec: str) -> None:
    if any(int(n) > MAX_WIDTH for n in _SPEC_SIZES.findall(spec)):
        raise refuse(f"a format width or precision above {MAX_WIDTH} is not allowed in a script")


def fn_formato(value: Any, spec: str, conversion: int = -1) -> str:
    """``f"{value!r:spec}"`` with the width and precision checked first."""
    _check_spec(str(spec))
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    return format(value, str(spec))


def _padding(method: Callable[..., Any]) -> Callable[..., Any]:
    def padded(width: Any, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_ITEMS:
            raise refuse("the padded text would be too long for a script")
        return method(width, *args)

    return padded


def _guarded_str_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if name in ("ljust", "rjust", "center", "zfill"):
        return _padding(method)
    if name == "expandtabs":

        def expandtabs(tabsize: int = 8) -> Any:
            tab = "\t" if isinstance(obj, str) else b"\t"
            if isinstance(tabsize, int) and tabsize * obj.count(tab) > MAX_ITEMS:  # type: ignore[arg-type]
                raise refuse("the expanded text would be too long for a script")
            return method(tabsize)

        return expandtabs
    if name == "replace":

        def replace(old: Any, new: Any, count: int = -1) -> Any:
            times = obj.count(old) if count < 0 else min(count, obj.count(old))
            if len(obj) + times * max(len(new) - len(old), 0) > MAX_ITEMS:
                raise refuse("the replaced text would be too long for a script")
            return method(old, new, count)

        return replace
    if name == "join":

        def join(items: Iterable[Any]) -> Any:
            parts = list(items)
            if sum(len(p) for p in parts if isinstance(p, str | bytes)) + len(obj) * len(parts) > MAX_ITEMS:
                raise refuse("the joined text would be too long for a script")
            return method(parts)

        return join
    if name == "translate":

        def translate(table: Any) -> Any:
            longest = max((len(v) for v in getattr(table, "values", list)() if isinstance(v, str)), default=1)
            if len(obj) * longest > MAX_ITEMS:
                raise refuse("the translated text would be too long for a script")
            return method(table)

        return translate
    return method


def _guarded_getattr(obj: Any, name: str, default: Any = None) -> Any:
    """RestrictedPython's getattr guard, plus size checks on the methods that amplify."""
    value = safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]
    if isinstance(obj, str | bytes):
        return _guarded_str_method(obj, name, value)
    if isinstance(obj, list) and name == "extend":

        def extend(items: Iterable[Any]) -> None:
            more = list(items)
            if len(obj) + len(more) > MAX_ITEMS:
                raise refuse("the list would be too long for a script")
            value(more)

        return extend
    if isinstance(obj, list) and name == "sort":

        def sort(**kwargs: Any) -> None:
            if len(obj) > MAX_SORT:
                raise refuse(f"sorting more than {MAX_SORT} items is not allowed in a script")
            value(**kwargs)

        return sort
    if isinstance(obj, int) and name == "to_bytes":

        def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> bytes:
            if isinstance(length, int) and length > MAX_ITEMS:
                raise refuse("the byte string would be too long for a script")
            result: bytes = value(length, *args, **kwargs)
            return result

        return to_bytes
    return value


def _safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise refuse(f"range() of more than {MAX_RANGE} items is not allowed in a script")
    return r


def _safe_sum(items: Iterable[Any], start: Any = 0) -> Any:
    if not isinstance(start, int | float | complex) and type(start).__name__ != "Decimal":
        raise refuse("sum() adds numbers only in a script; build lists with a comprehension")
    return sum(items, start)


def _safe_sorted(items: Iterable[Any], **kwargs: Any) -> list[Any]:
    values = list(items)
    if len(values) > MAX_SORT:
        raise refuse(f"sorting more than {MAX_SORT} items is not allowed in a script")
    return sorted(values, **kwargs)


def _big_result(log2: float, what: str) -> None:
    if log2 > MAX_BITS:
        raise refuse(f"the {what} is too large for a script")


def _log2_factorial(n: int) -> float:
    return math.lgamma(n + 1) / math.log(2) if n > 1 else 0.0


def _factorial(n: int) -> int:
    _big_result(_log2_factorial(n) if isinstance(n, int) else 0, "factorial")
    return math.factorial(n)


def _comb(n: int, k: int) -> int:
    if isinstance(n, int) and isinstance(k, int) and 0 <= k <= n:
        _big_result(_log2_factorial(n) - _log2_factorial(k) - _log2_factorial(n - k), "binomial coefficient")
    return math.comb(n, k)


def _perm(n: int, k: int | None = None) -> int:
    if isinstance(n, int) and (k is None or isinstance(k, int)) and 0 <= (n if k is None else k) <= n:
        _big_result(_log2_factorial(n) - _log2_factorial(n - (n if k is None else k)), "permutation count")
    return math.perm(n, k)


def _prod(items: Iterable[Any], start: Any = 1) -> Any:
    values = list(items)
    _big_result(sum(_bits(v) for v in [*values, start] if isinstance(v, int)), "product")
    return math.prod(values, start=start)


def _lcm(*values: int) -> int:
    _big_result(sum(_bits(v) for v in values), "least common multiple")
    return math.lcm(*values)


# ``math`` as diagrams see it: the float functions as they are, the integer ones size-checked.
_MATH = SimpleNamespace(
    **{name: getattr(math, name) for name in dir(math) if not name.startswith("_")},
)
_MATH.factorial, _MATH.comb, _MATH.perm, _MATH.prod, _MATH.lcm = _factorial, _comb, _perm, _prod, _lcm
_MATH.pow = math.pow  # float power: bounded

_HIDDEN_BUILTINS = {"setattr", "delattr", "__build_class__", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}
BUILTINS: dict[str, Any] = {k: v for k, v in safe_builtins.items() if k not in _HIDDEN_BUILTINS}
BUILTINS.update(
    {
        "range": _safe_range,
        "pow": fn_potenza,
        "dict": dict,
        "list": list,
        "set": set,
        "tuple": tuple,
        "frozenset": frozenset,
        "min": min,
        "max": max,
        "sum": _safe_sum,
        "any": any,
        "all": all,
        "enumerate": enumerate,
        "zip": zip,
        "sorted": _safe_sorted,
        "reversed": reversed,
        "map": map,
        "filter": filter,
        "math": _MATH,
    }
)


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": fn_somma,
        "-=": lambda a, b: a - b,
        "*=": fn_prodotto,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": fn_modulo,
        "|=": lambda a, b: a | b,
        "&=": lambda a, b: a & b,
    }
    if op not in ops:
        raise SyntaxError(f"operator {op} is not allowed in a script")
    return ops[op](x, y)


def fn_somma(left: Any, right: Any) -> Any:
    # ``s = s + s`` in a loop doubles a string at every step: the size is checked on the way
    sequences = isinstance(left, str | bytes | list | tuple) and isinstance(right, str | bytes | list | tuple)
    if sequences and len(left) + len(right) > MAX_ITEMS:
        raise refuse("the sequence is too long for a script")
    return left + right


GUARD_HELPERS: dict[str, Callable[..., Any]] = {
    "fn_potenza": fn_potenza,
    "fn_prodotto": fn_prodotto,
    "fn_scorrimento": fn_scorrimento,
    "fn_modulo": fn_modulo,
    "fn_formato": fn_formato,
    "fn_somma": fn_somma,
}


def guards() -> dict[str, Any]:
    """The globals RestrictedPython's compiled code calls into."""
    return {
        "__builtins__": BUILTINS,
        "_getattr_": _guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplacevar,
        **GUARD_HELPERS,
    }

"""The script worker: a small process that evaluates diagram code under hard limits.

Started by ``engine.bpmn.script_pool`` as ``python -E -s -P …/sandbox/worker.py``; it loads the
sandbox package it sits in by path (and RestrictedPython), never the engine package, so it starts
quickly. It then caps its own
address space (its size after start-up plus the memory limit), forbids core dumps and file
writes, and serves requests from stdin, one at a time: length-prefixed pickles in, length-prefixed
pickles out. Before each evaluation it sets a CPU-time limit a little above the wall-clock limit,
a backstop should the server fail to kill it; the server kills it when the wall clock runs out.

Requests carry the task data as a pickle of its own (the worker unpickles it twice: one copy to
run in, one to tell what the script changed). Replies: ``("ok", value)`` for an expression,
``("ok", (changed, deleted))`` for a script, ``("error", type name, message, line)`` or
``("limit", message, line)``.
After a ``MemoryError`` the worker answers and exits, so a fresh one takes its place.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import pickle
import resource
import struct
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

HEADER = struct.Struct("!I")


def load_sandbox() -> ModuleType:
    """The sandbox package this file belongs to, imported from its directory under its own name."""
    here = Path(__file__).parent
    spec = importlib.util.spec_from_file_location(
        "impresa_sandbox", here / "__init__.py", submodule_search_locations=[str(here)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["impresa_sandbox"] = module
    spec.loader.exec_module(module)
    return module


def read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    return stream.read(size)


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(HEADER.pack(len(payload)) + payload)
    stream.flush()


def _limit_self(memory_mb: int) -> None:
    with open("/proc/self/statm") as statm:  # noqa: PTH123 - before the file-size limit
        pages = int(statm.read().split()[0])
    address_space = pages * os.sysconf("SC_PAGE_SIZE") + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _cpu_backstop(seconds: float) -> None:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    soft = int(used + seconds) + 2
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _script_line(err: BaseException) -> int | None:
    if isinstance(err, SyntaxError):
        return err.lineno
    line = None
    for frame in traceback.extract_tb(err.__traceback__):
        if frame.filename in ("<inline>", "<string>", "<unknown>"):
            line = frame.lineno
    return line


class Worker:
    def __init__(self, sandbox: ModuleType) -> None:
        self.sandbox = sandbox
        self.parameters: dict[str, Any] = {}

    def handle(self, request: dict[str, Any]) -> tuple[Any, ...]:
        sb = self.sandbox
        if request.get("parameters") is not None:
            self.parameters = {request["parameters_key"]: request["parameters"]}
        now: dt.datetime = request["now"]
        helpers = sb.make_helpers(lambda: now, self.parameters.get(request["parameters_key"], {}))
        env_globals = {**sb.guards(), **helpers}
        external: dict[str, Any] = request.get("external") or {}
        limit: int = request["output_limit"]
        _cpu_backstop(request["seconds"])
        context: dict[str, Any] = pickle.loads(request["context"])  # noqa: S301 - from the server
        if request["op"] == "eval":
            code = sb.compile_expression(request["source"])
            result = sb.run_expression(code, {**external, **context, **env_globals})
            if not sb.is_data(result):
                raise TypeError(f"the expression gave {type(result).__name__}, not data")
            sb.check_output({"result": result}, limit, "the expression")
            return ("ok", result)
        code = sb.compile_script(request["source"])
        sb.run_script(code, context, env_globals, external)
        changed, deleted = sb.delta(pickle.loads(request["context"]), context)  # noqa: S301 - from the server
        sb.check_output(changed, limit, "the script")
        return ("ok", (changed, deleted))

    def serve(self, stdin: BinaryIO, stdout: BinaryIO) -> None:
        write_frame(stdout, pickle.dumps(("ready", os.getpid())))
        while (frame := read_frame(stdin)) is not None:
            exit_after = False
            try:
                reply = self.handle(pickle.loads(frame))  # noqa: S301 - written by the server that started us
            except MemoryError:
                reply, exit_after = ("limit", "the script needed more memory than allowed", None), True
            except self.sandbox.ScriptLimit as err:
                reply = ("limit", str(err), _script_line(err))
            except BaseException as err:  # noqa: BLE001 - a script may raise anything; report, never die
                reply = ("error", type(err).__name__, str(err)[:2000], _script_line(err))
            try:
                payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, ValueError, RecursionError, MemoryError) as err:
                payload = pickle.dumps(("error", type(err).__name__, "the result cannot be returned", None))
            write_frame(stdout, payload)
            if exit_after:
                return


def main() -> None:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    sandbox = load_sandbox()
    _limit_self(memory_mb)
    Worker(sandbox).serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()

"""Pre-started script workers, supervised: every evaluation there ends within its wall-clock limit.

A Python thread cannot be stopped inside one C call (``10**10**8``, a gigabyte ``ljust``), and a
signal waits for the call to return. So diagram code that cannot be proven cheap runs in a worker
process (``sandbox/worker.py``) with its address space capped; the server thread waits for the
answer with a deadline (without holding the GIL, so every other request goes on), and on timeout
kills the worker and starts a fresh one. A worker that dies (memory, CPU backstop) is replaced the
same way. Each server process has its own pool, started lazily, shared by its threads; after a
``fork`` (a pre-forking server) the child starts its own. docs/sandbox.md has the design.

Requests and replies are pickles; replies are read with an unpickler that accepts plain data only
(a worker runs untrusted code, its answer must not be able to name a class of the server).
"""

from __future__ import annotations

import atexit
import datetime as dt
import decimal
import io
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.bpmn.sandbox import ScriptLimit
from engine.bpmn.sandbox.worker import HEADER

WORKER = Path(__file__).with_name("sandbox") / "worker.py"
START_TIMEOUT = 60.0  # a loaded machine may take a while to start Python


@dataclass(frozen=True)
class Limits:
    """Per evaluation: wall clock, memory of the worker, data a script may leave in the case."""

    seconds: float = 1.0
    memory_mb: int = 256
    output_bytes: int = 256 * 1024
    workers: int = 4


class ScriptFailed(Exception):
    """Diagram code raised an ordinary error in the worker (its type name, message and line)."""

    def __init__(self, type_name: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.type_name, self.message, self.line = type_name, message, line


class _Died(Exception):
    pass


_ALLOWED = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("datetime", "datetime"),
    ("datetime", "date"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("decimal", "Decimal"),
}


class _DataUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"a script worker answered with {module}.{name}")
        return {"set": set, "frozenset": frozenset, "Decimal": decimal.Decimal}.get(name) or getattr(dt, name)


def _loads(payload: bytes) -> Any:
    return _DataUnpickler(io.BytesIO(payload)).load()


class _Worker:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and file
            [sys.executable, "-E", "-s", "-P", str(WORKER), str(limits.memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            cwd="/",
            env={"PATH": os.defpath, "LANG": "C.UTF-8"},
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self.ready = False
        self.parameter_keys: set[str] = set()

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.stdout], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self.stdout, min(missing, 1 << 20))
            if not chunk:
                raise _Died
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _frame(self, deadline: float) -> bytes:
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        return self._read(size, deadline)

    def poll_ready(self) -> bool:
        """Whether the worker has started (reads its greeting if it is there; never waits)."""
        if not self.ready and select.select([self.stdout], [], [], 0)[0]:
            try:
                self.wait_ready()
            except (TimeoutError, _Died, pickle.UnpicklingError, OSError):
                return False
        return self.ready

    def wait_ready(self) -> None:
        if not self.ready:
            reply = _loads(self._frame(time.monotonic() + START_TIMEOUT))
            if reply[0] != "ready":
                raise _Died
            self.ready = True

    def call(self, request: bytes, seconds: float) -> Any:
        try:
            os.write(self.stdin, HEADER.pack(len(request)))
            view = memoryview(request)
            while view:
                view = view[os.write(self.stdin, view[: 1 << 20]) :]
        except (BrokenPipeError, OSError) as err:
            raise _Died from err
        return _loads(self._frame(time.monotonic() + seconds))

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


class ScriptPool:
    """Up to ``limits.workers`` workers for one server process; threads take one at a time."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()

    def prestart(self) -> None:
        """Start one worker now (in the background), so the first script does not wait for it."""
        with self._cond:
            if self._count == 0:
                self._idle.append(self._spawn())

    def _spawn(self) -> _Worker:
        self._count += 1
        return _Worker(self.limits)

    def _take(self) -> _Worker:
        with self._cond:
            while True:
                if self._idle:
                    ready = [w for w in self._idle if w.poll_ready()]
                    worker = (ready or self._idle)[-1]
                    self._idle.remove(worker)
                    if not self._idle and self._count < self.limits.workers:
                        self._idle.append(self._spawn())  # a spare for the next thread
                    return worker
                if self._count < self.limits.workers:
                    return self._spawn()
                self._cond.wait()

    def _give(self, worker: _Worker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._cond:
            self._count -= 1
            # start the replacement now: the next evaluation should not wait for a Python start-up
            self._idle.append(self._spawn())
            self._cond.notify()

    def _ready_worker(self) -> _Worker:
        for _ in range(3):
            worker = self._take()
            try:
                if worker.proc.poll() is None:
                    worker.wait_ready()
                    return worker
            except (TimeoutError, _Died, pickle.UnpicklingError, OSError):
                pass
            self._retire(worker)  # died while idle, or never started: try a fresh one
        raise ScriptLimit("the script worker could not start")

    def run(self, request: dict[str, Any], parameters: tuple[str, Any]) -> Any:
        """Evaluate one request in a worker; raises ScriptLimit or ScriptFailed, else the value."""
        worker = self._ready_worker()
        key, values = parameters
        request = {
            **request,
            "parameters_key": key,
            "parameters": None if key in worker.parameter_keys else values,
            "seconds": self.limits.seconds,
            "output_limit": self.limits.output_bytes,
        }
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            reply = worker.call(payload, self.limits.seconds)
        except TimeoutError:
            self._retire(worker)
            raise ScriptLimit(f"the script ran longer than {self.limits.seconds:g} s (time limit)") from None
        except (_Died, pickle.UnpicklingError, EOFError, ValueError):
            self._retire(worker)
            raise ScriptLimit(
                f"the script was stopped: it needed more than {self.limits.memory_mb} MB or too much CPU"
            ) from None
        worker.parameter_keys = {key}
        if reply[0] == "limit" and reply[1].startswith("the script needed more memory"):
            self._retire(worker)  # it exits after a MemoryError
        else:
            self._give(worker)
        if reply[0] == "ok":
            return reply[1]
        if reply[0] == "limit":
            raise ScriptLimit(f"{reply[1]} (limit: {self.limits.memory_mb} MB)" if "memory" in reply[1] else reply[1])
        raise ScriptFailed(reply[1], reply[2], reply[3])

    def close(self) -> None:
        """Stop the idle workers (at exit; busy ones end with their evaluation's deadline)."""
        with self._cond:
            workers, self._idle = self._idle, []
            self._count -= len(workers)
        for worker in workers:
            worker.kill()


_pools: dict[Limits, ScriptPool] = {}
_pools_pid = os.getpid()
_pools_lock = threading.Lock()


def pool_for(limits: Limits) -> ScriptPool:
    """The process's pool for these limits (a forked child gets fresh ones, never its parent's)."""
    global _pools_pid
    with _pools_lock:
        if os.getpid() != _pools_pid:
            _pools.clear()  # the parent's workers belong to the parent
            _pools_pid = os.getpid()
        pool = _pools.get(limits)
        if pool is None:
            pool = _pools[limits] = ScriptPool(limits)
        return pool


@atexit.register
def _close_all() -> None:
    if os.getpid() == _pools_pid:
        for pool in list(_pools.values()):
            pool.close()

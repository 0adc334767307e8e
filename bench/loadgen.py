"""Load generation: keep-alive HTTP clients spread over several processes, closed loop and open loop.

Closed loop (maximum throughput): each client process holds one connection and sends its next
request as soon as the previous answer is in.

Open loop (latency at a fixed offered rate): send times are fixed in advance at 1/rate intervals and
latency is measured from the *scheduled* time, so an answer that comes late and holds up the sends
behind it is charged to the server (no coordinated omission). Many sender threads per process keep
the client from being what delays a send; how late sends actually went out is recorded too.

Every loop is bounded by time (warm-up + duration), every request by the socket timeout.
"""

from __future__ import annotations

import http.client
import itertools
import multiprocessing as mp
import random
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.common import HOST
from bench.procstat import cpu_delta, cpu_seconds, machine_busy_seconds
from bench.simcall import TARGETS, Request, Target

STARTUP_TIMEOUT = 60.0  # for the load processes to import and connect
START_DELAY = 0.1  # between "everyone is ready" and the common start time


@dataclass(frozen=True)
class Plan:
    """One measurement, as every load process needs to know it."""

    target: str  # "ivr" or "bare" (a key of simcall.TARGETS)
    port: int
    waits: int  # queue-wait turns per simulated call
    warmup: float  # seconds sent but not measured
    duration: float  # seconds measured
    processes: int
    rate: float = 0.0  # open loop: requests per second offered by all processes together
    threads: int = 1  # open loop: sender threads per process
    timeout: float = 30.0  # per request

    @property
    def total(self) -> float:
        """Seconds from the common start to the end of the measured window."""
        return self.warmup + self.duration


@dataclass(frozen=True)
class Sample:
    """One request: its step, when it was due, sent and answered (time.monotonic()), and any error."""

    label: str
    due: float
    sent: float
    done: float
    error: str | None


@dataclass(frozen=True)
class LoadRun:
    """Everything one measurement produced."""

    plan: Plan
    samples: list[Sample]
    window: tuple[float, float]  # the measured interval, in time.monotonic() seconds
    cpu_cores: dict[str, float]  # average cores used in the window, per process group


# -- one connection ---------------------------------------------------------------------------
class Connection:
    """A keep-alive HTTP/1.1 connection to 127.0.0.1, reopened whenever the server closes it."""

    def __init__(self, port: int, timeout: float) -> None:
        self._http = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def post(self, request: Request) -> tuple[int, bytes]:
        """POST `request`; (status, body). A keep-alive connection the server dropped is retried once."""
        reused = self._http.sock is not None
        try:
            return self._exchange(request)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self._http.close()
            if not reused:
                raise
            return self._exchange(request)

    def _exchange(self, request: Request) -> tuple[int, bytes]:
        self._http.request("POST", request.path, body=request.body, headers=request.headers)
        response = self._http.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        """Close the socket (the next request opens a new one)."""
        self._http.close()


def send(conn: Connection, target: Target, request: Request, due: float | None = None) -> Sample:
    """Send one request and time it; errors are recorded in the sample, never raised."""
    sent = time.monotonic()
    try:
        status, body = conn.post(request)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return Sample(request.label, sent if due is None else due, sent, time.monotonic(), type(exc).__name__)
    done = time.monotonic()
    return Sample(request.label, sent if due is None else due, sent, done, target.check(request, status, body))


def make_target(plan: Plan) -> Target:
    """The target named by the plan."""
    return TARGETS[plan.target](plan.port, plan.waits)


# -- closed loop -----------------------------------------------------------------------------
def closed_loop_client(plan: Plan, index: int, start_at: float) -> list[Sample]:
    """One client process: simulated calls back to back on one connection until the window ends."""
    target, conn, rng = make_target(plan), Connection(plan.port, plan.timeout), random.Random(index)
    stop_at = start_at + plan.total
    samples: list[Sample] = []
    try:
        while time.monotonic() < stop_at:
            samples += run_call(conn, target, target.call_requests(rng), stop_at)
    finally:
        conn.close()
    return samples


def run_call(conn: Connection, target: Target, requests: list[Request], stop_at: float) -> list[Sample]:
    """Send a call's requests back to back until `stop_at`; its final status callback is always sent."""
    samples = []
    for request in requests[:-1]:
        if time.monotonic() >= stop_at:
            break
        samples.append(send(conn, target, request))
    samples.append(send(conn, target, requests[-1]))
    return samples


# -- open loop -------------------------------------------------------------------------------
class Schedule:
    """The send times one process owns. Global slot k is due at start + k/rate and belongs to process
    k mod processes, so all processes together offer exactly `rate` requests per second."""

    def __init__(self, plan: Plan, index: int, start_at: float) -> None:
        self._slots = itertools.count(index, plan.processes)
        self._lock = threading.Lock()
        self.start_at = start_at
        self.rate = plan.rate
        self.stop_at = start_at + plan.total

    def next_due(self) -> float | None:
        """The next free send time, or None when the schedule is over."""
        with self._lock:
            slot = next(self._slots)
        due = self.start_at + slot / self.rate
        return due if due < self.stop_at else None


def open_loop_process(plan: Plan, index: int, start_at: float) -> list[Sample]:
    """One open-loop process: `plan.threads` senders sharing this process's part of the schedule."""
    schedule = Schedule(plan, index, start_at)
    outputs: list[list[Sample]] = [[] for _ in range(plan.threads)]
    threads = [
        threading.Thread(target=open_loop_sender, args=(plan, schedule, out, index * 1000 + n), daemon=True)
        for n, out in enumerate(outputs)
    ]
    for thread in threads:
        thread.start()
    deadline = schedule.stop_at + 2 * plan.timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return [sample for out in outputs for sample in out]


def open_loop_sender(plan: Plan, schedule: Schedule, out: list[Sample], seed: int) -> None:
    """Take the next due slot, wait for its time, send the next step of this sender's current call."""
    target, conn, rng = make_target(plan), Connection(plan.port, plan.timeout), random.Random(seed)
    pending: list[Request] = []  # the rest of the current call (made only when a slot needs it)
    try:
        while (due := schedule.next_due()) is not None:
            pending = pending or target.call_requests(rng)
            time.sleep(max(0.0, due - time.monotonic()))
            out.append(send(conn, target, pending.pop(0), due))
        if pending:  # a call in progress: hang it up (not measured)
            send(conn, target, pending[-1])
    finally:
        conn.close()


# -- running load processes ------------------------------------------------------------------
Worker = Callable[[Plan, int, float], list[Sample]]
PidGroups = dict[str, Callable[[], list[int]]]


def run_load(worker: Worker, plan: Plan, cpu_groups: PidGroups) -> LoadRun:
    """Run `worker` in `plan.processes` fresh processes from a common start time; collect the samples
    and the CPU each process group (plus the load generator itself, "client") used in the measured window."""
    ctx = mp.get_context("spawn")
    ready, go, start = ctx.Barrier(plan.processes + 1), ctx.Event(), ctx.Value("d", 0.0)
    results: Any = ctx.Queue()
    procs = [
        ctx.Process(target=_load_process, args=(worker, plan, i, ready, go, start, results), daemon=True)
        for i in range(plan.processes)
    ]
    for proc in procs:
        proc.start()
    try:
        ready.wait(timeout=STARTUP_TIMEOUT)
        start_at = time.monotonic() + START_DELAY
        start.value = start_at
        go.set()
        window = (start_at + plan.warmup, start_at + plan.total)
        groups = {**cpu_groups, "client": lambda: [proc.pid for proc in procs if proc.pid]}
        cpu = measure_cpu(groups, *window)
        outcomes = [results.get(timeout=2 * plan.timeout + 60) for _ in procs]
    except BaseException:  # interrupted or failed: stop the load at once, then let the error through
        _stop(procs, grace=0.0)
        raise
    _stop(procs, grace=10.0)
    failures = [outcome for outcome in outcomes if isinstance(outcome, str)]
    if failures:
        raise RuntimeError(f"a load process failed:\n{failures[0]}")
    return LoadRun(plan, [sample for outcome in outcomes for sample in outcome], window, cpu)


def _load_process(worker: Worker, plan: Plan, index: int, ready: Any, go: Any, start: Any, results: Any) -> None:
    """Body of a load process: wait for the common start, run, hand back samples (or the traceback)."""
    try:
        ready.wait(timeout=STARTUP_TIMEOUT)
        go.wait(timeout=STARTUP_TIMEOUT)
        results.put(worker(plan, index, start.value))
    except Exception:  # noqa: BLE001 - reported to the runner, which fails the measurement
        results.put(traceback.format_exc())


def _stop(procs: list[Any], grace: float) -> None:
    """Wait up to `grace` seconds for the load processes to exit; terminate (by pid) any still running."""
    deadline = time.monotonic() + grace
    for proc in procs:
        proc.join(timeout=max(0.0, deadline - time.monotonic()))
    for proc in procs:
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=5)


def measure_cpu(groups: PidGroups, window_start: float, window_end: float) -> dict[str, float]:
    """Sleep through the window; average cores each group of processes kept busy in it, plus the whole
    machine ("machine") and the rest of it ("others": anything else running here, i.e. noise)."""
    time.sleep(max(0.0, window_start - time.monotonic()))
    before = {name: cpu_seconds(pids()) for name, pids in groups.items()}
    machine_before = machine_busy_seconds()
    time.sleep(max(0.0, window_end - time.monotonic()))
    after = {name: cpu_seconds(pids()) for name, pids in groups.items()}
    machine = machine_busy_seconds() - machine_before
    seconds = window_end - window_start
    used = {name: cpu_delta(before[name], after[name]) / seconds for name in groups}
    used["others"] = max(0.0, machine / seconds - sum(used.values()))
    used["machine"] = machine / seconds
    return {name: round(cores, 2) for name, cores in used.items()}

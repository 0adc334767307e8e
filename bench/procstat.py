"""CPU time of processes, read from Linux's /proc (the machine is shared, so the runner shows who used it)."""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name, or None when the process is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return raw.rsplit(")", 1)[1].split()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds used so far by each live process in `pids`."""
    used = {}
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return used


def _all_pids() -> list[int]:
    return [int(entry.name) for entry in PROC.iterdir() if entry.name.isdigit()]


def child_pids(parent: int) -> list[int]:
    """Direct children of `parent` (gunicorn's workers, for its master)."""
    children = []
    for pid in _all_pids():
        fields = _stat_fields(pid)
        if fields is not None and int(fields[1]) == parent:
            children.append(pid)
    return children


def pids_with_cmdline(word: str) -> list[int]:
    """Processes whose command line contains `word` as a separate word (PostgreSQL backends show their
    database name there: "postgres: 15/main: postgres hotline_bench 127.0.0.1(51234) idle")."""
    found = []
    for pid in _all_pids():
        try:
            cmdline = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if word in cmdline.split():
            found.append(pid)
    return found


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots (a process that appeared in between counts from zero)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (from the first line of /proc/stat)."""
    fields = [int(value) for value in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS  # user … steal; guest time is already in user

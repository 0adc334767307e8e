"""`flask sandbox call`: a scripted call from the command line, in real time."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext


def parse_script(keys: str) -> list[tuple[float, str]]:
    """'2,1' → press 2 at the first chance, then 1; '3:2,8:1' → press 2 at 3 s and 1 at 8 s."""
    steps: list[tuple[float, str]] = []
    for i, part in enumerate(p.strip() for p in keys.split(",") if p.strip()):
        if ":" in part:
            at, key = part.split(":", 1)
            steps.append((float(at), key))
        else:
            steps.append((-1.0 - i, part))  # negative: "whenever the IVR next listens"
    return steps


@click.group("sandbox")
def sandbox_cli() -> None:
    """Dial the hotline in the local telephony sandbox."""


@sandbox_cli.command("call")
@click.option("--keys", default="", help="Keys to press, e.g. '2,1' (each when the IVR listens) or '3:2,8:1' (at s).")
@click.option("--hangup-after", type=float, default=30.0, show_default=True, help="Seconds before hanging up.")
@click.option("--from", "from_", default="0912345678", show_default=True, help="Caller number as the carrier sends it.")
@click.option("--to", default=None, help="Dialled number (default: the first hotline number).")
@with_appcontext
def call(keys: str, hangup_after: float, from_: str, to: str | None) -> None:
    """Place a call, press keys, hang up after a while, and print what the caller heard."""
    switch = current_app.extensions.get("sandbox")
    if switch is None:
        raise click.ClickException("The sandbox is disabled in this configuration.")
    steps = parse_script(keys)
    placed = switch.dial(from_, to or current_app.config["HOTLINE_NUMBERS"][0])
    start = time.monotonic()
    shown = 0
    while True:
        elapsed = time.monotonic() - start
        current = switch.get(placed.call_sid)
        if steps and not current.ended:
            at, key = steps[0]
            if (at >= 0 and elapsed >= at) or (at < 0 and current.gather is not None):
                switch.press(placed.call_sid, key)
                steps.pop(0)
        if elapsed >= hangup_after and not current.ended:
            switch.hang_up(placed.call_sid)
        for line in current.heard[shown:]:
            click.echo(f"{line.at:6.1f}s  {line.kind:5}  {line.text}" + (f"  [{line.url}]" if line.url else ""))
        shown = len(current.heard)
        if current.ended:
            break
        time.sleep(0.2)
    click.echo(f"CallSid: {placed.call_sid}")

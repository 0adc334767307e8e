"""A sandbox leg meeting other parties: the queue (<Enqueue>, <Leave>, the REST API taking a caller
out, an agent's <Dial><Queue>) and the second leg a <Dial> rings, bridged once it answers.

`QueueAndDial` is mixed into `SandboxCall` (call.py), whose state and helpers (`queue`, `dial`,
`_note`, `fetch`, `post_only`, `run`, `_end`, ...) its methods use.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from .state import (
    CANCELED,
    COMPLETED,
    OUTBOUND_DIAL,
    RINGING,
    AgentBridge,
    DialState,
    QueueState,
    queue_sid,
)
from .verbs import positive

DEFAULT_DIAL_TIMEOUT = 30  # seconds a <Dial> rings


def dial_target(verb: ET.Element) -> tuple[str, str | None] | None:
    """The device a <Dial> rings and its noun's `url`: ("client:<identity>" or the number, url), or None.

    Only the first <Client> or <Number> noun is simulated; a bare number as the <Dial>'s text counts.
    """
    nouns = list(verb)
    if not nouns:
        number = (verb.text or "").strip()
        return (number, None) if number else None
    noun = nouns[0]
    if noun.tag == "Client":
        identity = noun.find("Identity")  # the newer form: <Client><Identity>alice</Identity>…</Client>
        name = ((identity.text if identity is not None else noun.text) or "").strip()
        return (f"client:{name}", noun.get("url") or None) if name else None
    if noun.tag == "Number":
        number = (noun.text or "").strip()
        return (number, noun.get("url") or None) if number else None
    return None


class QueueAndDial:
    """How a leg waits in a queue, is taken out of it, and dials (and is bridged with) a second leg."""

    # provided by SandboxCall
    switch: Any
    verbs: deque[ET.Element]

    def _take_out_of_queue(self, now: datetime, note: str) -> Any:
        """Leave the queue (up to date with the clock first); the queue left, or None if not in one."""
        q = self.queue
        if q is None or self.ended:
            return None
        self.run(now)
        self.switch.leave(self)
        self.queue, self.gather, self.gather_rest = None, None, None
        self._note(now, "queue", note)
        return q

    def redirect_from_queue(self, now: datetime, url: str) -> None:
        """REST "update a queue member": leave the queue (the <Enqueue> action hears of it), then run `url`."""
        q = self._take_out_of_queue(now, "Taken out of the queue")
        if q is None:
            return
        self.post_only(
            q.action,
            {
                "QueueResult": "redirected",
                "QueueSid": queue_sid(q.name),
                "QueueTime": str(int((now - q.entered_at).total_seconds())),
            },
        )
        self.verbs.clear()
        self.busy_until = now
        self.fetch(now, url)
        self.run(now)

    def bridge_to_agent(self, now: datetime, agent_sid: str) -> None:
        """An agent's <Dial><Queue url=…> takes this caller from the front of the queue."""
        q = self._take_out_of_queue(now, "An agent took the call")
        if q is None:
            return
        self.bridge = AgentBridge(q, now, agent_sid)
        self.verbs.clear()
        self.busy_until = now
        if self.switch.settings.connect_url:
            self.fetch(
                now,
                self.switch.settings.connect_url,
                {
                    "QueueSid": queue_sid(q.name),
                    "QueueTime": str(int((now - q.entered_at).total_seconds())),
                    "DequeingCallSid": agent_sid,
                },
            )
        self.run(now)

    def agent_hangs_up(self, now: datetime) -> None:
        """The agent ends the conversation: the caller continues with the <Enqueue> action's TwiML."""
        if self.bridge is None or self.ended:
            return
        self.run(now)
        bridge, self.bridge = self.bridge, None
        self._note(now, "info", "The agent hung up")
        self.busy_until = now
        self.fetch(now, bridge.queue.action, self._bridged_params(bridge))
        self.run(now)

    def _bridged_params(self, bridge: AgentBridge) -> dict[str, str]:
        waited = int((bridge.at - bridge.queue.entered_at).total_seconds())
        return {"QueueResult": "bridged", "QueueSid": queue_sid(bridge.queue.name), "QueueTime": str(waited)}

    # -- <Enqueue>, <Leave> -----------------------------------------------------------------------
    def _enqueue(self, now: datetime, verb: ET.Element) -> None:
        name = (verb.text or "").strip()
        action = self.resolve(verb.get("action") or self.url)
        max_size = int(verb.get("maxQueueSize") or 1000)
        wait_url = verb.get("waitUrl")
        q = QueueState(name, action, self.resolve(wait_url) if wait_url else "", now, max_size)
        if self.switch.size(name) >= max_size:
            self._note(now, "queue", f"Queue {name} is full")
            self.fetch(now, action, {"QueueResult": "queue-full", "QueueSid": queue_sid(name)})
            return
        self.queue = q
        self.switch.join(self)
        self._note(now, "queue", f"Waiting in queue {name}")
        self.verbs = deque()

    def _fetch_wait(self, now: datetime) -> None:
        q = self.queue
        assert q is not None
        if not q.wait_url:
            self.busy_until = now + timedelta(seconds=self.switch.settings.play_seconds)
            return
        waits = self.switch.waits(q.name, now)
        params = {
            "QueueSid": queue_sid(q.name),
            "QueuePosition": str(self.switch.position(self)),
            "QueueTime": str(int((now - q.entered_at).total_seconds())),
            "AvgQueueTime": str(int(sum(waits) / len(waits)) if waits else 0),
            "CurrentQueueSize": str(self.switch.size(q.name)),
            "MaxQueueSize": str(q.max_size),
        }
        self.fetch(now, q.wait_url, params)
        if not self.verbs and not self.ended:
            self.busy_until = now + timedelta(seconds=1)  # an empty wait document: ask again shortly

    def _leave_queue(self, now: datetime, result: str, then_fetch: bool = True) -> None:
        q = self.queue
        if q is None:
            return
        self.switch.leave(self)
        self.queue = None
        extra = {
            "QueueResult": result,
            "QueueSid": queue_sid(q.name),
            "QueueTime": str(int((now - q.entered_at).total_seconds())),
        }
        if then_fetch:
            self.fetch(now, q.action, extra)
        else:
            self.post_only(q.action, extra)

    # -- <Dial> -------------------------------------------------------------------------------
    def _start_dial(self, now: datetime, verb: ET.Element) -> None:
        if len(verb) and verb[0].tag == "Conference":
            self.switch.conferences.join_from_twiml(self, now, verb, verb[0])
            return
        target = dial_target(verb)
        if target is None:
            self._note(now, "info", "<Dial> without a <Client> or <Number> is not simulated by the sandbox; skipped")
            return
        if len(verb) > 1:
            self._note(now, "info", "Only the first noun of a <Dial> is rung in the sandbox")
        to, url = target
        caller_id = (verb.get("callerId") or "").strip() or self.from_
        child = type(self)(self.switch, caller_id, to, now, direction=OUTBOUND_DIAL, parent=self)
        child.ring(now, positive(verb.get("timeout"), DEFAULT_DIAL_TIMEOUT), self.resolve(url) if url else None)
        self.switch.add(child)
        action = verb.get("action")
        self.dial = DialState(child, self.resolve(action) if action else None, now)
        self._note(now, "ring", f"Ringing {to}")

    def _connect(self, now: datetime) -> None:
        """A dialled leg, answered (and its whisper over), is bridged with the leg that dialled it."""
        self.awaiting_bridge = False
        parent = self.parent
        if parent is None or parent.ended or parent.dial is None or parent.dial.child is not self:
            self._end(now, status=COMPLETED)  # nobody left to talk to
            return
        self.bridged_with, parent.bridged_with = parent, self
        self._note(now, "connect", f"Connected with {parent.party_address}")
        parent._note(now, "connect", f"Connected with {self.party_address}")

    def _dial_over(self, now: datetime, dial: DialState, post_only: bool) -> None:
        """The dialled leg has ended: tell the <Dial> action (and run its answer unless this leg is gone)."""
        child = dial.child
        self.bridged_with, child.bridged_with = None, None
        extra = {
            "DialCallStatus": child.status,
            "DialCallSid": child.call_sid,
            "DialCallDuration": str(child.duration),
        }
        if post_only:
            if dial.action:
                self.post_only(dial.action, {**extra, "CallStatus": COMPLETED})
            return
        self._note(now, "info", f"The call to {child.to} is over ({child.status})")
        self.busy_until = now
        if dial.action:
            self.verbs.clear()
            self.fetch(now, dial.action, extra)
        # without an action the verbs after the <Dial> go on

    def _abandon_dial(self, now: datetime) -> None:
        """This leg hangs up during its <Dial>: the dialled leg is canceled (ringing) or completed."""
        if self.dial is None:
            return
        dial, self.dial = self.dial, None
        child = dial.child
        ringing = child.status == RINGING
        child._note(now, "end", "Missed call: the caller hung up" if ringing else "The other party hung up")
        child._end(now, status=CANCELED if ringing else COMPLETED)
        self._dial_over(now, dial, post_only=True)

"""The telephony gateway over the local sandbox: the same interface as Twilio's (callcenter.telephony)."""

from __future__ import annotations

from typing import Any

from callcenter.telephony.gateway import MemberGone, QueueMember, RemoteCall
from sandbox.engine import MemberNotFound, queue_sid


class SandboxGateway:
    """The gateway over the local telephony sandbox."""

    def __init__(self, switch: Any) -> None:
        self.switch = switch

    def available(self) -> bool:
        """The sandbox is in this process: always there."""
        return True

    def dequeue(self, queue_sid: str, call_sid: str, url: str) -> None:
        """The sandbox's queue-member update: the caller leaves the queue and runs `url`."""
        try:
            self.switch.redirect_member(queue_sid, call_sid, url)
        except MemberNotFound as exc:
            raise MemberGone(str(exc)) from exc

    def create_call(self, to: str, from_: str, url: str, status_callback: str, timeout: int) -> str:
        """An outbound sandbox call (to an agent's softphone, or a sandbox phone)."""
        return str(self.switch.create_call(to, from_, url, status_callback, timeout).call_sid)

    def queue_members(self, queue_names: list[str]) -> list[QueueMember] | None:
        """The sandbox's queues."""
        now = self.switch.clock.now()
        return [
            QueueMember(
                queue_sid(name), name, call.call_sid, index + 1, int((now - call.queue.entered_at).total_seconds())
            )
            for name in queue_names
            for index, call in enumerate(self.switch.waiting(name))
            if call.queue is not None
        ]

    def fetch_call(self, call_sid: str) -> RemoteCall | None:
        """The sandbox call's state, or None when the sandbox never had it (e.g. after a restart)."""
        call = self.switch.get(call_sid)
        if call is None:
            return None
        if not call.ended:
            return RemoteCall(status=str(call.status), from_=call.from_, to=call.to)
        return RemoteCall(
            status=str(call.status), duration=call.duration, ended_at=call.ended_at, from_=call.from_, to=call.to
        )

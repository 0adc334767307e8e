"""Words for the codes (issue 14): every outcome, state, event, problem group, role, status and audit action
the records hold has one human label here, in English inside `lazy_gettext` and translated by the
catalogs. The codes stay in the JSON API and the CSV files; pages show these labels (templates through
`label()`, the page scripts through the same table served in the page's i18n block, see
callcenter/web/i18n.py and `window.label` in callcenter/web/static/i18n.js).

`tests/test_labels.py` fails when a member of one of the models' vocabularies has no label here.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

VOCABULARIES: dict[str, dict[str, Any]] = {
    "role": {
        "agent": _l("agent"),
        "supervisor": _l("supervisor"),
        "investigator": _l("investigator"),
        "admin": _l("admin"),
    },
    "agent_state": {
        "offline": _l("Offline"),
        "available": _l("Available"),
        "ringing": _l("Ringing"),
        "on_call": _l("On a call"),
        "wrap_up": _l("Wrap-up"),
        "break": _l("Break"),
    },
    "break_reason": {
        "lunch": _l("lunch"),
        "rest": _l("rest"),
        "meeting": _l("meeting"),
        "training": _l("training"),
        "technical": _l("technical problem"),
        "missed": _l("missed a call"),
        "other": _l("other"),
    },
    "agent_event": {
        "AGENTLOGIN": _l("logged in"),
        "AGENTLOGOFF": _l("logged off"),
        "PAUSE": _l("went on a break"),
        "UNPAUSE": _l("came back from a break"),
        "RINGING": _l("was offered a call"),
        "RINGNOANSWER": _l("did not answer"),
        "RINGCANCELED": _l("offer withdrawn"),
        "RINGDECLINED": _l("declined the call"),
        "CONNECT": _l("answered"),
        "WRAPUP": _l("started wrap-up"),
        "READY": _l("finished wrap-up"),
        "WRAPUPEXTEND": _l("asked for more wrap-up time"),
    },
    "ticket_outcome": {
        "abandoned_ivr": _l("hung up in the menu"),
        "abandoned_queue": _l("hung up while waiting"),
        "queue_full": _l("queue full"),
        "call_failed": _l("call failed"),
        "resolved": _l("resolved"),
        "escalated": _l("escalated"),
        "follow_up": _l("follow-up"),
        "callback_promised": _l("callback promised"),
        "wrong_number": _l("wrong number"),
        "abusive": _l("abusive"),
        "voicemail": _l("voicemail"),
        "callback_pending": _l("callback pending"),
        "callback_failed": _l("callback failed"),
    },
    "ticket_status": {"open": _l("open"), "closed": _l("closed")},
    "call_outcome": {
        "ivr_abandoned": _l("hung up in the menu"),
        "queue_abandoned": _l("hung up while waiting"),
        "answered": _l("answered"),
        "queue_full": _l("queue full"),
        "failed": _l("call failed"),
        "callback_requested": _l("asked for a callback"),
        "voicemail": _l("left a voicemail"),
    },
    "call_stage": {
        "ivr": _l("in the menu"),
        "queued": _l("waiting in the queue"),
        "connected": _l("talking to an agent"),
        "ending": _l("ending"),
        "ended": _l("ended"),
    },
    "event": {
        "IVR_ENTER": _l("Called the hotline"),
        "LANGUAGE": _l("Chose the language"),
        "ANNOUNCEMENT_PLAYED": _l("Heard the announcement"),
        "ANNOUNCEMENT_SKIPPED": _l("Announcement skipped"),
        "MENU_INVALID": _l("Pressed a key the menu does not know"),
        "MENU_TIMEOUT": _l("Pressed no key in time"),
        "BRANCH_CHOSEN": _l("Chose a branch"),
        "GROUP_CHOSEN": _l("Chose a problem group"),
        "DEFAULT_ROUTE": _l("Sent to the default queue"),
        "ENTERQUEUE": _l("Joined the queue"),
        "POSITION": _l("Heard the place in the queue"),
        "ABANDON": _l("Hung up while waiting"),
        "CONNECT": _l("Connected to an agent"),
        "EXITQUEUE": _l("Left the queue"),
        "EXITFULL": _l("Queue full: told to call back"),
        "IVR_ABANDON": _l("Hung up in the menu"),
        "STATUS": _l("Call status from the telephone network"),
        "HANGUP": _l("Call ended"),
        "WEBHOOK_ERROR": _l("A step failed: the caller was kept on a safe path"),
        "QUEUE_OPTION": _l("Pressed a key while waiting"),
        "CALLBACK_REQUESTED": _l("Asked for a callback"),
        "CALLBACK_OFFERED": _l("Callback offered to an agent"),
        "CALLBACK_RETURNED": _l("Callback back in line"),
        "CALLBACK_ATTEMPT": _l("Callback attempt"),
        "CALLBACK_COMPLETED": _l("Callback completed"),
        "CALLBACK_FAILED": _l("Callback failed"),
        "VOICEMAIL": _l("Left a voicemail"),
        "RECONCILED": _l("Record repaired from the telephone network"),
        "LEG": _l("Conference leg"),
        "HOLD": _l("Put on hold"),
        "RESUME": _l("Taken off hold"),
        "TRANSFER": _l("Transferred"),
        "MONITOR": _l("Supervisor monitoring"),
        "MAIL_RECEIVED": _l("E-mail received"),
        "MAIL_ACKNOWLEDGED": _l("Acknowledgement queued"),
        "MAIL_NOT_ACKNOWLEDGED": _l("No acknowledgement sent"),
        "MAIL_OFFERED": _l("E-mail given to an agent"),
        "MAIL_RETURNED": _l("E-mail back in the backlog"),
        "MAIL_REPLIED": _l("Answer queued"),
        "MAIL_SENT": _l("E-mail sent"),
        "MAIL_SEND_FAILED": _l("Sending failed"),
        "MAIL_STATE": _l("E-mail status changed"),
        "RECLASSIFIED": _l("Moved to another branch"),
    },
    "channel": {"call": _l("call"), "email": _l("e-mail")},
    "ack_skip": {  # why a mail got no acknowledgement (callcenter/mail/ack.py AckSkip)
        "no_sender": _l("no sender address"),
        "auto_submitted": _l("an automatic reply (Auto-Submitted)"),
        "auto_reply_header": _l("an automatic reply (out-of-office header)"),
        "precedence": _l("bulk or list mail (Precedence)"),
        "mailing_list": _l("a mailing list"),
        "bounce": _l("a delivery failure notice"),
        "robot_sender": _l("sent by a robot (mailer-daemon, no-reply)"),
        "own_address": _l("from our own address"),
        "spoofed_sender": _l("forged sender: claims our address"),
        "rate_limited": _l("too many acknowledgements to this sender this hour"),
        "follow_up": _l("a further mail on an acknowledged ticket"),
    },
    "mail_state": {
        "new": _l("waiting for an agent"),
        "assigned": _l("on an agent's desk"),
        "waiting": _l("waiting for the customer"),
        "answered": _l("answered"),
        "escalated": _l("escalated to central support"),
        "closed": _l("closed"),
    },
    "problem_group": {
        "accounts": _l("Accounts, passwords, digital signatures"),
        "incidents": _l("IT system incidents"),
        "single_window": _l("National / ASEAN Single Window"),
        "other": _l("Other questions"),
    },
    "skill": {
        "branch_1": _l("Branch 1: denunciations"),
        "branch_2": _l("Branch 2: e-customs support"),
        "accounts": _l("Accounts, passwords, digital signatures"),
        "incidents": _l("IT system incidents"),
        "single_window": _l("National / ASEAN Single Window"),
        "other": _l("Other questions"),
        "vi": _l("Vietnamese"),
        "en": _l("English"),
    },
    "branch": {
        "1": _l("1 — denunciations (confidential)"),
        "2": _l("2 — e-customs support"),
    },
    "language": {"vi": _l("Vietnamese"), "en": _l("English")},
    "shift_kind": {"regular": _l("regular shift"), "overtime": _l("overtime"), "swap": _l("swapped shift")},
    "absence_reason": {"leave": _l("leave"), "sick": _l("sick"), "training": _l("training"), "other": _l("other")},
    "callback_status": {
        "pending": _l("waiting"),
        "offered": _l("offered to an agent"),
        "dialing": _l("calling the caller"),
        "completed": _l("completed"),
        "failed": _l("failed"),
        "canceled": _l("canceled"),
    },
    "audit_action": {
        "view_caller": _l("viewed a confidential caller"),
        "monitor_listen": _l("listened to a call"),
        "monitor_whisper": _l("whispered to an agent"),
        "monitor_barge": _l("joined a call"),
        "monitor_stop": _l("stopped monitoring"),
        "mail_rule_added": _l("added a mail rule"),
        "mail_rule_changed": _l("changed a mail rule"),
        "mail_rule_deleted": _l("deleted a mail rule"),
    },
    # The telephone network's words for a call or a callback attempt (Twilio's CallStatus, DialCallStatus).
    "call_status": {
        "queued": _l("queued"),
        "initiated": _l("dialling"),
        "dialing": _l("dialling"),
        "ringing": _l("ringing"),
        "in-progress": _l("in progress"),
        "answered": _l("answered"),
        "completed": _l("completed"),
        "busy": _l("busy"),
        "failed": _l("failed"),
        "no-answer": _l("no answer"),
        "canceled": _l("canceled"),
    },
    # How a caller left the queue (Twilio's QueueResult).
    "queue_result": {
        "bridged": _l("connected to an agent"),
        "bridging-in-process": _l("being connected"),
        "hangup": _l("hung up"),
        "leave": _l("left the queue"),
        "redirected": _l("moved on"),
        "error": _l("error"),
        "system-error": _l("system error"),
        "queue-full": _l("queue full"),
    },
    "queue_option": {"callback": _l("callback"), "voicemail": _l("voicemail")},
    "transfer_to": {
        "queue": _l("back to the queue"),
        "agent": _l("a colleague"),
        "central": _l("central support"),
    },
    "transfer_stage": {
        "cold": _l("transfer"),
        "consult": _l("consultation"),
        "ringing": _l("ringing"),
        "talking": _l("talking"),
        "conference": _l("all three together"),
        "handover": _l("handed over"),
        "cancelled": _l("cancelled"),
    },
    "sl_formula": {
        "cisco_against": _l("answered in T / offered (default)"),
        "cisco_ignore": _l("answered in T / (offered − abandoned in T)"),
        "cisco_favour": _l("(answered + abandoned in T) / offered"),
        "asterisk": _l("answered in T / answered"),
    },
    "monitor_mode": {
        "listen": _l("listening"),
        "whisper": _l("whispering"),
        "barge": _l("barged in"),
        "stop": _l("stopped"),
    },
}


def queue_labels() -> dict[str, Any]:
    """The queues by their configured names (QUEUE_NAME_BRANCH_1/2)."""
    if not has_app_context():
        return {}
    config = current_app.config
    return {
        config.get("QUEUE_NAME_BRANCH_1", "hotline-branch-1"): _l("branch 1 queue"),
        config.get("QUEUE_NAME_BRANCH_2", "hotline-branch-2"): _l("branch 2 queue"),
    }


def label(vocabulary: str, code: Any) -> str:
    """The code in words, in the current language; an unknown code is shown as it is (a test keeps the
    models' vocabularies complete, so that only happens with data older than its label)."""
    if code is None or code == "":
        return ""
    words = queue_labels() if vocabulary == "queue" else VOCABULARIES.get(vocabulary, {})
    found = words.get(str(code))
    return str(found) if found is not None else str(code)


def labels_in_language() -> dict[str, dict[str, str]]:
    """Every vocabulary translated for this request (the pages' scripts get it as JSON)."""
    every = {**VOCABULARIES, "queue": queue_labels()}
    return {name: {code: str(text) for code, text in words.items()} for name, words in every.items()}

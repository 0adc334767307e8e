"""Twilio webhooks for the caller's path: greeting → announcement → menus → queue → the end.

Views are thin: read the form, tell the call service what happened, return a pure TwiML builder's
output. URLs are absolute, built from PUBLIC_BASE_URL, so that what Twilio signs is what we check.
"""

from __future__ import annotations

from flask import current_app, request
from twilio.twiml.voice_response import VoiceResponse

from callcenter.agents.service import anyone_working
from callcenter.announcements.service import AnnouncementService
from callcenter.common.inputs import bounded_int
from callcenter.common.public_links import answers_url
from callcenter.queue.callbacks import CallbackPolicy
from callcenter.queue.dispatch import competing_branches
from callcenter.queue.kick import kick_dispatch
from models import EventKind

from . import twiml
from .menu import ENGLISH_KEY, MAIN_KEYS, ProblemGroup, Step, decide_branch, decide_group, parse_attempt
from .prompts import Speech, spoken_address
from .routes import bp, fallback_branch, fallback_empty, gather_timeout, hook_url, queue_name
from .voicemail import record_voicemail
from .webhook import Webhook, twilio_webhook


# -- helpers ------------------------------------------------------------------------------
def _max_attempts() -> int:
    return int(current_app.config["MENU_MAX_ATTEMPTS"])


def main_menu(hook: Webhook, attempt: int, prefix: list[Speech] | None = None) -> VoiceResponse:
    """Ask for the branch (1 or 2)."""
    action = hook_url("ivr.menu_choice", attempt=attempt, lang=hook.language)
    return twiml.gather_prompt(
        [*(prefix or []), hook.speech("main_menu")], hook.voices, action, action, gather_timeout()
    )


def group_menu(hook: Webhook, attempt: int, prefix: list[Speech] | None = None) -> VoiceResponse:
    """Ask a branch-2 caller for the problem group (1–4)."""
    action = hook_url("ivr.group_choice", attempt=attempt, lang=hook.language)
    return twiml.gather_prompt(
        [*(prefix or []), hook.speech("group_menu")], hook.voices, action, action, gather_timeout()
    )


def announcement_or_menu(hook: Webhook) -> VoiceResponse:
    """Play the incident announcement in force (skippable with any key), else go to the menu."""
    assert hook.call is not None
    announcement = AnnouncementService(hook.calls.session, hook.calls.clock).active()
    if announcement is None:
        return main_menu(hook, 1)
    english = hook.language == "en" and (announcement.text_en or announcement.audio_url_en)
    body = Speech(
        text=(announcement.text_en if english else announcement.text_vi) or "",
        language="en" if english else "vi",
        audio_url=announcement.audio_url_en if english else announcement.audio_url_vi,
    )
    hook.calls.add_event(
        hook.call,
        EventKind.ANNOUNCEMENT_PLAYED,
        dedupe_key=f"announcement-{announcement.id}",
        announcement_id=announcement.id,
    )
    speeches = [hook.speech("announcement_intro"), body, hook.speech("announcement_skip")]
    skip = hook_url("ivr.announcement_skip", lang=hook.language)
    return twiml.gather_prompt(speeches, hook.voices, skip, hook_url("ivr.menu", lang=hook.language), gather_timeout())


def enqueue_caller(
    hook: Webhook, branch: int, speeches: list[Speech], max_size: int | None = None, **exit_params: object
) -> VoiceResponse:
    """Speak, then put the caller into `branch`'s queue with our wait loop and <Enqueue> action."""
    return twiml.enqueue(
        speeches,
        hook.voices,
        queue_name(branch),
        hook_url("ivr.queue_exit", branch=branch, lang=hook.language, **exit_params),
        hook_url("ivr.queue_wait", branch=branch, lang=hook.language),
        max_size,
    )


def route_to_queue(hook: Webhook, branch: int, prefix: list[Speech] | None = None) -> VoiceResponse:
    """Record the queue entry and return the <Enqueue> for `branch`."""
    assert hook.call is not None
    hook.calls.enter_queue(hook.call, queue_name(branch))
    speeches = [*(prefix or []), hook.speech(f"queue_intro_{branch}")]
    return enqueue_caller(hook, branch, speeches, current_app.config["QUEUE_MAX_SIZE"])


def choose_branch(hook: Webhook, branch: int) -> VoiceResponse:
    """Branch 1 goes straight to its queue; branch 2 is asked for the problem group."""
    assert hook.call is not None
    hook.calls.choose_branch(hook.call, branch)
    return route_to_queue(hook, 1) if branch == 1 else group_menu(hook, 1)


# -- fallbacks (no database; used when a view fails) ---------------------------------------
def _fallback_enqueue(hook: Webhook, branch: int) -> VoiceResponse:
    return enqueue_caller(hook, branch, [hook.speech("technical_error")])


def fallback_to_default_queue(hook: Webhook) -> VoiceResponse:
    """Any failure before a branch is known: the default queue."""
    return _fallback_enqueue(hook, fallback_branch())


def fallback_from_main_menu(hook: Webhook) -> VoiceResponse:
    """A failure while reading the main menu key: honour a pressed 1, else the default queue."""
    digits = (hook.form.get("Digits") or "")[:1]
    return _fallback_enqueue(hook, MAIN_KEYS.get(digits, fallback_branch()))


def fallback_to_branch_2(hook: Webhook) -> VoiceResponse:
    """A failure in the branch-2 group menu: branch 2's queue."""
    return _fallback_enqueue(hook, 2)


def fallback_hold_music(hook: Webhook) -> VoiceResponse:
    """A failure in the wait loop: keep the caller waiting with music."""
    return twiml.queue_wait([], hook.voices, current_app.config["HOLD_MUSIC_URL"])


def fallback_queue_exit(hook: Webhook) -> VoiceResponse:
    """A failure after leaving a queue: a caller still on the line goes back to their branch's queue."""
    if hook.form.get("QueueResult") in ("hangup", "redirected"):
        return twiml.empty()
    return _fallback_enqueue(hook, 1 if request.args.get("branch") == "1" else 2)


# -- webhooks -----------------------------------------------------------------------------
@bp.post("/incoming")
@twilio_webhook(fallback_to_default_queue)
def incoming(hook: Webhook) -> VoiceResponse:
    """Voice URL: greet in Vietnamese and offer English."""
    speeches = [hook.speech("greeting"), hook.catalog.speech(hook.calls.session, "language_offer", "en")]
    action = hook_url("ivr.language")
    timeout = int(current_app.config["GREETING_TIMEOUT_SECONDS"])
    return twiml.gather_prompt(speeches, hook.voices, action, hook_url("ivr.announcement"), timeout)


@bp.post("/language")
@twilio_webhook(fallback_from_main_menu)
def language(hook: Webhook) -> VoiceResponse:
    """Key during the greeting: 9 → English; 1 or 2 → that branch at once; anything else → on."""
    assert hook.call is not None
    digits = (hook.form.get("Digits") or "").strip()[:1]
    if digits == ENGLISH_KEY:
        hook.calls.set_language(hook.call, "en")
    elif digits in MAIN_KEYS:
        return choose_branch(hook, MAIN_KEYS[digits])
    return announcement_or_menu(hook)


@bp.post("/announcement")
@twilio_webhook(fallback_to_default_queue)
def announcement(hook: Webhook) -> VoiceResponse:
    """After the greeting with no key: the announcement in force, or the menu."""
    return announcement_or_menu(hook)


@bp.post("/announcement/skip")
@twilio_webhook(fallback_to_default_queue)
def announcement_skip(hook: Webhook) -> VoiceResponse:
    """The caller pressed a key during the announcement: straight to the menu."""
    assert hook.call is not None
    hook.calls.add_event(hook.call, EventKind.ANNOUNCEMENT_SKIPPED, dedupe_key="announcement-skipped")
    return main_menu(hook, 1)


@bp.post("/menu")
@twilio_webhook(fallback_to_default_queue)
def menu(hook: Webhook) -> VoiceResponse:
    """The main menu prompt."""
    return main_menu(hook, parse_attempt(request.args.get("attempt")))


@bp.post("/menu/choice")
@twilio_webhook(fallback_from_main_menu)
def menu_choice(hook: Webhook) -> VoiceResponse:
    """Read the branch key; retry on a wrong key or silence, then route by default."""
    assert hook.call is not None
    attempt = parse_attempt(request.args.get("attempt"))
    digits = hook.form.get("Digits")
    decision = decide_branch(digits, attempt, _max_attempts())
    if decision.step is Step.ROUTE:
        return choose_branch(hook, int(decision.value))  # type: ignore[arg-type]
    assert decision.reason is not None
    hook.calls.note_menu_problem(hook.call, "main", decision.reason, digits, attempt)
    problem = hook.speech("no_input" if decision.reason == "timeout" else "invalid_choice")
    if decision.step is Step.RETRY:
        return main_menu(hook, attempt + 1, [problem])
    branch = fallback_branch()
    hook.calls.choose_branch(hook.call, branch, by_default=True)
    if branch == 2:
        hook.calls.choose_group(hook.call, ProblemGroup.OTHER, by_default=True)
    return route_to_queue(hook, branch, [problem, hook.speech("default_route")])


@bp.post("/group")
@twilio_webhook(fallback_to_branch_2)
def group_choice(hook: Webhook) -> VoiceResponse:
    """Read the branch-2 problem group; retry, then route to "other"."""
    assert hook.call is not None
    attempt = parse_attempt(request.args.get("attempt"))
    digits = hook.form.get("Digits")
    decision = decide_group(digits, attempt, _max_attempts())
    if decision.step is Step.RETRY:
        assert decision.reason is not None
        hook.calls.note_menu_problem(hook.call, "group", decision.reason, digits, attempt)
        problem = hook.speech("no_input" if decision.reason == "timeout" else "invalid_choice")
        return group_menu(hook, attempt + 1, [problem])
    prefix: list[Speech] = []
    if decision.step is Step.FALLBACK:
        assert decision.reason is not None
        hook.calls.note_menu_problem(hook.call, "group", decision.reason, digits, attempt)
        prefix = [hook.speech("default_route")]
    if hook.call.branch is None:
        hook.calls.choose_branch(hook.call, 2)
    hook.calls.choose_group(hook.call, str(decision.value), by_default=decision.step is Step.FALLBACK)
    return route_to_queue(hook, 2, prefix)


@bp.post("/queue/wait")
@twilio_webhook(fallback_hold_music)
def queue_wait(hook: Webhook) -> VoiceResponse:
    """Wait loop: position and estimated wait at the configured interval, hold music between."""
    assert hook.call is not None
    call = hook.call
    if call.branch is None:  # reached a queue through a fallback: learn the branch from the URL
        hook.calls.choose_branch(call, 1 if request.args.get("branch") == "1" else 2, by_default=True)
    if call.queue_entered_at is None and call.branch is not None:
        hook.calls.enter_queue(call, queue_name(call.branch))
    # Our order, not Twilio's: a caller sent back after a ring-no-answer rejoins Twilio's queue at the
    # back but keeps their place with us (the dispatcher serves by first entry). Twilio's position is
    # the fallback for a call we could not place.
    twilio_position = bounded_int(hook.form.get("QueuePosition"))
    hook.calls.note_position(call, twilio_position, bounded_int(hook.form.get("QueueTime")))
    if hook.calls.note_queue_sid(call, hook.form.get("QueueSid")):
        hook.after_commit.append(kick_dispatch)  # now the caller can be dequeued: try at once
    speeches: list[Speech] = []
    due = hook.calls.announcement_due(call, current_app.config["QUEUE_ANNOUNCE_INTERVAL_SECONDS"])
    position = (our_position(hook) or twilio_position) if due else None
    if position is not None:
        eta = hook.estimator.estimate_seconds(call.branch, position)
        if call.last_announced_at is not None:
            speeches.append(hook.speech("queue_thanks"))
        first = call.last_announced_at is None
        speeches += [hook.speech("queue_position", position=position), eta_speech(hook, eta)]
        speeches += queue_options_speech(hook)
        if first and call.branch == 2:  # the public answer page (issue 16), once: callers pay per minute
            site = spoken_address(answers_url(current_app.config), hook.language)
            speeches.append(hook.speech("queue_answers", site=site))
        hook.calls.note_announcement(call, position, eta)
    options = hook_url("ivr.queue_option", branch=call.branch or fallback_branch(), lang=hook.language)
    return twiml.queue_wait(speeches, hook.voices, current_app.config["HOLD_MUSIC_URL"], options)


def our_position(hook: Webhook) -> int | None:
    """The caller's place in the dispatcher's order: the callers really ahead of them, in every branch
    whose callers the same agents serve, and the callbacks due now with an earlier place."""
    call = hook.call
    if call is None or call.branch is None:
        return None
    now = hook.calls.clock.now()
    dials_now = CallbackPolicy.from_config(current_app.config).dials_at(now)
    branches = competing_branches(hook.calls.session, call.branch)
    return hook.calls.store.position(call, branches, now if dials_now else None)


def queue_options_speech(hook: Webhook) -> list[Speech]:
    """On announcement turns: the callback and voicemail keys, said more urgently when nobody who can
    answer is on duty or the wait is already long."""
    assert hook.call is not None
    call = hook.call
    prefix: list[Speech] = []
    if call.branch is not None and not anyone_working(hook.calls.session, call.branch, call.language):
        prefix.append(hook.speech("queue_nobody_on_duty"))
    elif call.queue_entered_at is not None:
        waited = (hook.calls.clock.now() - call.queue_entered_at).total_seconds()
        if waited >= int(current_app.config["QUEUE_MAX_WAIT_SECONDS"]):
            prefix.append(hook.speech("queue_long_wait"))
    return [*prefix, hook.speech("queue_options")]


def queue_wait_again(hook: Webhook) -> VoiceResponse:
    """Inside the wait loop: go back to waiting (the caller never left the queue)."""
    branch = hook.call.branch if hook.call is not None and hook.call.branch else fallback_branch()
    return twiml.redirect(hook_url("ivr.queue_wait", branch=branch, lang=hook.language))


def eta_speech(hook: Webhook, eta_seconds: int | None) -> Speech:
    """Say the estimated wait in minutes, or that we cannot estimate it."""
    if eta_seconds is None:
        return hook.speech("queue_eta_unknown")
    minutes = eta_seconds // 60
    if minutes <= 1:
        return hook.speech("queue_eta_soon")
    if minutes > 60:
        return hook.speech("queue_eta_long", minutes=60)
    return hook.speech("queue_eta", minutes=minutes)


@bp.post("/queue/exit")
@twilio_webhook(fallback_queue_exit)
def queue_exit(hook: Webhook) -> VoiceResponse:
    """<Enqueue> action: why the caller left the queue, and what they hear next (if still there)."""
    assert hook.call is not None
    result = (hook.form.get("QueueResult") or "").strip().lower()[:32]
    if hook.call.branch is None:  # reached a queue through a fallback: learn the branch from the URL
        hook.calls.choose_branch(hook.call, 1 if request.args.get("branch") == "1" else 2, by_default=True)
    hook.calls.queue_exit(hook.call, result, bounded_int(hook.form.get("QueueTime")))
    if result in ("hangup", "redirected"):
        return twiml.empty()
    if result == "leave":  # by choice: a voicemail now, or a callback already booked (they heard goodbye)
        return record_voicemail(hook) if hook.call.leave_reason == "voicemail" else twiml.empty()
    if result == "queue-full":
        return twiml.say_and_hangup([hook.speech("queue_full")], hook.voices)
    if result in ("error", "system-error"):
        retries = parse_attempt(request.args.get("retry"))
        if retries <= 2:
            branch = hook.call.branch or fallback_branch()
            return enqueue_caller(hook, branch, [hook.speech("technical_error")], retry=retries + 1)
        return twiml.say_and_hangup([hook.speech("queue_full")], hook.voices)
    return twiml.say_and_hangup([hook.speech("goodbye")], hook.voices)


@bp.post("/queue/connect")
@twilio_webhook(fallback_empty)
def queue_connect(hook: Webhook) -> VoiceResponse:
    """`<Dial><Queue url=…>`: the caller is being bridged to the agent who dequeued them."""
    assert hook.call is not None
    agent = hook.form.get("DequeingCallSid") or None
    hook.calls.connect(hook.call, hook.calls.clock.now(), bounded_int(hook.form.get("QueueTime")), agent)
    return twiml.empty() if hook.call.is_final else twiml.speak([hook.speech("connecting")], hook.voices)


@bp.post("/status")
@twilio_webhook(fallback_empty)
def status(hook: Webhook) -> VoiceResponse:
    """Status callback: the authoritative end of the call."""
    assert hook.call is not None
    hook.calls.status_update(hook.call, hook.form)
    return twiml.empty()

"""The supervisor's mail rules over JSON (issue 15: "proposed by rules the supervisor can edit"):

- GET    /api/mail/rules: every rule in the order intake tries them (supervisors, admins; investigators read);
- POST   /api/mail/rules {words, problem_group, position?, active?}: a new rule (supervisors, admins);
- PATCH  /api/mail/rules/<id> {words?, problem_group?, position?, active?}: change one;
- DELETE /api/mail/rules/<id>: delete one;
- POST   /api/mail/rules/test {subject, text}: the group the active rules would propose for such a mail and
  the rule (and phrase) that matched, so a supervisor can check before saving.

The pages' session with its CSRF token, or a Bearer token, like every supervisor API. Each change is on the
audit log (who, when, the rule as it became); the rule keeps who added it. Messages in the request's language.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify
from flask_babel import gettext as _
from sqlalchemy import func, select

from callcenter.accounts.api_auth import current_user, require_role
from callcenter.accounts.roles import SUPERVISORS, WATCHERS
from callcenter.common.http import BadInput, guarded, iso, json_error, json_object
from callcenter.common.labels import label
from callcenter.mail.rules import GROUPS, matching_rule, phrases
from models import AuditEntry, MailRule, ProblemGroup, db

bp = Blueprint("mail_rules_api", __name__, url_prefix="/api/mail/rules")
MAX_WORDS = 200
FIRST, LAST = 1, 9999
MAX_TEST_TEXT = 100_000
FIELDS = ("words", "problem_group", "position", "active")


class RuleNotFound(LookupError):
    """No rule with that id."""


def rule_json(rule: MailRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "position": rule.position,
        "words": rule.words,
        "phrases": [p.strip() for p in re.split(r"[,;\n]", rule.words) if p.strip()],
        "problem_group": rule.problem_group,
        "problem_group_label": label("problem_group", rule.problem_group),
        "active": bool(rule.active),
        "created_by": rule.created_by,
        "created_at": iso(rule.created_at),
    }


def clean_words(raw: Any) -> str:
    """The phrases, stripped and joined with ", " (at least one with a letter or digit, at most 200 characters)."""
    if not isinstance(raw, str) or not raw.strip():
        raise BadInput(_("Write the words to look for, e.g. “mật khẩu, chữ ký số”."))
    parts = [p.strip() for p in re.split(r"[,;\n]", raw) if p.strip()]
    if not phrases(raw) or not any(re.search(r"\w", p) for p in parts):
        raise BadInput(_("Write at least one word or phrase; separate phrases with commas or semicolons."))
    words = ", ".join(parts)
    if len(words) > MAX_WORDS:
        raise BadInput(_("The words may have at most %(count)s characters.", count=MAX_WORDS))
    return words


def clean_group(raw: Any) -> str:
    if raw not in GROUPS:
        raise BadInput(
            _(
                "problem_group must be one of: %(groups)s.",
                groups=", ".join(f"{g.value} ({label('problem_group', g.value)})" for g in ProblemGroup),
            )
        )
    return str(raw)


def clean_position(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise BadInput(_("The position is a whole number from %(low)s to %(high)s.", low=FIRST, high=LAST))
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if not FIRST <= value <= LAST:
        raise BadInput(_("The position is a whole number from %(low)s to %(high)s.", low=FIRST, high=LAST))
    return value


def clean_active(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise BadInput(_("active is true or false."))
    return raw


def _record(action: str, rule: MailRule) -> None:
    """On the audit log: who changed which rule, when, and the rule as it became."""
    user = current_user()
    assert user is not None
    db.session.add(
        AuditEntry(
            at=current_app.extensions["clock"].now(),
            username=user.username,
            role=user.role,
            action=action,
            call_sid=None,
            detail={"mail_rule": rule.id, **{f: getattr(rule, f) for f in FIELDS}},
        )
    )


def _rule(rule_id: int) -> MailRule:
    rule = db.session.get(MailRule, rule_id)
    if rule is None:
        raise RuleNotFound(_("There is no mail rule %(id)s (it may have just been deleted).", id=rule_id))
    return rule


def _guarded(work: Any) -> Any:
    return guarded(db.session, work, [(BadInput, 400, "bad_input", None), (RuleNotFound, 404, "not_found", None)])


@bp.get("")
@require_role(*WATCHERS)
def list_rules() -> Any:
    """Every rule, in the order intake tries them (position, then id)."""
    rules = db.session.scalars(select(MailRule).order_by(MailRule.position, MailRule.id))
    return jsonify(rules=[rule_json(r) for r in rules])


@bp.post("")
@require_role(*SUPERVISORS)
def add_rule() -> Any:
    """A new rule; without a position it goes after the last one."""

    def work() -> Any:
        body = json_object()
        words, group = clean_words(body.get("words")), clean_group(body.get("problem_group"))
        if body.get("position") not in (None, ""):
            position = clean_position(body.get("position"))
        else:
            last = db.session.scalar(select(func.max(MailRule.position))) or 0
            position = min(LAST, (last // 10 + 1) * 10)
        active = clean_active(body["active"]) if "active" in body else True
        user = current_user()
        assert user is not None
        rule = MailRule(
            words=words,
            problem_group=group,
            position=position,
            active=active,
            created_by=user.username,
            created_at=current_app.extensions["clock"].now(),
        )
        db.session.add(rule)
        db.session.flush()
        _record("mail_rule_added", rule)
        return jsonify(rule_json(rule)), 201

    return _guarded(work)


@bp.patch("/<int:rule_id>")
@require_role(*SUPERVISORS)
def change_rule(rule_id: int) -> Any:
    """Change a rule's words, group, position or whether it is used."""

    def work() -> Any:
        rule = _rule(rule_id)
        body = json_object()
        if not any(f in body for f in FIELDS):
            raise BadInput(_("Send at least one of words, problem_group, position, active."))
        cleaners = {"words": clean_words, "problem_group": clean_group, "position": clean_position}
        changes = {f: cleaners.get(f, clean_active)(body[f]) for f in FIELDS if f in body}
        for field, value in changes.items():
            setattr(rule, field, value)
        _record("mail_rule_changed", rule)
        return jsonify(rule_json(rule))

    return _guarded(work)


@bp.delete("/<int:rule_id>")
@require_role(*SUPERVISORS)
def delete_rule(rule_id: int) -> Any:
    """Delete a rule (the audit log keeps what it was)."""

    def work() -> Any:
        rule = _rule(rule_id)
        _record("mail_rule_deleted", rule)
        db.session.delete(rule)
        return jsonify(id=rule_id, deleted=True)

    return _guarded(work)


@bp.post("/test")
@require_role(*WATCHERS)
def try_rules() -> Any:
    """{subject, text}: the group the active rules would propose now, and the rule that matched (or none)."""
    body = json_object()
    subject, text = body.get("subject", ""), body.get("text", "")
    if not isinstance(subject, str) or not isinstance(text, str):
        return json_error(400, "bad_input", _("Send the subject and the text of a mail as text."))
    if not (subject.strip() or text.strip()):
        return json_error(400, "bad_input", _("Write a subject or a text to try the rules on."))
    if len(subject) + len(text) > MAX_TEST_TEXT:
        return json_error(
            400, "bad_input", _("The mail to try is too long (at most %(count)s characters).", count=MAX_TEST_TEXT)
        )
    found = matching_rule(db.session, subject, text)
    group = found[0].problem_group if found else ProblemGroup.OTHER.value
    return jsonify(
        problem_group=group,
        problem_group_label=label("problem_group", group),
        rule=rule_json(found[0]) if found else None,
        phrase=found[1] if found else None,
    )

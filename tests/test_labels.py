"""Words for codes and dates for people (issue 14): every code of the models' vocabularies has a label in
callcenter/common/labels.py (translated: tests/test_i18n.py checks the catalog), and dates are written in
Vietnam time the way each language writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import Babel

from callcenter.agents.service import BREAK_REASONS
from callcenter.common.labels import VOCABULARIES, label, labels_in_language
from callcenter.common.when import calendar, format_when
from ivr.prompts import SPOKEN_GROUPS, spoken_group
from models import AgentState, Channel, MailState, Role
from models.agent import AgentEventKind, Skill
from models.call import CallOutcome, CallStage, EventKind
from models.callback import CallbackStatus
from models.rota import AbsenceReason, ShiftKind
from models.ticket import ProblemGroup, TicketOutcome, TicketStatus

VOCABULARY_OF: list[tuple[str, type[StrEnum]]] = [
    ("role", Role),
    ("agent_state", AgentState),
    ("agent_event", AgentEventKind),
    ("skill", Skill),
    ("event", EventKind),
    ("call_outcome", CallOutcome),
    ("call_stage", CallStage),
    ("callback_status", CallbackStatus),
    ("problem_group", ProblemGroup),
    ("ticket_outcome", TicketOutcome),
    ("ticket_status", TicketStatus),
    ("shift_kind", ShiftKind),
    ("absence_reason", AbsenceReason),
    ("channel", Channel),
    ("mail_state", MailState),
]


@pytest.mark.parametrize(("vocabulary", "codes"), VOCABULARY_OF, ids=lambda v: getattr(v, "__name__", v))
def test_every_code_of_the_models_has_a_label(vocabulary: str, codes: type[StrEnum]) -> None:
    assert sorted(VOCABULARIES[vocabulary]) == sorted(member.value for member in codes)


def test_every_break_reason_has_a_label() -> None:
    assert sorted(VOCABULARIES["break_reason"]) == sorted(BREAK_REASONS)


def test_labels_follow_the_language_and_show_unknown_codes_as_they_are() -> None:
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).resolve().parents[1] / "translations")
    Babel(app, locale_selector=lambda: app.config["LANG"])
    for language, expected in (("vi", "gác máy khi đang chờ"), ("en", "hung up while waiting")):
        app.config["LANG"] = language
        with app.test_request_context():
            assert label("ticket_outcome", "abandoned_queue").lower() == expected
            assert label("event", "CALLBACK_REQUESTED") == (
                "Yêu cầu gọi lại" if language == "vi" else "Asked for a callback"
            )
            assert label("ticket_outcome", "something_new") == "something_new"
            assert label("role", None) == ""
            assert labels_in_language()["problem_group"]["accounts"] == (
                "Tài khoản, mật khẩu, chữ ký số" if language == "vi" else "Accounts, passwords, digital signatures"
            )


def test_dates_are_vietnam_time_in_each_languages_way() -> None:
    at = datetime(2026, 12, 3, 17, 5, tzinfo=UTC)  # 00:05 on 4 December in Hanoi
    assert format_when(at, "datetime", "vi") == "04/12/2026 00:05"
    assert format_when(at, "datetime", "en") == "4 Dec 2026, 00:05"
    assert format_when(at, "time_seconds", "vi") == "00:05:00"
    assert format_when(date(2026, 12, 7), "day", "vi") == "Thứ 2 07/12"
    assert format_when(date(2026, 12, 7), "day", "en") == "Mon 7 Dec"
    assert format_when(None) == ""
    assert format_when(at, "date", "fr") == "04/12/2026"  # an unknown language: Vietnamese
    assert calendar("vi")["days_abbr"][0] == "CN"  # JavaScript's Sunday = 0
    assert calendar("en")["months_abbr"][11] == "Dec"


def test_the_whisper_names_the_problem_group_in_words() -> None:
    assert spoken_group("accounts") == ", tài khoản, mật khẩu, chữ ký số"
    assert spoken_group("single_window", "en") == ", National and ASEAN Single Window"
    assert spoken_group(None) == "" and spoken_group("something_new") == ""
    assert sorted(SPOKEN_GROUPS["vi"]) == sorted(SPOKEN_GROUPS["en"]) == sorted(g.value for g in ProblemGroup)

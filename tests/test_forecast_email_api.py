"""The week's e-mails in /api/forecast (issue 15): `include=email` adds them, `email_share` changes the
assumption; the e-mail load learned from the recorded mail when there is enough of it. Exact small cases
(no e-mails, nobody on duty, a known history) and the 400s."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from callcenter.forecast.mail_forecast import MIN_HISTORY_MAILS
from callcenter.mail.contact import open_conversation
from models import Shift, db

from .test_forecast_api import monday  # noqa: F401 - a fixture: the demo desk on its 24/7 rota


def get(client, headers, **query):  # type: ignore[no-untyped-def]
    answer = client.get("/api/forecast", query_string=query, headers=headers)
    return answer.status_code, answer.get_json()


def record_mail(app, monday: date, n: int = MIN_HISTORY_MAILS) -> None:  # noqa: F811
    """`n` e-mails on the Tuesdays 09:00 Vietnam time of the 4 weeks before `monday` (as in
    tests/test_mail_forecast.py): Tuesday 09:00 = half hour 66 gets n / 4 a week."""
    with app.app_context():
        for i in range(n):
            day = monday - timedelta(days=6 + 7 * (i % 4))
            at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9 - 7)
            open_conversation(
                db.session, sender="a@b.vn", to_address=None, branch=2, problem_group=None, language="vi", at=at
            )
        db.session.commit()


def test_without_include_nothing_changes(client, make_user, monday) -> None:  # noqa: F811
    status, data = get(client, make_user("supervisor"), week=monday.isoformat())
    assert status == 200 and "email" not in data


def test_the_default_share_then_a_given_one(client, make_user, monday) -> None:  # noqa: F811
    sup = make_user("supervisor")
    status, data = get(client, sup, week=monday.isoformat(), include="email")
    assert status == 200, data
    mail, calls = data["email"], data["totals"]["calls"]
    assert (mail["source"], mail["email_share"], mail["default_email_share"]) == ("default", 30.0, 30.0)
    assert (mail["handle_minutes"], mail["target_hours"], mail["department_handled_rate"]) == (7.5, 8, 70.0)
    assert mail["expected"] == round(calls * 0.3 / 0.7)  # 30 % of all contacts: calls × 3/7
    assert abs(mail["received"] - mail["expected"]) < 0.1 * mail["expected"]  # Poisson, 3 weeks averaged
    assert mail["answered"] <= mail["received"] and 0 <= mail["answered_within_target"] <= 100
    assert mail["backlog_at_week_end"] >= 0 and mail["seeds"] == [1, 2, 3]
    assert 0 < mail["handled_rate_calls_and_emails"] <= 100 and 0 < mail["handled_rate_calls"] <= 100
    # the call part of the answer is the forecast without e-mails
    assert {k: v for k, v in data.items() if k != "email"} == get(client, sup, week=monday.isoformat())[1]

    status, half = get(client, sup, week=monday.isoformat(), email_share="0.5")  # the share alone asks too
    assert status == 200 and half["email"]["source"] == "parameter"
    assert half["email"]["email_share"] == 50.0 and half["email"]["expected"] == round(calls)


def test_no_emails_is_the_calls_alone(client, make_user, monday) -> None:  # noqa: F811
    status, data = get(client, make_user("supervisor"), week=monday.isoformat(), include="email", email_share="0")
    assert status == 200
    mail = data["email"]
    assert (mail["expected"], mail["received"], mail["answered"], mail["backlog_at_week_end"]) == (0, 0, 0, 0)
    # the blended engine without e-mails plays the calls exactly as the forecast's simulation does
    assert mail["handled_rate_calls"] == mail["handled_rate_calls_and_emails"] == data["simulated"]["handled_rate"]
    assert mail["calls_offered"] == data["simulated"]["offered"]


def test_learned_from_the_recorded_mail_and_nobody_on_duty(app, client, make_user, monday) -> None:  # noqa: F811
    record_mail(app, monday)
    with app.app_context():  # an empty rota: nobody answers anything
        db.session.query(Shift).delete()
        db.session.commit()
    sup = make_user("supervisor")
    status, data = get(client, sup, week=monday.isoformat(), include="email")
    assert status == 200, data
    mail = data["email"]
    assert (mail["source"], mail["history_emails"], mail["history_weeks"]) == ("history", MIN_HISTORY_MAILS, 4)
    assert mail["expected"] == MIN_HISTORY_MAILS / 4  # 50 a week, all on Tuesday 09:00–09:30
    assert mail["email_share"] == round(100 * 50 / (50 + data["totals"]["calls"]), 1)
    assert mail["handle_minutes"] == 7.5  # no answered ones recorded: the default
    assert (mail["answered"], mail["handled_rate_calls_and_emails"], mail["handled_rate_calls"]) == (0, 0.0, 0.0)
    assert mail["backlog_at_week_end"] == mail["received"] > 0
    # a given share overrides the history
    status, data = get(client, sup, week=monday.isoformat(), include="email", email_share="0.2")
    assert data["email"]["source"] == "parameter" and "history_emails" not in data["email"]


def test_history_younger_than_four_weeks_is_averaged_over_its_own_weeks(app, client, make_user, monday) -> None:  # noqa: F811
    with app.app_context():
        for i in range(MIN_HISTORY_MAILS):  # the last two Tuesdays only
            day = monday - timedelta(days=6 + 7 * (i % 2))
            at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=2)
            open_conversation(
                db.session, sender="a@b.vn", to_address=None, branch=2, problem_group=None, language="vi", at=at
            )
        db.session.commit()
    status, data = get(client, make_user("supervisor"), week=monday.isoformat(), include="email")
    assert data["email"]["history_weeks"] == 2 and data["email"]["expected"] == MIN_HISTORY_MAILS / 2


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"include": "email", "email_share": "0.95"}, "email_share is the share of the contacts that are e-mails"),
        ({"include": "email", "email_share": "-0.1"}, "from 0 to 0.9"),
        ({"include": "email", "email_share": "30%"}, "from 0 to 0.9"),
        ({"include": "email", "email_share": "nan"}, "from 0 to 0.9"),
        ({"email_share": "2"}, "from 0 to 0.9"),
        ({"include": "emails"}, "include takes email"),
    ],
)
def test_bad_email_input_gets_a_400(client, make_user, monday, query, says) -> None:  # noqa: F811
    status, data = get(client, make_user("supervisor"), week=monday.isoformat(), **query)
    assert status == 400 and data["error"] == "bad_input"
    assert says in data["message"]


def test_an_agent_may_not_ask_for_the_emails_either(client, make_user, monday) -> None:  # noqa: F811
    assert get(client, make_user("agent"), include="email")[0] == 403

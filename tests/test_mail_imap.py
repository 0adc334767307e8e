"""The IMAP intake round against a real dovecot (tests/mail_servers.py): new mail, a refetch that is only
duplicates, a new UIDVALIDITY, \\Seen on what was taken, a failing intake that loses nothing, an oversized
mail handed over as its header, IMAPS, IDLE."""

from __future__ import annotations

import threading
import time

import pytest
from imapclient.exceptions import LoginError

from callcenter.mail.imap import ImapFetcher, ImapTarget, MailConfigError
from callcenter.mail.settings import MailSettings
from models import MailCursor, MailWork, Ticket, db

from .conftest import BACKENDS
from .mail_standin import StandInIntake, mail

SEEN = b"\\Seen"


def fetcher(app, clock, url: str, **config) -> ImapFetcher:
    app.config.update(MAIL_IMAP_URL=url, **config)
    return ImapFetcher(db.session, clock, MailSettings.from_config(app.config))


def test_the_url_names_the_server_the_account_and_the_mailbox() -> None:
    t = ImapTarget.parse("imaps://ho%40tro:p%2Fss@mail.customs.gov.vn/H%E1%BB%97%20tr%E1%BB%A3")
    assert (t.host, t.port, t.tls, t.username, t.password, t.mailbox) == (
        "mail.customs.gov.vn",
        993,
        True,
        "ho@tro",
        "p/ss",
        "Hỗ trợ",
    )
    plain = ImapTarget.parse("imap://u:p@127.0.0.1")
    assert (plain.port, plain.tls, plain.mailbox) == (143, False, "INBOX")
    for bad in ("http://u@h/", "imap://h/INBOX", "imaps:///INBOX"):
        with pytest.raises(MailConfigError):
            ImapTarget.parse(bad)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_new_mail_becomes_tickets_is_marked_seen_and_a_refetch_is_only_duplicates(app, clock, dovecot) -> None:
    uids = [dovecot.append(mail(n)) for n in (1, 2)]
    intake = StandInIntake(clock)
    with app.app_context():
        f = fetcher(app, clock, dovecot.url())
        report = f.run_round(intake.ingest)
        assert (report.new, report.duplicate, report.flagged, report.error) == (2, 0, 0, None)
        assert [(mailbox, uid) for _, mailbox, uid in intake.seen] == [("INBOX", u) for u in uids]
        assert db.session.query(Ticket).count() == 2
        assert all(SEEN in flags for flags in dovecot.flags().values())

        assert f.run_round(intake.ingest).new == 0, "the cursor moved past them"
        assert len(intake.seen) == 2

        third = dovecot.append(mail(3))
        report = f.run_round(intake.ingest)
        assert (report.new, intake.seen[-1][2]) == (1, third)

        cursor = db.session.get(MailCursor, f.target.cursor_key)
        cursor.last_uid = 0  # as if the commit of the cursor had been lost: everything comes again
        db.session.commit()
        report = f.run_round(intake.ingest)
        assert (report.new, report.duplicate) == (0, 3)
        assert db.session.query(Ticket).count() == 3


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_new_uidvalidity_reads_the_mailbox_again_and_message_ids_dedupe(app, clock, dovecot) -> None:
    dovecot.append(mail(1), "Hotline")
    intake = StandInIntake(clock)
    with app.app_context():
        f = fetcher(app, clock, dovecot.url("Hotline"))
        assert f.run_round(intake.ingest).new == 1
        before = db.session.get(MailCursor, f.target.cursor_key).uidvalidity

        time.sleep(1.1)  # dovecot's UIDVALIDITY is a timestamp
        dovecot.recreate("Hotline")  # restored from a backup: the same mail, new UIDs
        dovecot.append(mail(1), "Hotline")
        dovecot.append(mail(2), "Hotline")
        report = f.run_round(intake.ingest)
        assert report.uidvalidity_reset
        assert (report.new, report.duplicate) == (1, 1)
        cursor = db.session.get(MailCursor, f.target.cursor_key)
        assert cursor.uidvalidity != before and cursor.last_uid == 2


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_failing_intake_keeps_the_message_and_what_follows_for_the_next_round(app, clock, dovecot) -> None:
    first, second, third = (dovecot.append(mail(n, subject=s)) for n, s in ((1, "ok"), (2, "boom"), (3, "ok too")))
    broken = StandInIntake(clock, fail_on={"boom"})
    with app.app_context():
        f = fetcher(app, clock, dovecot.url())
        report = f.run_round(broken.ingest)
        assert report.new == 1 and report.error and "the intake broke" in report.error
        assert db.session.get(MailCursor, f.target.cursor_key).last_uid == first
        flags = dovecot.flags()
        assert SEEN in flags[first] and SEEN not in flags[second] and SEEN not in flags[third]
        assert db.session.query(Ticket).count() == 1, "the failed message's partial work was rolled back"

        fixed = StandInIntake(clock)
        report = f.run_round(fixed.ingest)
        assert (report.new, report.duplicate, report.error) == (2, 0, None)
        assert [uid for *_, uid in fixed.seen] == [second, third]


def test_an_oversized_mail_is_handed_over_as_its_header_and_flagged(app, clock, dovecot) -> None:
    dovecot.append(mail(1, body="x" * 5000))
    dovecot.append(mail(2))
    intake = StandInIntake(clock)
    with app.app_context():
        f = fetcher(app, clock, dovecot.url(), MAIL_MAX_MESSAGE_BYTES=2000)
        report = f.run_round(intake.ingest)
        assert (report.new, report.oversized, report.flagged) == (2, 1, 1)
        header_only, whole = intake.seen[0][0], intake.seen[1][0]
        assert b"Message-ID: <1@example.vn>" in header_only and b"xxxx" not in header_only
        assert len(header_only) < 2000
        assert intake.sizes[0] > 5000 and intake.sizes[1] is None, "the server's size goes with the header"
        assert "Xin chào".encode() in whole
        flagged = db.session.query(MailWork).filter_by(needs_person=True).one()
        assert flagged.ticket_id == intake_ticket(intake, 0) and flagged.flags == "too_large"

        db.session.query(MailCursor).update({"last_uid": 0})
        db.session.commit()
        again = f.run_round(intake.ingest)
        assert (again.duplicate, again.flagged) == (2, 0), "a refetch flags nothing twice"
        assert db.session.get(MailWork, flagged.ticket_id).flags == "too_large"


def intake_ticket(intake: StandInIntake, index: int) -> int:
    from callcenter.mail.outbox import message_key
    from models import MailMessage

    raw = intake.seen[index][0]
    message_id = raw.split(b"Message-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
    return db.session.query(MailMessage).filter_by(message_key=message_key(message_id)).one().ticket_id


def test_imaps_and_a_wrong_password(app, clock, dovecot) -> None:
    dovecot.append(mail(1))
    with app.app_context():
        assert fetcher(app, clock, dovecot.url(tls=True)).run_round(StandInIntake(clock).ingest).new == 1
        wrong = dovecot.url().replace("mail-pass-123", "nope")
        with pytest.raises(LoginError):
            fetcher(app, clock, wrong).run_round(StandInIntake(clock).ingest)


def test_idle_wakes_up_when_mail_arrives_and_times_out_when_none_does(app, clock, dovecot) -> None:
    with app.app_context():
        f = fetcher(app, clock, dovecot.url())
        started = time.monotonic()
        assert f.idle_wait(1.0) is False
        assert time.monotonic() - started >= 0.9

        later = threading.Timer(0.5, lambda: dovecot.append(mail(7)))
        later.start()
        started = time.monotonic()
        assert f.idle_wait(20) is True
        assert time.monotonic() - started < 10
        later.join()
        assert f.run_round(StandInIntake(clock).ingest).new == 1


def test_idle_waits_by_sleeping_when_the_server_is_down(app, clock) -> None:
    from .mail_servers import free_port

    with app.app_context():
        f = fetcher(app, clock, f"imap://u:p@127.0.0.1:{free_port()}/INBOX")
        started = time.monotonic()
        assert f.idle_wait(0.3) is False
        assert time.monotonic() - started >= 0.3


def test_without_idle_the_wait_is_a_sleep(app, clock, monkeypatch) -> None:
    class NoIdle:
        logged_out = False

        def has_capability(self, name: str) -> bool:
            return False

        def logout(self) -> None:
            NoIdle.logged_out = True

    with app.app_context():
        f = fetcher(app, clock, "imap://u:p@127.0.0.1/INBOX")
        monkeypatch.setattr(f, "connect", NoIdle)
        started = time.monotonic()
        assert f.idle_wait(0.3) is False
        assert time.monotonic() - started >= 0.3 and NoIdle.logged_out


def test_a_uidvalidity_beyond_a_signed_integer_is_kept_on_both_databases() -> None:
    from callcenter.mail.imap import as_int32

    assert as_int32(1796317726) == 1796317726
    assert as_int32(4294967295) == -1 and as_int32(2147483648) == -(2**31)
    assert len({as_int32(v) for v in (1, 2**31 - 1, 2**31, 2**32 - 1)}) == 4

"""`warnings`: the daily pass of tiện ích cảnh báo; and `notify_mail`: the e-mail of unread notifications.

`warnings` — no target, scheduled daily (`work/schedule.py`, name "warnings"). `run` computes
every record's warnings today (archive.services.warnings, the whole archive) and whom to tell
(archive.services.notifications.plan: the HR officers and unit heads whose scope holds the
record). `apply` adds the notifications not yet told — unique per (user, warning key), so a
second run the same day, or a retried one, adds nothing — and one audit entry (`warnings.notify`)
when it added any. Touches only `notifications` and the audit log.
Follow-up: `notify_mail`.

`notify_mail` — no target. Off (nothing done) when ARCHIVE_SMTP_HOST is empty. Sends each
unread, unsent notification of a user with an address, recording each sent one right after the
server accepted it (outside `apply` on purpose: a sent message cannot be unsent, so the record
of it must not wait for the job's end); an address the server refuses is recorded and not
retried. A server that cannot be reached raises: the job is retried (ARCHIVE_JOB_MAX_ATTEMPTS)
and, failing, the next day's pass tries again — a request never waits on the mail server.
"""

from __future__ import annotations

import logging

from sqlalchemy import true

from archive.context import Context
from archive.services import audit, mailer, notifications, warnings
from archive.services.deadlines import local_date
from archive.work.contract import Finish, JobInfo, JobKind, Lease

WARNINGS_KIND, NOTIFY_MAIL_KIND = "warnings", "notify_mail"
log = logging.getLogger(__name__)


class WarningsKind(JobKind):
    name = WARNINGS_KIND
    queue = "work"
    follow_ups = (NOTIFY_MAIL_KIND,)

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        now = ctx.clock()
        today = local_date(now, ctx.settings.web_timezone)
        with ctx.uow() as uow:
            found = warnings.collect(uow.session, true(), today=today, settings=ctx.settings)
            pairs = notifications.plan(uow.session, found, now)
        added: list[int] = []

        def apply(session) -> None:
            added.append(notifications.notify(session, pairs, now))
            if added[0]:
                audit.append(session, actor="system:warnings", action="warnings.notify", target_type="notifications",
                             details={"today": today.isoformat(), "added": added[0], "warnings": len(found)})

        by_kind: dict[str, int] = {}
        for w in found:
            by_kind[w.kind] = by_kind.get(w.kind, 0) + 1
        return Finish(apply=apply, result={"today": today.isoformat(), "warnings": len(found), "by_kind": by_kind,
                                           "recipients": len({u for u, _w in pairs}), "pairs": len(pairs)})


class NotifyMailKind(JobKind):
    name = NOTIFY_MAIL_KIND
    queue = "work"

    def run(self, ctx: Context, job: JobInfo, lease: Lease) -> Finish:
        if not mailer.enabled(ctx.settings):
            return Finish(result={"mail": "off"})
        with ctx.uow() as uow:
            pending = notifications.pending_mail(uow.session)
        by_mail = {id(p.mail): p.notification_id for p in pending}
        sent: list[int] = []

        def on_sent(mail: mailer.Mail) -> None:
            notifications.record_sent(ctx, by_mail[id(mail)])
            sent.append(by_mail[id(mail)])

        refused = mailer.send_all(ctx.settings, [p.mail for p in pending], sent=on_sent)  # MailFailed: retried
        for mail, reason in refused:
            log.warning("notification %s: the mail server refused %s: %s", by_mail[id(mail)], mail.to, reason)
            notifications.record_refused(ctx, by_mail[id(mail)], reason)
        return Finish(result={"mail": "on", "sent": len(sent), "refused": len(refused)})

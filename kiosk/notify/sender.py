"""The outbox's sender: one thread that hands each waiting message to its server, and the
rules for when it cannot.

- **Accepted**: the message is deleted in a transaction (with the host's mark set to `told`),
  then `host_told` is emitted. A message is deleted only after its server accepted it, so none
  is lost; the delivery is at least once, and the one window for a repeat (a crash between the
  server's acceptance and that transaction, a few milliseconds) is covered by the message's
  stable id: the e-mail's Message-ID, which mail systems use to drop a duplicate, and the
  webhook's Idempotency-Key.
- **Temporary failures** (no answer, a 4xx, a 429/5xx from a webhook) and **setup failures**
  (TLS, login, a webhook URL refused; logged as errors) are tried again after 1, 2, 4, 8, 16,
  then every 30 s.
- **Too late**: a host's e-mail not accepted within `notify.expire_after_s` is never sent late;
  reception is told instead, once, in the same transaction that gives it up. A webhook's POST
  is given up. A message to reception is tried while its visitor is on site (a day at most).
- **Refused for good** (a 5xx about the host's address): reception is told at once. A refusal
  of reception's own address or of a webhook is logged as an error and given up.

The thread sleeps until the earliest message is due, or until woken (`wake`, on every
sign-in). It uses the store from its own thread (its own connection). Logs carry message ids,
visit ids, attempt counts and the server's codes; never an address, a name or a URL."""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kiosk.domain.clock import Clock, utc_now
from kiosk.domain.events import Hook, HostTold
from kiosk.domain.outbox import Channel, OutboxMessage, Reason
from kiosk.domain.ports import Store
from kiosk.domain.visit import HostNotice, Visit
from kiosk.notify.delivery import Accepted, SendFailed
from kiosk.notify.plan import new_message
from kiosk.settings.config import Config

if TYPE_CHECKING:
    # Loaded at the first message, not at start-up: a kiosk that tells nobody (the default)
    # never loads smtplib, ssl, urllib or email (together about 5 MB).
    import ssl
    from email.message import EmailMessage

    from kiosk.notify.smtp import SmtpServer

log = logging.getLogger(__name__)

BACKOFF_S = (1, 2, 4, 8, 16, 30)  # between tries; the last one repeats
IDLE_CHECK_S = 30.0  # an idle sender looks at the outbox this often (a clock set forward)
SMTP_TIMEOUT_S = 20.0
# The system's trusted authorities are read again this often (reading them takes ~20 ms, too
# long to do for every message; an authority installed meanwhile counts within the hour).
TRUST_REFRESH_S = 3600.0
WEBHOOK_TIMEOUT_S = 10.0
CLAIM = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try (1-based)."""
    return timedelta(seconds=BACKOFF_S[min(attempts, len(BACKOFF_S)) - 1])


def smtp_server(config: Config, timeout_s: float = SMTP_TIMEOUT_S) -> SmtpServer:
    """The mail server of the settings; the password is read from its file now, at each use,
    so a changed password needs no restart. SendFailed (setup) if the file cannot be read."""
    from kiosk.notify.smtp import SmtpServer

    notify = config.notify
    password = ""
    path = config.smtp_password_path()
    if path is not None:
        try:
            password = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise SendFailed("setup", "the SMTP password file cannot be read") from None
    return SmtpServer(
        host=notify.smtp_host,
        port=notify.smtp_port,
        security=notify.smtp_security,
        username=notify.smtp_username,
        password=password,
        timeout_s=timeout_s,
    )


class Sender:
    def __init__(
        self,
        store: Store,
        config: Config,
        host_told: Hook[HostTold],
        clock: Clock = utc_now,
        *,
        smtp_context: ssl.SSLContext | None = None,
        webhook_context: ssl.SSLContext | None = None,
        smtp_timeout_s: float = SMTP_TIMEOUT_S,
    ) -> None:
        """`smtp_context` and `webhook_context` replace the system's trusted authorities (the
        tests' own certificate)."""
        self._store = store
        self._config = config
        self._kiosk_id = config.site.kiosk_id
        self._host_told = host_told
        self._clock = clock
        self._smtp_context = smtp_context
        self._system_trust: tuple[float, ssl.SSLContext] | None = None
        self._webhook_context = webhook_context
        self._smtp_timeout_s = smtp_timeout_s
        # Long enough for one hand-over (connecting, TLS, a dozen exchanges, each within the
        # timeout), so the claim does not lapse while this sender is still at it; a kiosk
        # that stopped mid-way releases its claims when it starts again.
        self._claim_for = max(CLAIM, timedelta(seconds=12 * smtp_timeout_s))
        self._wakeup = threading.Condition()
        self._woken = False
        self._stopping = False
        self._thread: threading.Thread | None = None

    # -- the thread ------------------------------------------------------------------------
    def start(self) -> None:
        """Send what is waiting, and from now on what sign-ins add (`wake`)."""
        if not self._config.notify.on or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="kiosk-outbox", daemon=True)
        self._thread.start()

    def wake(self, _event: object = None) -> None:
        """Look at the outbox now (a sign-in added to it)."""
        with self._wakeup:
            self._woken = True
            self._wakeup.notify()

    def close(self) -> None:
        """Stop after the message being handed over, if any (at most the server's timeout);
        what is left waits in the outbox for the next start."""
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            self._release_own_claims()
            while True:
                with self._wakeup:
                    if self._stopping:
                        return
                    self._woken = False
                wait = self._send_and_measure_wait()
                with self._wakeup:
                    if not self._woken and not self._stopping:
                        self._wakeup.wait(wait)
        finally:
            self._store.close()

    def _release_own_claims(self) -> None:
        """What this kiosk held when it stopped (a crash mid-hand-over) is due again now,
        not when the claim would have lapsed."""
        try:
            with self._store.transaction() as db:
                released = db.outbox.release(self._kiosk_id, self._clock())
        except Exception:
            log.exception("the outbox's claims could not be released; they lapse by themselves")
            return
        if released:
            log.info("%d message(s) in hand when this kiosk stopped are due again", released)

    def _send_and_measure_wait(self) -> float:
        try:
            self.send_due()
            with self._store.reading() as db:
                next_try = db.outbox.next_try_at()
        except Exception:
            log.exception("the outbox could not be read or updated; trying again")
            return BACKOFF_S[-1]
        if next_try is None:
            return IDLE_CHECK_S
        return min(IDLE_CHECK_S, max(0.0, (next_try - self._clock()).total_seconds()))

    # -- one pass --------------------------------------------------------------------------
    def send_due(self) -> int:
        """Hand over every message that is due now (stopping early when asked to close);
        returns how many were tried."""
        tried = 0
        while not self._stopping:
            now = self._clock()
            # Claimed, not only read: another kiosk's sender on a shared database takes
            # another message (kiosk.domain.ports.OutboxRepository.claim).
            with self._store.transaction() as db:
                message = db.outbox.claim(now, now + self._claim_for, self._kiosk_id)
            if message is None:
                return tried
            self._try(message)
            tried += 1
        return tried

    def _try(self, message: OutboxMessage) -> None:
        with self._store.reading() as db:
            visit = db.visits.get(message.visit_id)
        if visit is None:
            return  # erased or expired meanwhile: the message went with it
        now = self._clock()
        if now >= message.not_after:
            self._too_late(message)
            return
        if message.reason.to_reception and not visit.on_site:
            self._drop(message, "its visitor has left before reception was told")
            return
        try:
            accepted = self._hand_over(message, visit)
        except SendFailed as failure:
            if failure.kind == "permanent":
                self._refused(message, failure)
            else:
                self._retry(message, failure, now)
            return
        except Exception:
            # A fault of ours (composing the message): tried again like a setup failure, so
            # a host's message still ends with reception told, and the pass goes on.
            log.exception(
                "message %s (visit %d) could not be sent", message.message_id, visit.visit_id
            )
            self._retry(message, SendFailed("setup", "could not be composed"), now)
            return
        self._sent(message, accepted)

    def _hand_over(self, message: OutboxMessage, visit: Visit) -> Accepted:
        from kiosk.notify import webhook
        from kiosk.notify.message import Arrival, email_message, webhook_payload

        arrival = Arrival(
            visit_id=visit.visit_id,
            visitor_name=visit.visitor_name,
            company=visit.company,
            host=visit.host,
            signed_in_at=visit.signed_in_at,
            kiosk_id=visit.kiosk_id,
            site=self._config.site_name(message.language),
        )
        notify = self._config.notify
        if message.channel is Channel.WEBHOOK:
            payload = webhook_payload(
                arrival, message_id=message.message_id, language=message.language
            )
            return webhook.post(
                notify.webhook_url,
                payload,
                key=message.message_id,
                timeout_s=WEBHOOK_TIMEOUT_S,
                context=self._webhook_context,
            )
        to = [notify.reception] if message.reason.to_reception else [message.address]
        email = email_message(
            arrival,
            reason=message.reason,
            language=message.language,
            sender=notify.sender,
            to=to,
            message_id=message.message_id,
        )
        return self._send_email(email)

    def _send_email(self, email: EmailMessage) -> Accepted:
        from kiosk.notify.smtp import send

        server = smtp_server(self._config, self._smtp_timeout_s)
        context = None if server.security == "none" else self._tls_context()
        return send(server, email, context)

    def _tls_context(self) -> ssl.SSLContext:
        """The certificate check for the mail server: the given one, or the system's."""
        import ssl

        if self._smtp_context is not None:
            return self._smtp_context
        now = time.monotonic()
        if self._system_trust is None or now - self._system_trust[0] > TRUST_REFRESH_S:
            self._system_trust = (now, ssl.create_default_context())
        return self._system_trust[1]

    # -- outcomes --------------------------------------------------------------------------
    def _sent(self, message: OutboxMessage, accepted: Accepted) -> None:
        to_host = message.channel is Channel.EMAIL and message.reason is Reason.ARRIVED
        with self._store.transaction() as db:
            db.outbox.remove(message.message_id)
            if to_host:
                db.visits.set_host_notice(message.visit_id, HostNotice.TOLD)
        log.info(
            "message %s (visit %d, %s, %s) accepted after %d failed tries (%d)",
            message.message_id,
            message.visit_id,
            message.channel.value,
            message.reason.value,
            message.attempts,
            accepted.code,
        )
        if to_host:
            self._host_told.emit(HostTold(message.visit_id))

    def _retry(self, message: OutboxMessage, failure: SendFailed, now: datetime) -> None:
        attempts = message.attempts + 1
        next_try = now + retry_delay(attempts)
        if not message.reason.to_reception:
            next_try = min(next_try, message.not_after)  # reception is told on time
        error = f"{failure.kind} {failure.code or ''}".strip()
        with self._store.transaction() as db:
            db.outbox.retry_later(message.message_id, attempts, next_try, error)
        level = logging.ERROR if failure.kind == "setup" else logging.WARNING
        log.log(
            level,
            "message %s (visit %d, %s): try %d failed (%s); next in %.0f s",
            message.message_id,
            message.visit_id,
            message.channel.value,
            attempts,
            failure,
            (next_try - now).total_seconds(),
        )

    def _too_late(self, message: OutboxMessage) -> None:
        if message.channel is Channel.EMAIL and message.reason is Reason.ARRIVED:
            self._tell_reception(message, Reason.HOST_NOT_REACHED, "not accepted in time")
        else:
            self._drop(message, "not accepted in time", logging.ERROR)

    def _refused(self, message: OutboxMessage, failure: SendFailed) -> None:
        if message.channel is Channel.EMAIL and message.reason is Reason.ARRIVED:
            self._tell_reception(message, Reason.HOST_REFUSED, f"refused ({failure})")
        else:
            self._drop(message, f"refused ({failure})", logging.ERROR)

    def _tell_reception(self, message: OutboxMessage, reason: Reason, why: str) -> None:
        """Give up the host's message and tell reception instead, in one transaction: both
        or neither, so reception is told exactly once."""
        instead = new_message(
            message.visit_id,
            Channel.EMAIL,
            reason,
            address="",
            language=self._config.default_language,
            now=self._clock(),
            expire_after_s=self._config.notify.expire_after_s,
        )
        with self._store.transaction() as db:
            if not db.outbox.remove(message.message_id):
                return
            db.outbox.add(instead)
            db.visits.set_host_notice(message.visit_id, HostNotice.NOT_REACHED)
        log.warning(
            "message %s (visit %d) to the host %s after %d tries: reception is told (message %s)",
            message.message_id,
            message.visit_id,
            why,
            message.attempts,
            instead.message_id,
        )

    def _drop(self, message: OutboxMessage, why: str, level: int = logging.WARNING) -> None:
        with self._store.transaction() as db:
            db.outbox.remove(message.message_id)
        log.log(
            level,
            "message %s (visit %d, %s, %s) given up after %d tries: %s",
            message.message_id,
            message.visit_id,
            message.channel.value,
            message.reason.value,
            message.attempts,
            why,
        )

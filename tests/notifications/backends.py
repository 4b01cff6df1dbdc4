"""Mail backends that fail as an SMTP server does: the locmem outbox once it works."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class FailOnceBackend(EmailBackend):
    """The first send finds the server gone; every later one is delivered."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class AlwaysDownBackend(EmailBackend):
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        raise ConnectionRefusedError(111, "Connection refused")


class UnknownRecipientBackend(EmailBackend):
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        recipient = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, b"5.1.1 No such user")})

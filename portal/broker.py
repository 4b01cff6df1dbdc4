"""The embedded Celery broker: kombu's SQLAlchemy transport on a SQLite file, polled often.

kombu's SQL transport polls its table once a second and, with one task in hand at a time
(prefetch 1), starts at most one task a second: a re-match after new weights (a task per
record, then a phrase-warming task each) took 75 s on the 69-record demo for ~3 s of work.
Its polling interval cannot come through the transport options (the channel hands those to
SQLAlchemy's create_engine), hence this subclass, chosen by settings.CELERY_BROKER_TRANSPORT.
"""

from kombu.transport import sqlalchemy


class Transport(sqlalchemy.Transport):
    polling_interval = 0.1  # seconds; each poll is one short transaction on the broker file

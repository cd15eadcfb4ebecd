import pytest

from loraloop.feedback.store import FeedbackStore


@pytest.fixture
def store(db_url):
    """A fresh, migrated feedback store, on SQLite and on Postgres."""
    s = FeedbackStore(db_url)
    yield s
    s.close()

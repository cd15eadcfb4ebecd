import pytest

from loraloop.feedback.store import FeedbackStore


@pytest.fixture
def store(tmp_path):
    """A fresh, migrated feedback store in a temporary folder."""
    s = FeedbackStore(tmp_path / "fb.sqlite")
    yield s
    s.close()

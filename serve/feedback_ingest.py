"""The feedback path every frontend shares: validate signals, hand them to the writer, answer after the commit.

Transport-neutral like serve/chat.py: the gRPC servicer and the HTTP routes convert their messages into
`FeedbackInput`s and turn the results back into their own shapes; the rules live here and in serve/validation.py.
"""

from __future__ import annotations

from collections.abc import Sequence

from loraloop.config import FeedbackConfig
from loraloop.errors import InvalidArgument, LoraloopError
from loraloop.feedback.store import SignalAck, SignalRecord
from loraloop.feedback.writer import FeedbackWriter
from loraloop.serve.validation import FeedbackInput, validate_feedback, validate_feedback_batch

__all__ = ["record_signal", "record_signals"]


async def record_signal(feedback: FeedbackInput, writer: FeedbackWriter, config: FeedbackConfig) -> SignalAck:
    """Validate and store one signal; returns after the commit (the ack is durable), or raises its error."""
    signal = validate_feedback(feedback, config)
    return await writer.write(signal)


async def record_signals(batch: Sequence[FeedbackInput | InvalidArgument], writer: FeedbackWriter,
                         config: FeedbackConfig) -> list[SignalAck | LoraloopError]:
    """Validate and store a batch; one result per signal, in order: its ack, or the error that refused it alone.

    The valid signals go to the writer as one entry (one transaction), so the call returns after a single
    commit; every ack in it is durable. Raises only for the whole batch: InvalidArgument when it is over
    `max_batch_signals`, Overloaded when the write queue cannot take it (then nothing of it was stored).
    """
    checked = validate_feedback_batch(batch, config)
    written = iter(await writer.write_many([c for c in checked if isinstance(c, SignalRecord)]))
    return [next(written) if isinstance(c, SignalRecord) else c for c in checked]

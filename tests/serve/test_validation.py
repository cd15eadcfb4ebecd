import pytest

from loraloop.adapters import AdapterSpec
from loraloop.config import FeedbackConfig, ServeConfig
from loraloop.errors import InvalidArgument
from loraloop.feedback.store import SignalKind
from loraloop.serve import validation
from loraloop.serve.grpc_messages import chat_input, feedback_input
from loraloop.v1 import loraloop_pb2 as pb

CONFIG = ServeConfig(max_tokens_limit=128, default_max_tokens=32, max_messages=4, max_message_chars=50)


def validate_chat(request: pb.ChatRequest, config, defaults=None):
    """The gRPC path: the message through the edge conversion, then the transport-neutral checks."""
    return validation.validate_chat(chat_input(request, stream=False), config, defaults)


def validate_feedback(feedback: pb.Feedback, config):
    return validation.validate_feedback(feedback_input(feedback), config)


def request(**kwargs):
    base = dict(messages=[pb.Message(role="user", content="hi")])
    base.update(kwargs)
    return pb.ChatRequest(**base)


def test_a_good_request_is_typed():
    call = validate_chat(request(adapter="medical@v2", sampling=pb.SamplingParams(temperature=0, seed=3, stop=["."])), CONFIG)
    assert call.adapter == AdapterSpec(domain="medical", version=2)
    assert call.sampling.temperature == 0.0 and call.sampling.seed == 3 and call.sampling.stop == (".",)
    assert call.sampling.max_tokens == 32  # the default when unset


def test_unset_sampling_takes_the_models_defaults_and_set_values_win():
    defaults = {"temperature": 0.3, "top_p": 0.9}
    unset = validate_chat(request(), CONFIG, defaults).sampling
    assert (unset.temperature, unset.top_p) == (0.3, 0.9)
    greedy = validate_chat(request(sampling=pb.SamplingParams(temperature=0, top_p=1)), CONFIG, defaults).sampling
    assert (greedy.temperature, greedy.top_p) == (0.0, 1.0)
    assert validate_chat(request(), CONFIG).sampling.temperature == 1.0  # a model without defaults: OpenAI's


@pytest.mark.parametrize("req, field", [
    (pb.ChatRequest(), "messages"),
    (request(messages=[pb.Message(role="robot", content="x")]), "messages[0].role"),
    (request(messages=[pb.Message(role="user", content="x" * 51)]), "messages[0].content"),
    (request(messages=[pb.Message(role="user", content="a"), pb.Message(role="assistant", content="b")]), "messages[1].role"),
    (request(messages=[pb.Message(role="user", content="a"), pb.Message(role="system", content="b"),
                       pb.Message(role="user", content="c")]), "messages[1].role"),
    (request(messages=[pb.Message(role="user", content="a")] * 5), "messages"),
    (request(sampling=pb.SamplingParams(max_tokens=129)), "sampling.max_tokens"),
    (request(sampling=pb.SamplingParams(temperature=-1)), "sampling.temperature"),
    (request(sampling=pb.SamplingParams(temperature=float("nan"))), "sampling.temperature"),
    (request(sampling=pb.SamplingParams(top_p=0)), "sampling.top_p"),
    (request(sampling=pb.SamplingParams(stop=[""])), "sampling.stop"),
    (request(adapter="../../etc/passwd"), "adapter"),
    (request(adapter="medical@latest"), "adapter"),
    (request(conversation_id="c" * 200), "conversation_id"),
])
def test_bad_fields_are_named(req, field):
    with pytest.raises(InvalidArgument) as info:
        validate_chat(req, CONFIG)
    assert info.value.field == field
    assert str(info.value).startswith(field + ": ")


FEEDBACK = FeedbackConfig(max_correction_chars=20, max_dwell_ms=10_000, max_idempotency_key_chars=8)


def test_feedback_kinds_are_typed():
    signal = validate_feedback(pb.Feedback(response_id="r1", kind=pb.DWELL, dwell_ms=500, idempotency_key="k"), FEEDBACK)
    assert (signal.kind, signal.dwell_ms, signal.idempotency_key) == (SignalKind.DWELL, 500, "k")
    signal = validate_feedback(pb.Feedback(response_id="r1", kind=pb.CORRECTION, correction_text="better"), FEEDBACK)
    assert (signal.kind, signal.correction_text, signal.idempotency_key) == (SignalKind.CORRECTION, "better", None)


@pytest.mark.parametrize("feedback, field", [
    (pb.Feedback(kind=pb.THUMBS_UP), "response_id"),
    (pb.Feedback(response_id="r1"), "kind"),
    (pb.Feedback(response_id="r1", kind=pb.DWELL), "dwell_ms"),
    (pb.Feedback(response_id="r1", kind=pb.DWELL, dwell_ms=-5), "dwell_ms"),
    (pb.Feedback(response_id="r1", kind=pb.DWELL, dwell_ms=10_001), "dwell_ms"),
    (pb.Feedback(response_id="r1", kind=pb.THUMBS_UP, dwell_ms=5), "dwell_ms"),
    (pb.Feedback(response_id="r1", kind=pb.CORRECTION), "correction_text"),
    (pb.Feedback(response_id="r1", kind=pb.CORRECTION, correction_text="  "), "correction_text"),
    (pb.Feedback(response_id="r1", kind=pb.CORRECTION, correction_text="x" * 21), "correction_text"),
    (pb.Feedback(response_id="r1", kind=pb.COPY, correction_text="x"), "correction_text"),
    (pb.Feedback(response_id="r1", kind=pb.COPY, idempotency_key="k" * 9), "idempotency_key"),
    (pb.Feedback(response_id="r1", kind=99), "kind"),
])
def test_bad_feedback_is_named(feedback, field):
    with pytest.raises(InvalidArgument) as info:
        validate_feedback(feedback, FEEDBACK)
    assert info.value.field == field


def test_neutral_inputs_get_the_same_rules_without_protobuf():
    call = validation.validate_chat(validation.ChatInput(messages=(("user", "hi"),), adapter="medical",
                                                         sampling=validation.SamplingInput(temperature=0.5)), CONFIG)
    assert call.adapter == AdapterSpec(domain="medical") and call.sampling.temperature == 0.5 and call.routed is False
    with pytest.raises(InvalidArgument) as info:
        validation.validate_feedback(validation.FeedbackInput(response_id="r1", kind="LIKE"), FEEDBACK)
    assert info.value.field == "kind" and "'LIKE'" in info.value.problem


def test_an_unknown_enum_number_names_itself():
    with pytest.raises(InvalidArgument) as info:
        validate_feedback(pb.Feedback(response_id="r1", kind=99), FEEDBACK)
    assert "'99'" in str(info.value)

"""The HTTP edge's translations, without a server: OpenAI bodies in, one error table out."""

from __future__ import annotations

import inspect

import pytest

from loraloop import errors
from loraloop.errors import InvalidArgument
from loraloop.serve import http_messages as msg
from loraloop.serve.chat import AnswerHeader
from loraloop.serve.engine import GenerationChunk

HEADER = AnswerHeader(response_id="r-1", adapter="medical@v2", arm="canary", route_domain="medical",
                      route_confidence=0.9)
BASE_NAME = "demo-base"


def test_openai_fields_map_onto_the_chat_input():
    call, stream, usage = msg.chat_input({
        "model": "medical@v2", "user": "u-7", "messages": [{"role": "system", "content": "be brief"},
                                                           {"role": "user", "content": [{"type": "text", "text": "hi "},
                                                                                        {"type": "text", "text": "there"}]}],
        "max_completion_tokens": 9, "max_tokens": 99, "temperature": 1, "top_p": 0.5, "seed": 3, "stop": "\n",
        "stream": True, "stream_options": {"include_usage": True}, "conversation_id": "c-1", "regenerate_of": "r-0",
    }, BASE_NAME)
    assert call.adapter == "medical@v2" and call.user_id == "u-7" and call.conversation_id == "c-1"
    assert call.messages == (("system", "be brief"), ("user", "hi there")) and call.regenerate_of == "r-0"
    s = call.sampling
    assert (s.max_tokens, s.temperature, s.top_p, s.seed, s.stop) == (9, 1.0, 0.5, 3, ("\n",))
    assert isinstance(s.temperature, float) and stream and usage and call.frontend == "http"


def test_the_base_models_own_name_routes_like_an_empty_model():
    assert msg.chat_input({"model": BASE_NAME, "messages": []}, BASE_NAME)[0].adapter == ""
    assert msg.chat_input({"messages": []}, BASE_NAME)[0].adapter == ""
    assert msg.chat_input({"model": "base", "messages": []}, BASE_NAME)[0].adapter == "base"
    unset = msg.chat_input({"messages": []}, BASE_NAME)[0].sampling
    assert (unset.max_tokens, unset.temperature, unset.top_p, unset.seed) == (0, None, None, None)


@pytest.mark.parametrize("body, field", [
    ([], "body"),
    ({"messages": "hi"}, "messages"),
    ({"messages": ["hi"]}, "messages[0]"),
    ({"messages": [{"content": "x"}]}, "messages[0].role"),
    ({"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]}, "messages[0].content"),
    ({"messages": [{"role": "user", "content": 5}]}, "messages[0].content"),
    ({"messages": [], "temperature": "hot"}, "temperature"),
    ({"messages": [], "temperature": True}, "temperature"),
    ({"messages": [], "max_tokens": 1.5}, "max_tokens"),
    ({"messages": [], "max_tokens": 0}, "max_tokens"),
    ({"messages": [], "seed": "x"}, "seed"),
    ({"messages": [], "stop": [1]}, "stop"),
    ({"messages": [], "stream": "yes"}, "stream"),
    ({"messages": [], "stream_options": []}, "stream_options"),
    ({"messages": [], "n": 3}, "n"),
    ({"messages": [], "user": 12}, "user"),
])
def test_malformed_bodies_name_the_field(body, field):
    with pytest.raises(InvalidArgument) as info:
        msg.chat_input(body, BASE_NAME)
    assert info.value.field == field


def test_every_error_class_has_an_http_status_from_the_one_table():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.LoraloopError) and c is not errors.LoraloopError]
    for cls in classes:
        error = cls("field", "problem") if cls is errors.InvalidArgument else cls("problem")
        assert msg.http_status(error) in (400, 401, 403, 404, 429, 503), cls
    assert msg.http_status(RuntimeError("x")) == 500
    body = msg.error_body(InvalidArgument("sampling.top_p", "0 is outside (0, 1]"))
    assert body == {"error": {"message": "sampling.top_p: 0 is outside (0, 1]", "type": "invalid_request_error",
                              "param": "sampling.top_p", "code": "INVALID_ARGUMENT"}}


def test_feedback_kinds_are_matched_without_case():
    signal = msg.feedback_input({"response_id": "r-1", "kind": "dwell", "dwell_ms": 1200})
    assert (signal.kind, signal.dwell_ms) == ("DWELL", 1200)
    with pytest.raises(InvalidArgument, match="kind"):
        msg.feedback_input({"response_id": "r-1", "kind": 3})


def test_completions_and_chunks_carry_the_extras():
    last = GenerationChunk(text="", prompt_tokens=5, completion_tokens=3, finished=True, finish_reason="length")
    done = msg.completion(HEADER, "hello", last, BASE_NAME, created=7)
    assert done["model"] == "medical@v2" and done["choices"][0]["finish_reason"] == "length"
    assert done["usage"] == {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}
    assert done["loraloop"] == {"adapter": "medical@v2", "arm": "canary", "route": {"domain": "medical",
                                                                                  "confidence": 0.9}}
    usage = msg.completion_chunk(HEADER, BASE_NAME, 7, usage_of=last)
    assert usage["choices"] == [] and usage["usage"]["total_tokens"] == 8
    base = AnswerHeader(response_id="r-2", adapter="base", arm="stable", route_domain="", route_confidence=0.0)
    assert msg.completion_chunk(base, BASE_NAME, 7, delta={"content": "x"})["model"] == BASE_NAME
    assert msg.header_values(HEADER)["x-loraloop-route-confidence"] == "0.9"

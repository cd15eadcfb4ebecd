import inspect

import grpc

from loraloop import errors
from loraloop.serve.grpc_messages import grpc_status


def test_every_error_class_maps_to_a_specific_status():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.LoraloopError) and c is not errors.LoraloopError]
    assert classes
    for cls in classes:
        error = cls("field", "problem") if cls is errors.InvalidArgument else cls("problem")
        assert errors.status_name(error) != "INTERNAL", cls
        assert grpc_status(error) != grpc.StatusCode.INTERNAL, cls  # every name is a real gRPC status


def test_unknown_errors_are_internal():
    assert errors.status_name(RuntimeError("x")) == "INTERNAL"
    assert grpc_status(RuntimeError("x")) == grpc.StatusCode.INTERNAL

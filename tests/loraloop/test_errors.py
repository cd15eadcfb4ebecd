import inspect

import grpc

from loraloop import errors


def test_every_error_class_maps_to_a_specific_status():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass)
               if issubclass(c, errors.LoraloopError) and c is not errors.LoraloopError]
    assert classes
    for cls in classes:
        error = cls("field", "problem") if cls is errors.InvalidArgument else cls("problem")
        assert errors.status_code_for(error) != grpc.StatusCode.INTERNAL, cls


def test_unknown_errors_are_internal():
    assert errors.status_code_for(RuntimeError("x")) == grpc.StatusCode.INTERNAL

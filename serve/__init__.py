"""The serving process: gRPC servicers, the vLLM engine facade, the adapter registry and metrics."""

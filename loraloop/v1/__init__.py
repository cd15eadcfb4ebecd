"""Generated gRPC stubs for loraloop.v1; regenerate with `make proto`."""

"""Retraining jobs and daemon that publish new adapter versions (see ARCHITECTURE.md)."""

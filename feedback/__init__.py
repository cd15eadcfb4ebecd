"""Feedback store: signals, preference pairs and drift metrics (see ARCHITECTURE.md)."""

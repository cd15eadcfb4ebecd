"""Intent router, A/B arms and the rollout controller (see ARCHITECTURE.md, "Rollout")."""

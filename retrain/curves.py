"""The training curves of a job (loss and the method's metrics per step) as one PNG saved beside the adapter."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["CURVES_FILE", "plot_curves"]

CURVES_FILE = "curves.png"
# What each method's log carries that is worth a panel (TRL's names, and the PPO trainer's).
_PANELS = ("loss", "rewards/accuracies", "rewards/margins", "accuracy", "margin", "mean_token_accuracy",
           "reward_mean", "kl", "kl_coef", "learning_rate")


def plot_curves(log_file: Path, png: Path, *, title: str) -> list[str]:
    """Plot every known metric found in the JSONL step log; returns the metrics drawn (none: no file written)."""
    import matplotlib

    matplotlib.use("Agg")  # no display in a worker
    import matplotlib.pyplot as plt

    records = []
    if log_file.is_file():
        records = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    series = {name: [(r["step"], r[name]) for r in records if isinstance(r.get(name), (int, float)) and "step" in r]
              for name in _PANELS}
    series = {name: points for name, points in series.items() if points}
    if not series:
        return []
    fig, axes = plt.subplots(len(series), 1, figsize=(7, 2.2 * len(series)), sharex=True, squeeze=False)
    for ax, (name, points) in zip(axes[:, 0], series.items()):
        ax.plot([s for s, _ in points], [v for _, v in points], marker="." if len(points) < 50 else None)
        ax.set_ylabel(name, fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("step")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(png, dpi=80)
    plt.close(fig)
    return list(series)

"""Every loraloop config, importable from one place; each is defined beside the package that owns it.

Kept so that `from loraloop.config import ServeConfig` (code, tests, CLI flag builders) goes on working:
serve/config.py, feedback/config.py, router/config.py, router/rollout_config.py, retrain/config.py,
retrain/ppo_config.py, loraloop/simulate/config.py and loraloop/demo/config.py hold the classes, and
loraloop/settings.py what they share.
"""

from __future__ import annotations

from loraloop.demo.config import DemoConfig
from loraloop.feedback.config import FeedbackConfig
from loraloop.retrain.config import RETRAIN_LAUNCHERS, RETRAIN_METHODS, RetrainConfig, RetrainDaemonConfig
from loraloop.retrain.ppo_config import PPOJobConfig
from loraloop.router.config import ROUTER_CLASSIFIERS, RouterConfig
from loraloop.router.rollout_config import ROLLOUT_METRICS, RolloutConfig, check_schedule
from loraloop.serve.config import DEMO_BASES, DTYPES, QUANTIZATIONS, ServeConfig
from loraloop.settings import DEVICES, ConfigError, check_fields, default_home, setting
from loraloop.simulate.config import SIMULATE_PREFERENCES, SimulateConfig

__all__ = [
    "DEMO_BASES",
    "DEVICES",
    "DTYPES",
    "QUANTIZATIONS",
    "RETRAIN_LAUNCHERS",
    "RETRAIN_METHODS",
    "ROLLOUT_METRICS",
    "ROUTER_CLASSIFIERS",
    "SIMULATE_PREFERENCES",
    "ConfigError",
    "DemoConfig",
    "FeedbackConfig",
    "PPOJobConfig",
    "RetrainConfig",
    "RetrainDaemonConfig",
    "RolloutConfig",
    "RouterConfig",
    "ServeConfig",
    "SimulateConfig",
    "check_fields",
    "check_schedule",
    "default_home",
    "setting",
]

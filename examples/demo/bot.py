"""The example bot's model: trained once per change of its files, then reused from a cache."""

import hashlib
import json
import os
import shutil
from pathlib import Path

from examples.demo.processes import Supervisor

BOT_DIR = Path(__file__).resolve().parents[1] / "bot"
INPUTS = ("config.yml", "domain", "data")


def fingerprint(bot_dir: Path = BOT_DIR) -> str:
    """Hash every training input of the bot, so any edit asks for a new model."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = bot_dir / name
        files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(bot_dir)).encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def ensure_model(
    supervisor: Supervisor, rasa: Path, cache: Path, say=print, bot_dir: Path = BOT_DIR
) -> Path:
    """Return the cached model for the bot's current files, training it first if needed."""
    name = f"bot-{fingerprint(bot_dir)}"
    model = cache / f"{name}.tar.gz"
    if model.exists():
        say(f"  bot model: {model} (cached)")
        return model
    say("  bot model: training the example bot once (about a minute)...")
    # Trained beside the cache and moved in whole, so a concurrent run never loads half a file.
    scratch = cache / f"training-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    argv = [str(rasa), "train", "--out", str(scratch), "--fixed-model-name", name]
    argv += ["--config", "config.yml", "--domain", "domain", "--data", "data"]
    env = {"RASA_TELEMETRY_ENABLED": "false", "RASA_CACHE_DIRECTORY": str(cache / ".rasa-cache")}
    supervisor.run("rasa-train", argv, env=env, cwd=bot_dir, timeout=900)
    os.replace(scratch / model.name, model)
    shutil.rmtree(scratch, ignore_errors=True)
    return model


def write_settings(folder: Path, channel: dict, action_url: str) -> tuple[Path, Path]:
    """Write the credentials.yml (the WhatsApp channel) and endpoints.yml Rasa runs with."""
    credentials, endpoints = folder / "credentials.yml", folder / "endpoints.yml"
    # JSON is YAML, and it needs no quoting rules for secrets.
    credentials.write_text(json.dumps({"plugin.whatsapp.WhatsAppInput": channel}, indent=2))
    endpoints.write_text(json.dumps({"action_endpoint": {"url": action_url}}, indent=2))
    return credentials, endpoints

"""The demo's bot model cache: keyed by the bot's training files, reused while they stay put."""

import shutil

from examples.demo import bot
from examples.demo.processes import Supervisor


def copy_bot(tmp_path):
    target = tmp_path / "bot"
    for name in bot.INPUTS:
        source = bot.BOT_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            target.mkdir(exist_ok=True)
            shutil.copy(source, target / name)
    return target


def test_the_fingerprint_follows_every_training_file(tmp_path):
    bot_dir = copy_bot(tmp_path)
    first = bot.fingerprint(bot_dir)
    assert bot.fingerprint(bot_dir) == first
    (bot_dir / "credentials.yml").write_text("not a training input\n")
    assert bot.fingerprint(bot_dir) == first
    for name in ("config.yml", "domain/bot.yml", "domain/wa_handoff.yml", "data/nlu.yml"):
        path = bot_dir / name
        original = path.read_text()
        path.write_text(original + "\n# edited\n")
        assert bot.fingerprint(bot_dir) != first, name
        path.write_text(original)
    (bot_dir / "data" / "more.yml").write_text('version: "3.1"\n')
    assert bot.fingerprint(bot_dir) != first


def test_a_cached_model_is_reused_without_running_rasa(tmp_path):
    bot_dir = copy_bot(tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    model = cache / f"bot-{bot.fingerprint(bot_dir)}.tar.gz"
    model.write_bytes(b"a trained model")
    said = []
    missing_rasa = tmp_path / "no-rasa-here"
    found = bot.ensure_model(
        Supervisor(tmp_path / "logs"), missing_rasa, cache, said.append, bot_dir
    )
    assert found == model and "(cached)" in said[0]
    assert not (tmp_path / "logs" / "rasa-train.log").exists()

"""Print the domain fragment: `python -m plugin.domain_fragment > domain/wa_handoff.yml`."""

from pathlib import Path

PATH = Path(__file__).with_name("domain") / "wa_handoff.yml"

if __name__ == "__main__":
    print(PATH.read_text(), end="")

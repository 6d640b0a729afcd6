"""A throwaway self-signed certificate for the stand-in's chat page on 127.0.0.1."""

import shutil
from pathlib import Path

from examples.demo.processes import StartupError, Supervisor


def self_signed(supervisor: Supervisor, folder: Path) -> tuple[Path, Path]:
    """Create a certificate and key for 127.0.0.1 with openssl; return their paths."""
    if not shutil.which("openssl"):
        raise StartupError("openssl is missing: run `apt-get install openssl`")
    cert, key = folder / "standin-cert.pem", folder / "standin-key.pem"
    argv = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "7"]
    argv += ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    supervisor.run("setup", [*argv, "-keyout", str(key), "-out", str(cert)])
    return cert, key

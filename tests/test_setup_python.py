"""scripts/setup-python takes packages only from the mirror the machine names.

It reads the machine's apt sources (one-line and deb822) and has no address of
its own: without a mirror there, it stops and says so.
"""

from __future__ import annotations

import os
from pathlib import Path
import re
import subprocess

import pytest

ROOT = Path(__file__).parent.parent
SCRIPT = ROOT / "scripts" / "setup-python"


def list_mirrors(etc: Path) -> subprocess.CompletedProcess[str]:
    """Run ``scripts/setup-python --list-mirrors`` against ``etc`` as /etc."""
    return subprocess.run(  # noqa: S603
        ["/bin/bash", str(SCRIPT), "--list-mirrors"],
        env={**os.environ, "SETUP_PYTHON_ETC": str(etc)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def write(etc: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (etc / name).parent.mkdir(parents=True, exist_ok=True)
        (etc / name).write_text(text, encoding="utf-8")


def test_reads_every_kind_of_source(tmp_path: Path) -> None:
    """Both formats, the machine's release first; nothing disabled or source-only."""
    write(
        tmp_path,
        {
            "os-release": 'ID=debian\nVERSION_CODENAME="bookworm"\n',
            "apt/sources.list": (
                "# deb http://commented.example/debian bookworm main\n"
                "deb-src http://source-only.example/debian bookworm main\n"
                "deb [arch=amd64 signed-by=/k.gpg] http://third-party.example/repo"
                " stable x\n"
                "deb http://security.example/debian-security bookworm-security main\n"
            ),
            "apt/sources.list.d/mirror.list": (
                "deb http://one-line.example/debian/ bookworm main  # the archive\n"
            ),
            "apt/sources.list.d/debian.sources": (
                "Types: deb\n"
                "URIs: https://deb822.example/debian\n"
                "  http://folded.example/debian\n"
                "Suites: bookworm bookworm-updates\n"
                "Components: main\n"
                "Signed-By:\n"
                " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
                " .\n"
                " -----END PGP PUBLIC KEY BLOCK-----\n"
                "\n"
                "Types: deb\n"
                "URIs: http://disabled.example/debian\n"
                "Suites: bookworm\n"
                "Enabled: no\n"
                "\n"
                "Types: deb-src\n"
                "URIs: http://deb822-source-only.example/debian\n"
                "Suites: bookworm\n"
                "\n"
                "# A comment.\n"
                "types: deb\n"
                "uris: file:/srv/local-repo\n"
                "suites: ./\n"
            ),
            "apt/sources.list.d/other.list.disabled": (
                "deb http://not-read.example/debian bookworm main\n"
            ),
        },
    )
    result = list_mirrors(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "http://one-line.example/debian",
        "https://deb822.example/debian",
        "http://folded.example/debian",
        "http://third-party.example/repo",
        "http://security.example/debian-security",
    ]


@pytest.mark.parametrize(
    "sources",
    [
        pytest.param({}, id="no-sources"),
        pytest.param(
            {"apt/sources.list": "# deb http://commented.example/debian sid main\n"},
            id="only-comments",
        ),
        pytest.param(
            {"apt/sources.list.d/cd.list": "deb cdrom:[Debian]/ bookworm main\n"},
            id="no-http-mirror",
        ),
    ],
)
def test_no_mirror_is_a_clear_error(tmp_path: Path, sources: dict[str, str]) -> None:
    """Without a mirror in the machine's sources, it says so and brings nothing."""
    write(tmp_path, sources)
    result = list_mirrors(tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert "add a Debian mirror" in result.stderr


def test_scripts_name_no_address() -> None:
    """The scripts fetch only through the machine's own configuration.

    The only addresses they name are this machine's (the simulator, the demo).
    """
    for path in [*sorted((ROOT / "scripts").glob("*")), ROOT / ".ci" / "run"]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            hosts = re.findall(r"\b[a-z][a-z0-9+.-]*://([^/\s:'\"{}]+)", text)
            assert set(hosts) <= {"127.0.0.1", "localhost"}, (path.name, hosts)

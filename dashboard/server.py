"""How `sellthrough dashboard` starts Streamlit: the command line and its environment (also used by the
browser test and the benchmark)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).with_name("app.py")
DEFAULT_PORT = 8501
DEFAULT_HOST = "127.0.0.1"


def command(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> list[str]:
    """`python -m streamlit run dashboard/app.py` for serving, not developing: headless, no usage statistics
    sent anywhere, no file watcher, the viewer's toolbar."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        f"--server.address={host}",
        f"--server.port={port}",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=viewer",
        "--client.showErrorDetails=false",
        "--theme.base=light",
    ]


def environment(published: Path, data_dir: Path | None = None) -> dict[str, str]:
    """The dashboard reads SELLTHROUGH_PUBLISHED_PATH (and the data dir's config for the freshness cadence)."""
    env = {**os.environ, "SELLTHROUGH_PUBLISHED_PATH": str(Path(published).resolve())}
    if data_dir is not None:
        env["SELLTHROUGH_DATA_DIR"] = str(Path(data_dir).resolve())
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return env


def url(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    return f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0') else host}:{port}"

"""Named crash points for the crash-safety tests: `SELLTHROUGH_FAILPOINT=<name>` kills the process group
with SIGKILL when the code reaches that point (as a power cut or the OOM killer would). Unset, a failpoint
is one dictionary lookup."""

import os
import signal

ENV = "SELLTHROUGH_FAILPOINT"


def failpoint(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.killpg(os.getpgid(0), signal.SIGKILL)

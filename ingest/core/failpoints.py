"""Named fault points for the crash-safety and retry tests.

`SELLTHROUGH_FAILPOINT=<name>` kills the process group with SIGKILL when the code reaches that point (as a power
cut or the OOM killer would). `SELLTHROUGH_FAILPOINT=<name>:error-once` raises `TransientFault` (an OSError) the
first time this process reaches it, as a full disk or a network share that blinks would; a retry then passes.
Unset, a failpoint is one dictionary lookup.
"""

import os
import signal

ENV = "SELLTHROUGH_FAILPOINT"
ERROR_ONCE = ":error-once"
FIRED: set[str] = set()  # error-once points already raised in this process


class TransientFault(OSError):
    """A simulated transient I/O failure."""


def failpoint(name: str) -> None:
    wanted = os.environ.get(ENV)
    if wanted is None:
        return
    if wanted == name:
        os.killpg(os.getpgid(0), signal.SIGKILL)
    if wanted == name + ERROR_ONCE and name not in FIRED:
        FIRED.add(name)
        raise TransientFault(f"failpoint {name}: simulated transient failure")

"""Worker processes that end with the process that started them.

A sweep's loky worker processes are its children. When the sweep ends
normally it stops them; when it is killed (``SIGKILL``, the machine's
out-of-memory killer) nothing did, and they kept running for nobody. Each
worker therefore runs a watchdog thread, started by loky's worker
initializer, that ends the worker within a second once the sweep's process
is gone. (A Dask ``LocalCluster``'s workers already watch their parent.)
"""

from __future__ import annotations

import os
import threading
import time

__all__ = ["CHECK_SECONDS", "end_with_parent"]

#: How often a worker looks for its sweep's process, in seconds.
CHECK_SECONDS = 0.5


def end_with_parent(parent: int) -> None:
    """In a worker process: end it (exit status 1) once process ``parent`` is gone.

    The worker's own parent changes when that process dies (the worker is
    handed to init), and ``parent`` stops answering a null signal; either
    ends the worker. Calling it again in the same process does nothing.

    Args:
        parent: The sweep's process id.
    """
    if any(thread.name == _THREAD for thread in threading.enumerate()):
        return
    first = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(CHECK_SECONDS)
            if os.getppid() != first or not _alive(parent):
                os._exit(1)

    threading.Thread(target=watch, name=_THREAD, daemon=True).start()


_THREAD = "loyaltysim-end-with-parent"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists and is this user's (another user's: the id was reused)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True

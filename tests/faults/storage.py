"""Make one directory of the real file store refuse writes, as a read-only or full disk would.

Mode 0o500 stops a normal user but not root (CI and this machine run tests as root),
so root gets the immutable attribute (`chattr +i`, which root too must obey); where the
kernel does not allow that either, the directory is moved aside and a regular file takes
its place, which refuses every write under it. Either way a probe write must fail before the test
goes on, so the refusal is real and not assumed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path


def _chattr(flag: str, directory: Path) -> bool:
    chattr = shutil.which("chattr")
    if chattr is None:
        return False
    done = subprocess.run([chattr, flag, str(directory)], capture_output=True, check=False)
    return done.returncode == 0


def _refuses(directory: Path) -> bool:
    probe = directory / ".probe"
    try:
        probe.write_bytes(b"x")
    except OSError:
        return True
    probe.unlink()
    return False


@contextmanager
def refusing_writes(directory: Path) -> Iterator[str]:
    """`directory` (created if missing) refuses new files in the block; yields how."""
    directory.mkdir(parents=True, exist_ok=True)
    aside = directory.with_name(f"{directory.name}.aside")
    if os.geteuid() != 0:
        how = "read-only"
        directory.chmod(0o500)
    elif _chattr("+i", directory):
        how = "immutable"
    else:
        how = "a file in its place"
        directory.rename(aside)
        directory.write_bytes(b"")
    try:
        assert _refuses(directory), f"{directory} still takes writes ({how})"
        yield how
    finally:
        if how == "read-only":
            directory.chmod(0o700)
        elif how == "immutable":
            _chattr("-i", directory)
        else:
            with suppress(FileNotFoundError):
                directory.unlink()
            aside.rename(directory)

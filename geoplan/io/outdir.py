"""One build, one generation: the output folder is swapped in whole, never patched file by file.

Why: atomic writes per file are not enough for a folder whose files describe
each other (``report.json`` counts what ``features.geojson`` holds, the theme
files and maps follow the features).  A build killed half-way, a full disk or
a rebuild with fewer plans used to leave a folder of mixed generations and
stale theme files; a failed build replaced good output with empty files.

:func:`generation` gives the writers a private staging folder beside ``out``
(same file system, so the swap is a rename); only when every file is written
is it exchanged with ``out`` in one step (``renameat2(RENAME_EXCHANGE)`` on
Linux; elsewhere two renames, with the previous folder restored by the next
run if a crash falls between them).  The previous output stays until then, and
stays for good when the build fails.  A lock file beside ``out`` makes a
second build into the same folder fail at once with a clear message instead of
racing the first; the operating system drops the lock when its process dies,
so a killed build never blocks the next one, which also removes what the
killed one left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geoplan.errors import ExportError

_NEW = ".new-"
_OLD = ".old-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def build_lock(out: Path) -> Iterator[Path]:
    """Hold an exclusive lock for writing ``out``; fail clearly when another build holds it."""
    import fcntl

    path = lock_path(out)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ExportError(f"{out}: cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise ExportError(
                    f"{out}: another geoplan build is writing into this folder (lock {path}); "
                    "wait for it to finish or choose another --out"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)  # closing releases the lock


def _leftovers(out: Path, marker: str) -> list[Path]:
    prefix = f".{out.name}{marker}"
    return sorted(p for p in out.parent.glob(f"{prefix}*") if p.is_dir())


def recover(out: Path) -> None:
    """Put back what a killed build left half-done (call with the lock held).

    A previous generation moved aside without its successor in place is moved
    back; every other staging or old folder is removed.
    """
    olds = _leftovers(out, _OLD)
    if olds and not out.exists():
        os.rename(olds[-1], out)
        olds = olds[:-1]
    for p in [*olds, *_leftovers(out, _NEW)]:
        shutil.rmtree(p, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux ≥ 3.15); False when the system cannot."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(staging: Path, out: Path) -> None:
    """Make ``staging`` the folder ``out``; the previous ``out`` is removed afterwards."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous generation
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OLD}", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def generation(out: Path | str) -> Iterator[Path]:
    """Yield a staging folder to write a whole build into; swap it in as ``out`` on success.

    On any exception the staging folder is removed and ``out`` is untouched.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out}: exists and is not a folder; choose another --out")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out}: cannot create its parent folder: {exc.strerror or exc}") from None
    with build_lock(out):
        recover(out)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{_NEW}", dir=out.parent))
        except OSError as exc:
            raise ExportError(f"{out}: cannot write beside it: {exc.strerror or exc}") from None
        try:
            yield staging
            os.chmod(staging, 0o777 & ~_umask())
            swap_in(staging, out)
        except OSError as exc:  # a full disk, a read-only folder: exit 7, the previous output kept
            raise ExportError(f"{out}: the output could not be written: {exc.strerror or exc}") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Shared pytest fixtures.

The real plans live outside the repository, in ``../shared/corpus`` (they may
not be copied into the project); tests that read them are marked ``corpus``
and skipped when the folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _missing(reason: str) -> None:
    """Skip on a developer's machine without the corpus; fail in CI, where it must be there."""
    import os

    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the corpus tests)")
    pytest.skip(reason)


def corpus_file(prefix: str) -> Path:
    """The corpus plan whose file name starts with ``prefix`` (``"002"``)."""
    matches = sorted(CORPUS_DIR.glob(f"{prefix}*.txt"))
    if not matches:
        _missing(f"no corpus file {prefix}* in {CORPUS_DIR}")
    return matches[0]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS_DIR.is_dir():
        _missing(f"corpus not found at {CORPUS_DIR}")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def corpus_files(corpus_dir: Path) -> list[Path]:
    """The five plans, in file-name order."""
    return sorted(corpus_dir.glob("*.txt"))


def postgis_missing(root: Path = Path("/")) -> str | None:
    """One line naming what a PostGIS test needs and this machine lacks (None when all is there).

    Debian's ``postgis`` package only recommends the server extension, which is named after the
    server's major version (``postgresql-15-postgis-3``); say that package, not a stack of errors.
    """
    import glob
    import shutil

    majors = sorted({Path(p).parents[1].name for p in glob.glob(str(root / "usr/lib/postgresql/*/bin/initdb"))},
                    key=lambda v: int(v) if v.isdigit() else 0)
    if not majors and (root != Path("/") or shutil.which("initdb") is None):
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql"
    major = majors[-1] if majors else None
    control = root / f"usr/share/postgresql/{major}/extension/postgis.control" if major else None
    if control is None or not control.is_file():
        package = f"postgresql-{major}-postgis-3" if major else "postgresql-NN-postgis-3"
        return f"the PostGIS server extension is missing (no postgis.control): apt-get install {package}"
    return None


@pytest.fixture(scope="session")
def postgis_available() -> None:
    """Checked once per session: fail in CI (skip elsewhere) with one clear line, no traceback."""
    import os

    missing = postgis_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI must run the PostGIS tests)", pytrace=False)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One gazetteer cache for the session's gazetteer tests: the national layer is built once."""
    d = tmp_path_factory.getbasetemp() / "gazetteer-cache"
    d.mkdir(exist_ok=True)
    return d


@pytest.fixture(scope="session", autouse=True)
def _session_cache(cache_dir: Path):
    """Without ``GEOPLAN_CACHE`` the whole session shares ``cache_dir`` as geoplan's cache.

    So the national layer is built (cold, which is what covers its builder) once per session and
    every later load of it, by the fixtures or the CLI, is a hit; never the user's ``~/.cache``.
    A developer's own ``GEOPLAN_CACHE`` is kept (its files are keyed by the data they come from).
    """
    import os

    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("GEOPLAN_CACHE"):
            mp.setenv("GEOPLAN_CACHE", str(cache_dir))
        yield


def _default_gazetteer_key() -> tuple:
    """What ``Gazetteer.load()`` with no arguments reads: the layers folder, its layers, the national sources.

    Each file by (path, size, mtime): a test that points ``GEOPLAN_LAYERS`` elsewhere or edits a
    layer gets a gazetteer of its own.  The cache folder is not part of it (a cache changes no result).
    """
    from geoplan import paths
    from geoplan.gazetteer.admin import AdminSources
    from geoplan.gazetteer.curated import layer_files

    layers = paths.layers_dir().resolve()
    files = [*layer_files(layers), *AdminSources.installed().files()]
    return (str(layers), *((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files))


@pytest.fixture(scope="session", autouse=True)
def _one_default_gazetteer(_session_cache):
    """``Gazetteer.load()`` with no arguments (the CLI's and the pipeline's default) loads once per session.

    In-process CLI calls (``CliRunner``) and builds without a ``gazetteer=`` would otherwise each
    reload the same national layer and curated layers from the cache (seconds each).  Loads with
    any argument (other layers, user layers, another cache folder: the cache tests) are untouched,
    and so is every real ``geoplan`` subprocess.  The gazetteer is read-only once built, so sharing
    it is what the ``gazetteer`` fixture has always done.
    """
    import inspect

    from geoplan.gazetteer import Gazetteer

    real = Gazetteer.load.__func__
    signature = inspect.signature(real)
    loaded: dict[tuple, Gazetteer] = {}

    def is_default(name: str, value) -> bool:
        default = signature.parameters[name].default
        return value is default or value == default or (not value and isinstance(value, (list, tuple))
                                                        and isinstance(default, (list, tuple)))

    def load(cls, *args, **kwargs):
        given = signature.bind(cls, *args, **kwargs).arguments
        if cls is not Gazetteer or not all(is_default(n, v) for n, v in list(given.items())[1:]):
            return real(cls, *args, **kwargs)
        key = _default_gazetteer_key()
        if key not in loaded:
            loaded[key] = real(cls)
        return loaded[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Gazetteer, "load", classmethod(load))
        yield


@pytest.fixture(scope="session")
def gazetteer():
    """The embedded gazetteer, loaded once per test session (the same object ``Gazetteer.load()`` gives)."""
    from geoplan.gazetteer import Gazetteer

    return Gazetteer.load()


@pytest.fixture(scope="session")
def corpus_build(corpus_files, gazetteer, tmp_path_factory):
    """All five plans built once into one output folder (the end-to-end run).

    Under pytest-xdist the workers of one run share it: the first to need it builds it (the
    others wait on a lock) and leaves the result pickled beside the folder for the others.
    """
    import fcntl
    import os
    import pickle

    from geoplan.pipeline import build

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's, not the worker's
    out, saved = shared / "corpus-build", shared / "corpus-build.pickle"
    with open(shared / "corpus-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if saved.is_file():
            with saved.open("rb") as fh:
                return pickle.load(fh), out
        if out.exists():  # built by a worker that could not share it: this one builds its own
            out = tmp_path_factory.mktemp("corpus-build")
        result = build(corpus_files, out, gazetteer=gazetteer)
        try:
            with open(f"{saved}.tmp", "wb") as fh:
                pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(f"{saved}.tmp", saved)
        except Exception:  # noqa: BLE001 - not shareable: each worker builds its own
            Path(f"{saved}.tmp").unlink(missing_ok=True)
    return result, out


def cli_build(folder: Path, file_name: str, text: str) -> tuple[Path, Path]:
    """Write ``text`` as the plan ``folder/file_name`` and ``geoplan build`` it into ``folder/out``.

    The CLI's own path (click, the error handler, the output swap), not the Python API;
    the build must succeed.  Returns ``(plan, out)``.
    """
    from click.testing import CliRunner

    from geoplan.cli import main

    plan = folder / file_name
    plan.write_text(text, encoding="utf-8")
    out = folder / "out"
    res = CliRunner().invoke(main, ["build", str(plan), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return plan, out


@pytest.fixture(scope="session")
def example_build(gazetteer, tmp_path_factory):
    """The example plan shipped with geoplan, built once: tables, theme layers, index, plan and theme maps."""
    from geoplan.pipeline import build

    out = tmp_path_factory.mktemp("example-build")
    build([Path(__file__).resolve().parents[1] / "examples" / "qingpu_west_excerpt.txt"], out, gazetteer=gazetteer)
    return out

"""``youthsafe.detection`` is a pure library (issue 17): importing any of its modules loads nothing of Django and
none of the apps, so the scanner runs without Django and the apps depend on detection, never the reverse.

The modules are imported in a fresh interpreter, one after the other, noting what each one loaded first; what
the test process itself has loaded (Django, through pytest-django) does not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

APPS = ("alerts", "content", "core", "leads", "outreach", "pipeline", "registry", "reports", "supervision")

_CHILD = """
import importlib, json, pkgutil, sys

import youthsafe.detection as package

found = {}
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    before = set(sys.modules)
    importlib.import_module(info.name)
    found[info.name] = sorted(set(sys.modules) - before)
print(json.dumps(found))
"""


def _forbidden(module: str) -> bool:
    top = module.split(".")
    return top[0] == "django" or (top[0] == "youthsafe" and len(top) > 1 and top[1] in APPS)


def _imports() -> dict[str, list[str]]:
    """Every module of youthsafe.detection and the modules it was first to load."""
    done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    loaded: dict[str, list[str]] = json.loads(done.stdout)
    return loaded


def test_detection_imports_nothing_of_django_or_the_apps() -> None:
    loaded = _imports()
    assert {"youthsafe.detection.engine", "youthsafe.detection.commands", "youthsafe.detection.training"} <= set(loaded)
    offenders = {name: [m for m in modules if _forbidden(m)] for name, modules in loaded.items()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_boundary_names_what_it_forbids() -> None:
    assert _forbidden("django")
    assert _forbidden("django.db.models")
    assert _forbidden("youthsafe.core.models")
    assert _forbidden("youthsafe.alerts")
    assert not _forbidden("youthsafe.detection.engine")
    assert not _forbidden("youthsafe")
    assert not _forbidden("djangoish")

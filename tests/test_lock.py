"""requirements.lock pins every package pyproject.toml asks for, within pyproject's bounds.

Every install (make site, make test, CI, the Pages workflow) is constrained by the
lock, so a fresh clone gets the versions the suite last passed with, not whatever
was released since. These tests keep the two files in step: a bound raised in
pyproject without `make lock` fails here, not on someone's fresh machine.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*(.+))?$")


def locked() -> dict[str, list[tuple[Version, Marker | None]]]:
    """Each locked package's versions, with the markers saying where each applies."""
    pins: dict[str, list[tuple[Version, Marker | None]]] = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _PIN.match(line.strip())
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        name, version, marker = match.groups()
        pins.setdefault(canonicalize_name(name), []).append((Version(version), Marker(marker) if marker else None))
    return pins


def declared() -> list[Requirement]:
    """pyproject.toml's dependencies and every extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    texts = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        texts.extend(extra)
    return [Requirement(text) for text in texts]


def applies(marker: Marker | None, python: str) -> bool:
    return marker is None or marker.evaluate({"python_full_version": python, "python_version": python[:4]})


@pytest.mark.parametrize("python", ["3.11.0", "3.12.0", "3.13.0"])
def test_the_lock_pins_every_declared_package_within_its_bounds(python: str) -> None:
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in pyproject.toml but not in requirements.lock: run `make lock`"
        versions = [version for version, marker in pins[name] if applies(marker, python)]
        assert len(versions) == 1, f"{name}: {len(versions)} pins apply to Python {python}"
        assert requirement.specifier.contains(versions[0], prereleases=True), (
            f"requirements.lock pins {name}=={versions[0]}, outside pyproject's '{requirement}': run `make lock`")


def test_the_installed_packages_are_the_locked_versions() -> None:
    """What this suite runs against is what a fresh clone installs (make installs with -c requirements.lock)."""
    python = ".".join(map(str, sys.version_info[:3]))
    wrong = []
    for name, pins in locked().items():
        versions = [version for version, marker in pins if applies(marker, python)]
        try:
            installed = Version(importlib.metadata.version(name))
        except importlib.metadata.PackageNotFoundError:
            continue  # an extra this environment did not install (bench's hugo, say)
        if versions and installed != versions[0]:
            wrong.append(f"{name} {installed} (locked {versions[0]})")
    assert not wrong, "installed versions differ from requirements.lock: " + ", ".join(wrong) + \
        " (run `make test`, which reinstalls when the lock changes)"

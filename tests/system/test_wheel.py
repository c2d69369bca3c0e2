"""The wheel a non-editable install gets (`deploy/install.sh` on the Pi): built from a copy
of the checkout, it holds every product module and data file, and nothing of the tests."""

import shutil
import subprocess
import sys
import zipfile

from support import REPO

FOLDERS = {"daemon": "spirokiosk/daemon", "display": "spirokiosk/display", "web": "spirokiosk/web"}
DATA_SUFFIXES = (".toml", ".html", ".css", ".js", ".svg")


def product_files() -> set[str]:
    """Where each product file must be in the wheel."""
    expected = set()
    for folder, target in FOLDERS.items():
        for path in (REPO / folder).rglob("*"):
            wanted = path.suffix == ".py" or path.suffix in DATA_SUFFIXES
            if path.is_file() and wanted and "__pycache__" not in path.parts:
                expected.add(f"{target}/{path.relative_to(REPO / folder).as_posix()}")
    return expected


def test_the_wheel_holds_every_module_and_data_file(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for folder in FOLDERS:
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = out.glob("spirokiosk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = product_files()
    assert len(expected) > 80
    assert expected - names == set()
    assert "spirokiosk/web/app/templates/index.html" in names
    assert "spirokiosk/display/curves/presets.toml" in names
    assert not [n for n in names if n.startswith(("tests/", "support/", "spirokiosk/tests"))]
    assert not [n for n in names if n.endswith(".py") and n not in expected]

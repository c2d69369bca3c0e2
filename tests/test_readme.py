"""The README stays true: its config table is the schema's, its commands exist."""

import pathlib
import re

from spirokiosk.daemon.config import config_reference_markdown

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_config_table_is_the_schema():
    assert config_reference_markdown().strip() in README


def test_every_config_key_is_documented():
    rows = re.findall(r"^\| `(\w+\.\w+)` \|", README, flags=re.M)
    table_keys = re.findall(r"^\| `(\w+\.\w+)` \|", config_reference_markdown(), flags=re.M)
    assert sorted(set(rows)) == sorted(table_keys)


def test_the_opening_commands_exist_and_ci_runs_the_test_command():
    opening = README.split("## ", 1)[0]
    commands = re.findall(r"^(scripts/\w+)", opening, flags=re.M)
    assert commands == ["scripts/kiosk", "scripts/test"]
    for command in commands:
        assert (ROOT / command).stat().st_mode & 0o111, f"{command} is not executable"
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()

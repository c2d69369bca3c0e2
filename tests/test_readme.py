"""The README stays true: its config table is the schema's, its commands exist, the keys
it says need a restart are the schema's, the files it points developers to exist."""

import re

from support import REPO as ROOT

from spirokiosk.daemon.config import config_reference_markdown, restart_keys
from spirokiosk.daemon.config.schema import all_keys

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


def test_the_keys_said_to_need_a_restart_are_the_schemas():
    said = README.split("Logged as needing `systemctl restart`:", 1)[1].split("\n- ", 1)[0]
    whole_sections = re.findall(r"every `(\w+)\.` key", said)
    keys = set(re.findall(r"`(\w+\.\w+)`", said))
    keys |= {spec.dotted for spec in all_keys() if spec.section in whole_sections}
    assert keys == restart_keys()


def test_the_files_of_how_it_fits_together_exist():
    section = README.split("## How it fits together", 1)[1].split("\n## ", 1)[0]
    paths = set(re.findall(r"`((?:display|web|daemon|tests)/[\w/.]*)`", section))
    assert len(paths) > 10
    missing = [p for p in sorted(paths) if not (ROOT / p.removesuffix("*.py")).exists()]
    assert missing == []

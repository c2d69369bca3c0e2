"""setup.cfg follows the tree: every package of the three code folders is listed (a
package left out would be missing from a non-editable install, which is what the Pi
gets, while editable installs and the tests still pass). The wheel itself is built and
read in tests/system/test_wheel.py."""

import configparser

from support import REPO

FOLDERS = {"daemon": "spirokiosk.daemon", "display": "spirokiosk.display", "web": "spirokiosk.web"}


def tree_packages() -> set[str]:
    found = set()
    for folder, name in FOLDERS.items():
        for init in (REPO / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO / folder).parts
            found.add(".".join([name, *parts]))
    return found


def setup_cfg() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg", encoding="utf-8")
    return parser


def test_setup_cfg_lists_every_package_of_the_tree_and_no_other():
    listed = {line.strip() for line in setup_cfg()["options"]["packages"].split("\n")}
    listed.discard("")
    assert listed == tree_packages()


def test_package_dir_maps_the_three_folders():
    mapping = {}
    for line in setup_cfg()["options"]["package_dir"].strip().splitlines():
        name, _, folder = line.partition("=")
        mapping[name.strip()] = folder.strip()
    assert mapping == {name: folder for folder, name in FOLDERS.items()}

"""The house rules, read from the source: which package may import which, no circles
between modules, a docstring in every package, nothing of the tests in the product.

The direction (design.md): daemon -> display, web; web -> display; display -> neither.
Inside display, bottom up: the helper modules (messages, sizes, pixels, rates, toml_text) import
nothing of the project; curves imports only them; draw adds curves; camera and export
add draw; screen only the helpers. Every import counts, also those inside functions
(they run later, but they are dependencies all the same).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest
from support import REPO

FOLDERS = {"daemon": "spirokiosk.daemon", "display": "spirokiosk.display", "web": "spirokiosk.web"}

HELPERS = (
    "spirokiosk.display.messages",
    "spirokiosk.display.sizes",
    "spirokiosk.display.pixels",
    "spirokiosk.display.rates",
    "spirokiosk.display.toml_text",
)
# Light packages whose __init__ names what the config may choose (never their modules).
NAME_PACKAGES = (
    "=spirokiosk.display.camera",
    "=spirokiosk.display.draw",
    "=spirokiosk.display.screen",
)

# Who may import what: the most specific prefix of a module's name decides. A target is
# allowed when it is, or lies inside, one of the listed prefixes ('=' means that module
# exactly, not what lies inside it). A unit may always import itself.
RULES: Mapping[str, tuple[str, ...]] = {
    "spirokiosk.display": (),
    **{helper: () for helper in HELPERS},
    "spirokiosk.display.curves": HELPERS,
    "spirokiosk.display.draw": ("spirokiosk.display.curves", *HELPERS),
    "spirokiosk.display.camera": (
        "spirokiosk.display.draw",
        "spirokiosk.display.curves",
        *HELPERS,
    ),
    "spirokiosk.display.screen": HELPERS,
    "spirokiosk.display.export": (
        "spirokiosk.display.draw",
        "spirokiosk.display.curves",
        *HELPERS,
    ),
    "spirokiosk.web": (),
    "spirokiosk.web.hub": ("spirokiosk.display.pixels", "spirokiosk.display.rates"),
    "spirokiosk.web.app": (
        "spirokiosk.web.hub",
        "spirokiosk.display.curves",
        "spirokiosk.display.draw.layout",
        "spirokiosk.display.export",
        *HELPERS,
    ),
    "spirokiosk.web.app.errors": (),  # a leaf: every module of the app may raise its error
    "spirokiosk.web.server": ("spirokiosk.web.app", "spirokiosk.web.urls", *HELPERS),
    "spirokiosk.daemon": (),
    "spirokiosk.daemon.config": (
        "spirokiosk.daemon.schedule.ranges",  # the on-times' grammar
        "spirokiosk.display.curves",  # the preset and shape names, read when loading
        *HELPERS,
        *NAME_PACKAGES,
    ),
    "spirokiosk.daemon.config.sections": (
        "spirokiosk.daemon.config.keys",
        "spirokiosk.daemon.config.value_types",
        "spirokiosk.display.sizes",
        *NAME_PACKAGES,
    ),
    "spirokiosk.daemon.config.value_types": (
        "spirokiosk.daemon.schedule.ranges",  # the on-times' grammar
        "spirokiosk.display.messages",
        "spirokiosk.display.sizes",
    ),
    "spirokiosk.daemon.cli": ("spirokiosk.daemon.config",),
    "spirokiosk.daemon.commands": (
        "spirokiosk.daemon.config",
        "spirokiosk.daemon.service",
        "spirokiosk.display",
        "spirokiosk.web",
    ),
    "spirokiosk.daemon.discovery": ("spirokiosk.web.urls",),  # the page URL's spelling
    "spirokiosk.daemon.mqtt": ("spirokiosk.daemon.config", *HELPERS),
    "spirokiosk.daemon.schedule": HELPERS,
    "spirokiosk.daemon.service": (
        "spirokiosk.daemon.config",
        "spirokiosk.daemon.discovery",
        "spirokiosk.daemon.mqtt",
        "spirokiosk.daemon.schedule",
        "spirokiosk.daemon.state",
        "spirokiosk.display",
        "spirokiosk.web",
    ),
    "spirokiosk.daemon.state": ("spirokiosk.display.curves",),
}
# Whatever else a product module imports must not be the tests' own code.
TEST_ONLY = ("support", "tests", "pytest", "hypothesis", "selenium", "conftest")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([FOLDERS[parts[0]], *parts[1:]])


def product_sources(root: Path = REPO) -> dict[str, str]:
    """module name -> source text, for every module of the three code folders."""
    return {
        module_name(path, root): path.read_text(encoding="utf-8")
        for folder in FOLDERS
        for path in sorted((root / folder).rglob("*.py"))
    }


def imports_of(module: str, source: str, known: Iterable[str]) -> set[str]:
    """Every module `module` imports (absolute names), wherever the import statement is.

    `from package import name` counts as importing package.name when that is a module
    (and as importing the package only for names that are not modules).
    """
    known = set(known)
    package = module if f"{module}.__init__" in known else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if len(submodules) < len(node.names):  # some names come from the module itself
                found.add(target)
    return found


def rule_for(module: str) -> tuple[str, str]:
    """(unit, allowed prefixes): the most specific rule whose prefix holds `module`."""
    units = [unit for unit in RULES if module == unit or module.startswith(unit + ".")]
    if not units:
        raise AssertionError(f"{module}: no import rule covers it; add one to RULES")
    unit = max(units, key=len)
    return unit, RULES[unit]


def allowed(target: str, unit: str, prefixes: Iterable[str]) -> bool:
    for prefix in (unit, *prefixes):
        if prefix.startswith("="):
            if target == prefix[1:]:
                return True
        elif target == prefix or target.startswith(prefix + "."):
            return True
    return False


def dependency_graph(sources: Mapping[str, str]) -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    known = set(sources) | {f"{m}.__init__" for m in sources if _is_package(m, sources)}
    graph = {}
    for module, source in sources.items():
        targets = imports_of(module, source, known)
        graph[module] = {t for t in targets if t in sources and t != module}
    return graph


def _is_package(module: str, sources: Mapping[str, str]) -> bool:
    return any(other.startswith(module + ".") for other in sources)


def direction_violations(sources: Mapping[str, str]) -> list[str]:
    known = set(sources) | {f"{m}.__init__" for m in sources if _is_package(m, sources)}
    problems = []
    for module, source in sorted(sources.items()):
        unit, prefixes = rule_for(module)
        for target in sorted(imports_of(module, source, known)):
            if target.split(".")[0] in TEST_ONLY:
                problems.append(f"{module} imports {target}: test code in the product")
            elif target.startswith("spirokiosk.") and not allowed(target, unit, prefixes):
                problems.append(f"{module} imports {target}: against the rules for {unit}")
    return problems


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of two or more modules (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# -- the product as it is ----------------------------------------------------------------


@pytest.fixture(scope="module")
def sources():
    return product_sources()


def test_every_import_follows_the_direction(sources):
    assert direction_violations(sources) == []


def test_no_circle_between_modules(sources):
    assert cycles(dependency_graph(sources)) == []


def test_every_package_says_what_it_is_and_what_it_may_import():
    for folder in FOLDERS:
        for init in (REPO / folder).rglob("__init__.py"):
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
            where = init.relative_to(REPO)
            assert doc, f"{where}: no docstring"
            assert "may import" in doc.lower(), f"{where}: the docstring says no 'May import'"


def test_every_product_folder_is_a_package():
    for folder in FOLDERS:
        for directory in [REPO / folder, *(p for p in (REPO / folder).rglob("*") if p.is_dir())]:
            if directory.name in ("__pycache__", "templates", "static"):
                continue
            assert (directory / "__init__.py").exists(), f"{directory}: no __init__.py"


# -- the checks can fail -----------------------------------------------------------------


def test_a_planted_import_against_the_direction_is_caught(sources):
    planted = dict(sources)
    planted["spirokiosk.web.hub.frame_hub"] += "\nfrom spirokiosk.daemon.config import Config\n"
    planted["spirokiosk.display.curves.model"] += "\ndef later():\n    import spirokiosk.web\n"
    planted["spirokiosk.web.server"] += "\nfrom support import free_port\n"
    problems = direction_violations(planted)
    assert problems == [
        "spirokiosk.display.curves.model imports spirokiosk.web: against the rules for "
        "spirokiosk.display.curves",
        "spirokiosk.web.hub.frame_hub imports spirokiosk.daemon.config: against the rules "
        "for spirokiosk.web.hub",
        "spirokiosk.web.server imports support: test code in the product",
    ]


def test_a_planted_circle_is_caught(sources):
    planted = dict(sources)
    planted["spirokiosk.display.messages"] += "\nfrom spirokiosk.display.sizes import Size\n"
    planted["spirokiosk.display.sizes"] += "\nfrom spirokiosk.display import messages\n"
    assert cycles(dependency_graph(planted)) == [
        ["spirokiosk.display.messages", "spirokiosk.display.sizes"]
    ]


def test_relative_imports_are_resolved():
    known = {"spirokiosk.web.app.__init__", "spirokiosk.web.app", "spirokiosk.web.app.api"}
    source = "from . import api\nfrom ..hub import FrameHub\n"
    found = imports_of("spirokiosk.web.app", source, known)
    assert {"spirokiosk.web.app.api", "spirokiosk.web.hub"} <= found

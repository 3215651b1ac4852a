"""The pages only ask and draw: archive/web never builds a search, and makes no date key of its own.

Read from the modules' source, so that a page which starts building querysets again fails here even
before it gives a wrong answer.
"""

import ast
from pathlib import Path

import pytest

ARCHIVE = Path(__file__).resolve().parents[2] / "archive"
WEB_MODULES = sorted((ARCHIVE / "web").glob("*.py"))
# Where search rules and date keys must not be made outside archive/search/periods.py.
KEYED_MODULES = [*WEB_MODULES, *sorted((ARCHIVE / "search").glob("*.py")), ARCHIVE / "search_indexes.py"]
# What drawing must not touch: matplotlib's process-wide state.
GLOBAL_MATPLOTLIB = {"pyplot", "use", "rc_context", "rcParams", "rc", "style"}


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported(module: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def identifiers(module: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found.add(node.asname or node.name.rsplit(".", 1)[-1])
    return found


def test_the_web_modules_are_found():
    assert {path.name for path in WEB_MODULES} >= {
        "views.py",
        "api.py",
        "feeds.py",
        "exports.py",
        "charts.py",
        "state.py",
    }


@pytest.mark.parametrize("path", WEB_MODULES, ids=lambda path: path.name)
def test_no_web_module_imports_haystack_or_holds_a_queryset(path):
    module = tree(path)
    assert not {name for name in imported(module) if name.split(".")[0] == "haystack"}
    assert not identifiers(module) & {
        "SearchQuerySet",
        "matching",
        "filtered",
        "narrow",
        "facet_counts",
        "_clone",
    }


def test_the_search_service_uses_no_private_queryset_method():
    assert "_clone" not in identifiers(tree(ARCHIVE / "search" / "service.py"))


def test_charts_leave_matplotlibs_global_state_alone():
    module = tree(ARCHIVE / "web" / "charts.py")
    matplotlib_names = {
        alias.asname or alias.name
        for node in ast.walk(module)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matplotlib")
        for alias in node.names
    }
    assert not matplotlib_names & GLOBAL_MATPLOTLIB
    plain = {alias.name for node in ast.walk(module) if isinstance(node, ast.Import) for alias in node.names}
    assert "matplotlib" not in plain  # its submodules only, never the package's globals
    assert not identifiers(module) & GLOBAL_MATPLOTLIB


@pytest.mark.parametrize(
    "path",
    [p for p in KEYED_MODULES if p.name != "periods.py"],
    ids=lambda path: path.parent.name + "/" + path.name,
)
def test_date_keys_are_made_only_in_periods(path):
    """No zero-padding format or strftime outside periods.py: they would disagree before year 1000."""
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.FormattedValue) and isinstance(node.format_spec, ast.JoinedStr):
            spec = "".join(
                str(part.value) for part in node.format_spec.values if isinstance(part, ast.Constant)
            )
            assert spec not in ("04d", "02d"), f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Attribute):
            assert node.attr != "strftime", f"{path.name}:{node.lineno}"

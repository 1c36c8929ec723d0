"""`core` and `experiments` stay pure: NumPy/SciPy only, no I/O, no printing, no global RNG.

`importlib` is allowed only so an experiment can read a static table shipped inside the
package (`importlib.resources`), as it would import a module.
"""

import ast
from pathlib import Path

import pytest

import alignlab

PACKAGE = Path(alignlab.__file__).parent
PURE_DIRS = [PACKAGE / "core", PACKAGE / "experiments"]
ALLOWED_TOP = {
    "__future__",
    "numpy",
    "scipy",
    "alignlab",
    "collections",
    "dataclasses",
    "typing",
    "math",
    "functools",
    "itertools",
    "json",
    "enum",
    "abc",
    "types",
    "heapq",
    "warnings",
    "re",
    "string",
    "hashlib",
}
FORBIDDEN_CALLS = {"print", "open", "input", "breakpoint"}
GLOBAL_RNG = {
    "seed",
    "rand",
    "randn",
    "normal",
    "uniform",
    "choice",
    "randint",
    "random",
    "shuffle",
    "permutation",
    "standard_normal",
    "binomial",
    "poisson",
}


def _modules() -> list[Path]:
    return sorted(p for d in PURE_DIRS for p in d.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_module(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            names = []
        for name in names:
            top = name.split(".")[0]
            assert top in ALLOWED_TOP, f"{path.name} imports {name}"
            assert not name.startswith(
                ("alignlab.cli", "alignlab.lab", "alignlab.bench", "alignlab.plot")
            ), f"{path.name} imports {name}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in FORBIDDEN_CALLS, f"{path.name} calls {node.func.id}()"
        if (
            isinstance(node, ast.Attribute)
            and node.attr in GLOBAL_RNG
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "random"
        ):
            raise AssertionError(f"{path.name} uses global np.random.{node.attr}")


def test_purity_scan_sees_files() -> None:
    assert len(_modules()) >= 5

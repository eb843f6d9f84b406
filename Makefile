# Two commands do everything on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
STAMPS := .stamps
RUNTIME := static/pyscript

.PHONY: demo test install pack test-unit test-e2e test-runtimes bench clean

install: $(STAMPS)/venv $(STAMPS)/runtime $(STAMPS)/chromium $(STAMPS)/redis pack

# The app's Python in one file for the page: static/app.pack (source, for Pyodide) and
# static/app.mpy.pack (MicroPython bytecode), git-ignored; see proxy/pack.py.
# Cheap, so always re-run: a static host serving this checkout then has the current app/.
pack: $(STAMPS)/venv
	@$(PY) -m proxy pack

$(STAMPS)/venv: requirements.txt pyproject.toml
	@mkdir -p $(STAMPS)
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

# The browser runtime comes from npm at the versions pinned in package-lock.json, copied into
# static/pyscript (git-ignored) so the page never loads anything from a CDN.
$(STAMPS)/runtime: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(RUNTIME) && mkdir -p $(RUNTIME)/pyodide $(RUNTIME)/micropython
	cd node_modules/@pyscript/core/dist && find . -maxdepth 1 -type f ! -name '*.map' -exec cp {} ../../../../$(RUNTIME)/ \;
	cp node_modules/pyodide/{pyodide.mjs,pyodide.asm.mjs,pyodide.asm.wasm,python_stdlib.zip,pyodide-lock.json} $(RUNTIME)/pyodide/
	cp node_modules/@micropython/micropython-webassembly-pyscript/{micropython.mjs,micropython.wasm} $(RUNTIME)/micropython/
	@touch $@

# Debian's Chromium drives the end-to-end tests and the benchmarks (Playwright's own browser
# download is not reachable here).
$(STAMPS)/chromium:
	@mkdir -p $(STAMPS)
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@touch $@

# Debian's redis-server: the tests run two proxy instances sharing one Redis (REDIS_URL).
$(STAMPS)/redis:
	@mkdir -p $(STAMPS)
	command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
	@touch $@

demo: install
	$(PY) -m scripts.demo

test: install
	$(PY) -m pytest -q tests

test-unit: install
	$(PY) -m pytest -q tests --ignore=tests/e2e

bench: install
	$(PY) -m bench.report

clean:
	rm -rf $(STAMPS) $(RUNTIME) static/app.pack static/app.mpy.pack node_modules .venv

"""axe-core accessibility checks for Playwright (sync API) pages.

axe-core is an npm dependency pinned in package.json / package-lock.json (`npm ci` installs it
with the rest of the browser runtime); it is read from node_modules and injected into the page, so
nothing is fetched from a CDN.

    from axe import assert_accessible, run_axe, serious_or_critical, describe

    violations = run_axe(page, "#chat-panel")        # every violation, as plain dicts
    assert_accessible(page, "#chat-panel", allow=("color-contrast",))

Content-Security-Policy: the script is injected with `page.evaluate` (DevTools' Runtime
evaluation), which the page's CSP does not govern, so a strict policy (test_harness_blocks.py checks
`default-src 'none'; script-src 'self'`: no inline scripts, no eval) neither blocks the injection
nor the run: axe finds the same violations as without the policy.
`page.add_script_tag(content=...)` would be refused under such a policy (it adds an inline
<script>; Playwright raises "Executing inline script violates ... Content Security Policy"), which
is why it is not used. If axe ever stops working under a CSP, a context made with
`browser.new_context(bypass_csp=True)` is the fallback.

Frames: axe is injected into the main frame only, so what is inside an <iframe> is not checked
(axe.run then spends about a second waiting for the frames to answer); pass
`options={"iframes": False}` to skip that wait. The chat panel has no iframes.
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE_PATH = ROOT / "node_modules" / "axe-core" / "axe.min.js"

_source = None


def axe_source():
    """The text of node_modules/axe-core/axe.min.js (read once)."""
    global _source
    if _source is None:
        if not AXE_PATH.is_file():
            raise FileNotFoundError("%s is missing: run `make install` (npm ci installs axe-core)" % AXE_PATH)
        _source = AXE_PATH.read_text(encoding="utf-8")
    return _source


def axe_version():
    """The version pinned in node_modules/axe-core/package.json."""
    return json.loads((AXE_PATH.parent / "package.json").read_text())["version"]


def inject_axe(page):
    """Make `window.axe` available in `page`'s main frame (again after every navigation)."""
    if page.evaluate("() => typeof window.axe === 'object' && !!window.axe && typeof window.axe.run === 'function'"):
        return
    # A plain expression (not a function): Playwright evaluates it as is; the UMD bundle sets
    # window.axe. Returns the version so a failed load shows up here rather than in axe.run.
    version = page.evaluate(axe_source() + "\n;(window.axe && window.axe.version) || null")
    if not version:
        raise RuntimeError("axe-core did not load into the page")


# Runs in the page: axe.run on the context, violations reduced to JSON-friendly dicts.
_RUN_JS = """
async ([context, options]) => {
  const results = await window.axe.run(context === null ? document : context, options);
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    description: v.description,
    helpUrl: v.helpUrl,
    tags: v.tags,
    nodes: v.nodes.map((n) => ({
      target: n.target,
      failureSummary: n.failureSummary || "",
      html: n.html,
      impact: n.impact,
    })),
  }));
}
"""


def run_axe(page, context=None, options=None):
    """Run axe-core in `page` and return its violations.

    `context` is anything axe.run takes as context: a CSS selector string, a list of selectors,
    or a dict like {"include": [...], "exclude": [...]}; None means the whole document.
    `options` is merged over {"resultTypes": ["violations"]} (e.g. {"runOnly": [...]}).

    Returns a list of dicts: {"id", "impact" ("minor"|"moderate"|"serious"|"critical"), "help",
    "description", "helpUrl", "tags", "nodes": [{"target", "failureSummary", "html", "impact"}]}.
    """
    inject_axe(page)
    merged = {"resultTypes": ["violations"]}
    merged.update(options or {})
    return page.evaluate(_RUN_JS, [context, merged])


def serious_or_critical(violations):
    """Only the violations whose impact is "serious" or "critical"."""
    return [v for v in violations if v.get("impact") in ("serious", "critical")]


def describe(violations, max_nodes=5):
    """A readable multi-line account of `violations`, for an assert message."""
    if not violations:
        return "no accessibility violations"
    lines = ["%d accessibility violation(s):" % len(violations)]
    for v in violations:
        lines.append("- [%s] %s: %s (%s)" % (v.get("impact"), v.get("id"), v.get("help"), v.get("helpUrl", "")))
        nodes = v.get("nodes") or []
        for node in nodes[:max_nodes]:
            target = node.get("target")
            lines.append("    at %s" % (" ".join(map(str, target)) if isinstance(target, list) else target))
            html = (node.get("html") or "").strip()
            if html:
                lines.append("      %s" % (html if len(html) <= 200 else html[:200] + "…"))
            for summary_line in (node.get("failureSummary") or "").splitlines():
                if summary_line.strip():
                    lines.append("      " + summary_line.strip())
        if len(nodes) > max_nodes:
            lines.append("    … and %d more node(s)" % (len(nodes) - max_nodes))
    return "\n".join(lines)


def assert_accessible(page, context=None, allow=(), options=None):
    """Fail unless axe finds no serious or critical violation in `context`, ignoring rule ids in
    `allow`. Returns all violations (including minor/moderate and allowed ones)."""
    violations = run_axe(page, context, options)
    blocking = [v for v in serious_or_critical(violations) if v.get("id") not in set(allow)]
    assert not blocking, describe(blocking)
    return violations

// Runs the portable unit tests inside a real browser-side interpreter under Node, offline,
// from the npm packages pinned in package-lock.json.
//   node tests/runtimes/run.mjs micropython|pyodide <repo-root> [app-pack]
// Copies app/protocol, app/chat and tests/unit into the interpreter's file system, then runs
// tests/runtimes/driver.py, which prints one line per test and a closing "N passed, N failed".
// With an app pack (proxy/pack.py), the app's modules come from it instead, laid out by app/main.py
// as on the page: the page's MicroPython bytecode (.mpy), in its ROMFS image, is tested that way.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";

import { resolve } from "node:path";
const kind = process.argv[2];
const root = resolve(process.argv[3] || ".");
const require = createRequire(join(root, "package.json"));

function pyFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "__pycache__") out.push(...pyFiles(path));
    } else if (name.endsWith(".py")) out.push(path);
  }
  return out;
}

async function load() {
  if (kind === "micropython") {
    const mod = await import(require.resolve("@micropython/micropython-webassembly-pyscript/micropython.mjs"));
    let buffered = "";
    const mp = await mod.loadMicroPython({
      stdout: (line) => process.stdout.write(line.endsWith("\n") ? line : line + "\n"),
      linebuffer: true,
    });
    return {
      mkdir: (p) => { try { mp.FS.mkdir(p); } catch (e) { /* exists */ } },
      write: (p, text) => mp.FS.writeFile(p, text),
      run: (code) => mp.runPython(code),
    };
  }
  if (kind === "pyodide") {
    const { loadPyodide } = await import(require.resolve("pyodide/pyodide.mjs"));
    const py = await loadPyodide({ stdout: (line) => console.log(line), stderr: (line) => console.error(line) });
    return {
      mkdir: (p) => { try { py.FS.mkdir(p); } catch (e) { /* exists */ } },
      write: (p, text) => py.FS.writeFile(p, text),
      run: (code) => py.runPython(code),
    };
  }
  throw new Error("unknown interpreter: " + kind);
}

const started = Date.now();
const interp = await load();
console.log(`# ${kind} loaded in ${Date.now() - started} ms`);
const base = "/work";
interp.mkdir(base);
const packPath = process.argv[4];
const dirs = packPath ? ["tests/unit"] : ["app/protocol", "app/chat", "tests/unit"];
const files = [join(root, "tests", "__init__.py")];
if (!packPath) files.push(join(root, "app", "__init__.py"));
let layOut = "";
if (packPath) {
  // Laid out by the page's own code, app/main.py's _lay_out (MicroPython's ROMFS image mounted).
  interp.write(join(base, "app.pack"), readFileSync(packPath));
  interp.write(join(base, "main.py"), readFileSync(join(root, "app", "main.py"), "utf8"));
  layOut = `import main\nmain._lay_out("app.pack")\n`;
}
for (const d of dirs) files.push(...pyFiles(join(root, d)));
for (const file of files) {
  const rel = relative(root, file);
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) interp.mkdir(join(base, ...parts.slice(0, i)));
  interp.write(join(base, rel), readFileSync(file, "utf8"));
}
interp.write(join(base, "driver.py"), readFileSync(join(root, "tests", "runtimes", "driver.py"), "utf8"));
try {
  interp.run(`import sys\nsys.path.insert(0, "${base}")\nimport os\nos.chdir("${base}")\n${layOut}import driver\ndriver.main("${kind}")`);
} catch (e) {
  console.log(String(e));
  process.exit(1);
}

/**
 * The public API is curated: src/index.ts ("tessera") and src/node.ts ("tessera/node") list every
 * name explicitly (no `export *`), each name has a doc comment where it is declared, and the
 * values a user can import are exactly the listed ones.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

interface Listed {
  name: string;
  /** The name in the module it comes from (`a as b` lists b, declared as a). */
  source: string;
  file: string;
  typeOnly: boolean;
}

/** The names an entry file lists: `export { a, type B, c as d } from "./x.ts"` and `export type { ... } from`. */
export function listedNames(entry: string): Listed[] {
  const text = readFileSync(entry, "utf8");
  assert.doesNotMatch(text, /export \*/, `${entry}: no export *`);
  const out: Listed[] = [];
  for (const m of text.matchAll(/export (type )?\{([^}]*)\} from "([^"]+)"/g)) {
    const file = join(dirname(entry), m[3]);
    for (const raw of m[2].split(",")) {
      const item = raw.trim();
      if (item === "") continue;
      const typeOnly = m[1] !== undefined || item.startsWith("type ");
      const [source, alias] = item.replace(/^type /, "").split(/\s+as\s+/);
      out.push({ name: alias ?? source, source, file, typeOnly });
    }
  }
  return out;
}

/** The doc comment right before `name`'s declaration in `file` (following re-exports), or null. */
function docOf(name: string, file: string, seen = new Set<string>()): string | null {
  if (seen.has(file)) return null;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  const decl = new RegExp(`(^|\\n)export (declare )?(async )?(abstract )?(function|const|let|class|interface|type|enum) ${name}\\b`).exec(text);
  if (decl) {
    const before = text.slice(0, decl.index + decl[1].length).trimEnd();
    if (!before.endsWith("*/")) return null;
    const start = before.lastIndexOf("/**");
    return start < 0 ? null : before.slice(start);
  }
  for (const m of text.matchAll(/export (?:type )?\{([^}]*)\} from "([^"]+)"/g)) {
    for (const raw of m[1].split(",")) {
      const [source, alias] = raw
        .trim()
        .replace(/^type /, "")
        .split(/\s+as\s+/);
      if ((alias ?? source) === name) return docOf(source, join(dirname(file), m[2]), seen);
    }
  }
  for (const m of text.matchAll(/export \* from "([^"]+)"/g)) {
    const found = docOf(name, join(dirname(file), m[1]), seen);
    if (found) return found;
  }
  return null;
}

for (const entry of ["index.ts", "node.ts"]) {
  test(`${entry}: every listed name has a doc comment where it is declared; the importable values are exactly the listed ones`, async () => {
    const listed = listedNames(join(SRC, entry));
    assert.ok(listed.length > 0);
    const undocumented = listed.filter((l) => docOf(l.source, l.file) === null).map((l) => `${l.name} (${l.file.slice(SRC.length + 1)})`);
    assert.deepEqual(undocumented, [], "names without a doc comment");
    const names = listed.map((l) => l.name);
    assert.equal(new Set(names).size, names.length, "each name once");
    const module = (await import(join(SRC, entry))) as Record<string, unknown>;
    const values = listed.filter((l) => !l.typeOnly).map((l) => l.name);
    assert.deepEqual(Object.keys(module).sort(), [...values].sort());
  });
}

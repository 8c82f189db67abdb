// The module's JS surface as a JS user sees it, in Node (no browser): the built package in
// wasm/browser/pkg, loaded with initSync. The Rust-side tests (wasm/browser/tests/binding.rs) cover the
// binding's logic; these cover what only JS can do to it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "wasm", "browser");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const mod = await import(join(dir, pkg.exports["."].default));
mod.initSync({ module: readFileSync(join(dir, pkg.exports["./termgate_browser_bg.wasm"])) });
const { TermSet, Scanner } = mod;

const scanner = new Scanner(TermSet.compile("[block spam]\nspam\n[warn harassment]\nばか\n"));
const spans = (text) => scanner.check(text).matches.map((m) => [m.start, m.end, text.slice(m.start, m.end)]);

test("the package's files all exist after the build", () => {
  for (const file of pkg.files) assert.ok(existsSync(join(dir, file)), file);
  assert.equal(pkg.sideEffects, false);
  assert.ok(existsSync(join(dir, pkg.types)));
});

test("spans index the JS string: astral characters, and lone surrogates", () => {
  assert.deepEqual(spans("𝒳😀 SPAM"), [[5, 9, "SPAM"]]);
  // A lone surrogate reaches Rust as U+FFFD (3 UTF-8 bytes): still one UTF-16 unit, spans stay exact.
  assert.deepEqual(spans("\ud800 spam \udfff ばーか"), [[2, 6, "spam"], [9, 12, "ばーか"]]);
});

test("spans index the JS string wherever matches fall among characters of every UTF-8 length", () => {
  // A deterministic generator: the same texts on every run.
  let seed = 7;
  const next = (n) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const fillers = ["a", "é", "ね", "漢", "😀", "𝒳", " ", "、", "\u200b"];
  for (let round = 0; round < 300; round++) {
    let text = "";
    let planted = 0;
    for (let piece = 0; piece < 12; piece++) {
      if (next(4) === 0) {
        text += ` ${["spam", "ＳＰＡＭ", "ばか"][next(3)]} `;
        planted++;
      } else {
        text += fillers[next(fillers.length)].repeat(1 + next(3));
      }
    }
    const found = spans(text);
    assert.equal(found.length, planted, text);
    for (const [, , slice] of found) assert.ok(["spam", "ＳＰＡＭ", "ばか"].includes(slice), `${text}: ${slice}`);
  }
});

test("errors are Error instances with the core's message, and the module keeps working", () => {
  assert.throws(() => TermSet.compile("[warn]\nok\n[nonsense]\n"), (e) =>
    e instanceof Error && e.name === "CompileError" && /^<input>:3:\d+: /.test(e.message));
  assert.throws(() => TermSet.fromBytes(new Uint8Array([1, 2, 3])), (e) => e instanceof Error && e.name === "LoadError");
  assert.throws(() => mod.reportProblems("nope", {}), (e) => e instanceof Error && e.name === "ReportError");
  assert.equal(scanner.check("spam").verdict, "block");
});

test("checkMany takes a page of posts in one call", () => {
  const posts = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? `post ${i} s.p.a.m` : `post ${i} fine`));
  const results = scanner.checkMany(posts);
  assert.equal(results.length, 500);
  assert.equal(results.filter((r) => r.verdict === "block").length, 10);
  assert.deepEqual(results[50].matches.map((m) => [m.start, m.end]), [[8, 15]]);
});

test("a set freed from JS stays alive inside a scanner that holds it", () => {
  const set = TermSet.compile("[hide]\nnatto\n");
  const s = new Scanner(set);
  set.free();
  assert.equal(s.check("natto").verdict, "hide");
  s.free();
});

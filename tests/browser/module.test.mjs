// The module's JS surface as a JS user sees it, in Node (no browser): the built package in
// wasm/browser/pkg, loaded with initSync. The Rust-side tests (wasm/browser/tests/binding.rs) cover the
// binding's logic; these cover what only JS can do to it.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { draws } from "../random.mjs";

const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "wasm", "browser");
const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const mod = await import(join(dir, pkg.exports["."].default));
const wasm = mod.initSync({ module: readFileSync(join(dir, pkg.exports["./termgate_browser_bg.wasm"])) });
const { TermSet, Scanner } = mod;

const scanner = new Scanner(TermSet.compile("[block spam]\nspam\n[warn harassment]\nばか\n"));
// Rules for the tests of the module's slots for rules' texts: three times as many as slots, each
// a word of letters for the digits of its number, kept apart: repeated letters or digits would
// normalize alike (`1111`, `111`).
const RULES = 12000;
const word = (i) => `w${[...String(i)].map((d) => "abcdefghij"[d]).join("q")}z`;
const spans = (text) => scanner.check(text).matches.map((m) => [m.start, m.end, text.slice(m.start, m.end)]);

test("the package's files all exist after the build", () => {
  for (const file of pkg.files) assert.ok(existsSync(join(dir, file)), file);
  assert.equal(pkg.sideEffects, false);
  assert.ok(existsSync(join(dir, pkg.types)));
  // The build put our UTF-8 encoder in the glue (wasm/browser/js/patch-glue.mjs).
  const glue = readFileSync(join(dir, pkg.main), "utf8");
  assert.match(glue, /^function encodeIntoAt\(text, memory, at, end\) \{$/m);
  assert.match(glue, /const ret = encodeIntoAt\(arg, getUint8ArrayMemory0\(\), ptr \+ offset, ptr \+ len\);/);
});

test("spans index the JS string: astral characters, and lone surrogates", () => {
  assert.deepEqual(spans("𝒳😀 SPAM"), [[5, 9, "SPAM"]]);
  // A lone surrogate reaches Rust as U+FFFD (3 UTF-8 bytes): still one UTF-16 unit, spans stay exact.
  assert.deepEqual(spans("\ud800 spam \udfff ばーか"), [[2, 6, "spam"], [9, 12, "ばーか"]]);
});

test("spans index the JS string wherever matches fall among characters of every UTF-8 length", () => {
  const next = draws(7);
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

test("checkMany answers each text as check does, and verdict as its verdict, in batches of every kind of text", () => {
  // The batch's texts are copied in together: a lone surrogate ending one text and one starting the
  // next must not join into one character, and rules of one batch share the module's 4,096 slots.
  let list = "[block spam]\nspam\n[warn harassment]\nばか\n";
  for (let i = 0; i < RULES; i++) list += `[${["block", "flag", "warn"][i % 3]}]\n${word(i)}\n`;
  const s = new Scanner(TermSet.compile(list));
  const next = draws(11);
  const pieces = ["a", "é", "ね", "漢", "😀", "𝒳", " ", "、", "\u200b", "spam", "ＳＰＡＭ", "ばか", "\ud83d", "\ude00", ""];
  for (let round = 0; round < 200; round++) {
    const texts = [];
    for (let t = next(40); t > 0; t--) {
      let text = "";
      for (let n = next(10); n > 0; n--) text += next(3) === 0 ? ` ${word(next(RULES))} ` : pieces[next(pieces.length)];
      texts.push(text);
    }
    assert.deepEqual(s.checkMany(texts), texts.map((t) => s.check(t)), JSON.stringify(texts));
    assert.deepEqual(texts.map((t) => s.verdict(t)), texts.map((t) => s.check(t).verdict));
  }
  // Each text is read once: an array whose element changes between reads gets the first.
  let reads = 0;
  const changing = [];
  Object.defineProperty(changing, 0, { enumerable: true, get: () => (reads++ === 0 ? "spam" : 5) });
  assert.deepEqual(s.checkMany(changing).map((r) => r.verdict), ["block"]);
  assert.throws(() => s.checkMany(["ok", 5]), (e) => e instanceof TypeError && /texts\[1\]/.test(e.message));
  s.free();
});

test("each match names its own rule, action and category, with more rules than the module keeps names for", () => {
  // The module hands the JS side each rule's text once, into one of 4,096 slots: 12,000 rules share
  // them, and each post below names rules that evict one another, and rules that share a slot.
  const actions = ["block", "flag", "warn"];
  const categories = [null, "spam", "harassment", "other"];
  const rule = (i) => ({ text: word(i), action: actions[i % 3], category: categories[i % 4] });
  let list = "";
  for (let i = 0; i < RULES; i++) {
    const { text, action, category } = rule(i);
    list += `[${action}${category ? ` ${category}` : ""}]\n${text}\n`;
  }
  const s = new Scanner(TermSet.compile(list));
  // Rules whose texts hash to one slot (FNV-1a of the UTF-8, as the module hashes them), so that
  // some texts below name two or three rules that would take the same slot.
  const bySlot = new Map();
  for (let i = 0; i < RULES; i++) {
    let hash = 0x811c9dc5;
    for (const b of new TextEncoder().encode(word(i))) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
    bySlot.set(hash % 4096, [...(bySlot.get(hash % 4096) ?? []), i]);
  }
  const sharing = [...bySlot.values()].filter((rules) => rules.length > 1);
  assert.ok(sharing.length > 1000);
  for (let round = 0; round < 3; round++) {
    for (let first = round; first < RULES; first += 97) {
      const picked = [...new Set([first, (first * 7 + round) % RULES, ...sharing[first % sharing.length]])];
      const text = picked.map((i) => `${rule(i).text} and`).join(" ");
      const expected = picked
        .map((i) => ({ start: text.indexOf(`${rule(i).text} `), end: text.indexOf(`${rule(i).text} `) + rule(i).text.length,
          rule: rule(i).text, action: rule(i).action, category: rule(i).category }))
        .sort((a, b) => a.start - b.start);
      assert.deepEqual(s.check(text).matches, expected, text);
    }
  }
  // A text that grows the module's memory between the scan and the answer is read right too.
  const long = "word ".repeat(1 << 20) + rule(5).text;
  assert.deepEqual(s.check(long).matches.map((m) => [m.start, m.rule, m.action, m.category]),
    [[long.length - rule(5).text.length, "wfz", "warn", "spam"]]);
  assert.deepEqual(s.check("wgz").matches.map((m) => [m.rule, m.action, m.category]), [["wgz", "block", "harassment"]]);
  s.free();
});

test("texts of every length, one at a time and in one checkMany", () => {
  const lengths = [0, 1, 5, 100, 70_000, 3, 200_000, 10];
  const texts = lengths.map((n) => "ね".repeat(n) + " spam " + "a".repeat(n));
  const expected = (text) => [[text.indexOf(" spam") + 1, text.indexOf(" spam") + 5, "spam"]];
  for (const text of texts) assert.deepEqual(spans(text), expected(text));
  const results = scanner.checkMany(texts);
  for (const [i, text] of texts.entries()) {
    assert.deepEqual(results[i].matches.map((m) => [m.start, m.end, text.slice(m.start, m.end)]), expected(text));
  }
  assert.deepEqual(scanner.checkMany([]), []);
});

test("arguments of the wrong type are Errors, never traps, and the module keeps working", () => {
  // Without wasm-bindgen's `--debug` checks, a number, object, boolean or BigInt where a string
  // belongs trapped in the glue's string copy (WebAssembly.RuntimeError: memory access out of bounds).
  const wrong = [undefined, null, 5, 5n, true, {}, ["spam"], () => "spam", Symbol("spam")];
  const calls = {
    "scanner.check": (x) => scanner.check(x),
    "scanner.check(text, now)": (x) => scanner.check("spam", x),
    "scanner.checkMany": (x) => scanner.checkMany(x),
    "scanner.checkMany([x])": (x) => scanner.checkMany([x]),
    "scanner.verdict": (x) => scanner.verdict(x),
    "scanner.verdict(text, now)": (x) => scanner.verdict("spam", x),
    "scanner.add": (x) => scanner.add(x),
    "new Scanner": (x) => new Scanner(x),
    "TermSet.compile": (x) => TermSet.compile(x),
    "TermSet.fromBytes": (x) => TermSet.fromBytes(x),
    reportProblems: (x) => mod.reportProblems(x, {}),
  };
  for (const [name, call] of Object.entries(calls)) {
    for (const x of wrong) {
      // `now` may be left out (undefined or null) or a number; checkMany takes arrays.
      if (name.endsWith("(text, now)") && (x == null || x === 5)) continue;
      if (name === "scanner.checkMany" && Array.isArray(x)) continue;
      assert.throws(() => call(x), (e) => e instanceof Error && !(e instanceof WebAssembly.RuntimeError), `${name}(${String(x)})`);
    }
  }
  // A report's fields that are not an object are no fields: every one is missing.
  for (const x of [undefined, null, 5, "text"]) {
    assert.deepEqual(mod.reportProblems("spam", x).map((p) => p.problem), mod.reportProblems("spam", {}).map((p) => p.problem));
  }
  assert.equal(scanner.check("spam").verdict, "block");
  assert.equal(TermSet.compile("[warn]\nok\n").info.rules, 1);
});


test("arguments larger than the module takes are RangeErrors, never traps, and allocate nothing", () => {
  // The glue's bounds (wasm/browser/js/patch-glue.mjs). Without them, a text whose UTF-8 the
  // module's memory could not hold (200M kana) trapped in wasm-bindgen's malloc (unreachable).
  const units = 2 ** 24;
  const atLimit = "ね".repeat(units - 5) + " spam";
  const tooLong = atLimit + "!";
  const memory = () => wasm.memory.buffer.byteLength;
  assert.deepEqual(spans(atLimit), [[units - 4, units, "spam"]]);
  const grown = memory();
  const tooLarge = (e) => e instanceof RangeError && /than the module takes \(\d+\)$/.test(e.message);
  assert.throws(() => scanner.check(tooLong), tooLarge);
  assert.throws(() => scanner.verdict(tooLong), tooLarge);
  assert.throws(() => TermSet.compile(tooLong), tooLarge);
  assert.throws(() => mod.reportProblems(tooLong, {}), tooLarge);
  // checkMany's texts count together: they are copied in as one string.
  assert.throws(() => scanner.checkMany([atLimit, "spam"]), tooLarge);
  assert.throws(() => TermSet.fromBytes(new Uint8Array(2 ** 26 + 1)), tooLarge);
  assert.throws(() => TermSet.fromBytes({ length: 2 ** 40 }), tooLarge);
  assert.equal(memory(), grown);
  const half = "ね".repeat(units / 2 - 5) + " spam";
  assert.deepEqual(scanner.checkMany([half, half]).map((r) => r.matches.length), [1, 1]);
});

test("a page that replaced Array.prototype.push still gets results, and the objects stay usable", () => {
  const push = Array.prototype.push;
  const set = TermSet.compile("[block]\nspam\n");
  const s = new Scanner(set);
  try {
    Array.prototype.push = () => {
      throw new Error("patched");
    };
    assert.deepEqual(s.check("spam, spam").matches.map((m) => [m.start, m.end]), [[0, 4], [6, 10]]);
    assert.deepEqual(s.checkMany(["x", "spam"]).map((r) => r.verdict), ["allow", "block"]);
    assert.deepEqual(set.rules().map((r) => r.text), ["spam"]);
    assert.ok(mod.reportCategories().every((c) => c.fields.length > 0));
    assert.ok(mod.reportProblems("spam", {}).length > 0);
  } finally {
    Array.prototype.push = push;
  }
  // A call that JS had thrown through would leave the scanner borrowed: `add` and `free` would throw.
  s.add(TermSet.compile("[warn]\nばか\n"));
  assert.equal(s.check("ばか").verdict, "warn");
  s.free();
  set.free();
});

test("JS that throws while a result is built is an Error, and later checks work", () => {
  const s = new Scanner(TermSet.compile("[block]\nspam\n[warn]\nham\n"));
  // A setter for index 0 of every array throws whenever a result's first match is stored.
  Object.defineProperty(Array.prototype, "0", {
    configurable: true,
    set() {
      throw new Error("patched");
    },
  });
  try {
    assert.throws(() => s.check("spam"), (e) => e instanceof Error && !(e instanceof WebAssembly.RuntimeError) && e.message === "patched");
    assert.equal(s.check("fine").verdict, "allow");
  } finally {
    delete Array.prototype[0];
  }
  assert.deepEqual(s.check("ham and spam").matches.map((m) => [m.rule, m.action]), [["ham", "warn"], ["spam", "block"]]);
  assert.deepEqual(s.checkMany(["spam", "ham"]).map((r) => r.matches[0].rule), ["spam", "ham"]);
});

test("a set freed from JS stays alive inside a scanner that holds it", () => {
  const set = TermSet.compile("[hide]\nnatto\n");
  const s = new Scanner(set);
  set.free();
  assert.equal(s.check("natto").verdict, "hide");
  s.free();
});

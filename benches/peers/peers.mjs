// The JS peers, each built from a plain list of terms with its own normalization switched on, and
// termgate's browser module (wasm/browser/pkg) running in the same V8.
//
// `load()` imports the peer (not timed); `build(module, terms, lang)` returns `(text, lang) => boolean` (does the text hold a term?). `lang` is
// "en", "ja" or "mixed" (the accuracy list, both languages). Terms in scripts with spaces are
// matched as whole words and Japanese terms anywhere, where a peer lets us choose, as termgate does;
// peers with one global word-boundary switch get one instance per script, checked in turn.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
export const BROWSER_PKG = join(HERE, "..", "..", "wasm", "browser", "pkg");

export const isCjk = (t) => /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/u.test(t);
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Builds `make(terms, wholeWords)` once per script present and ORs the checks. */
function perScript(terms, make) {
  const latin = terms.filter((t) => !isCjk(t));
  const cjk = terms.filter(isCjk);
  const checks = [];
  if (latin.length) checks.push(make(latin, true));
  if (cjk.length) checks.push(make(cjk, false));
  return checks.length === 1 ? checks[0] : (text, lang) => checks.some((c) => c(text, lang));
}

const instances = new Map();
/**
 * The browser module, instantiated synchronously from its .wasm file. Another `instance` name gives
 * another copy of the module with its own wasm memory (ES modules are cached by URL, query included).
 */
export async function termgateModule(instance = "main") {
  if (!instances.has(instance)) {
    const url = pathToFileURL(join(BROWSER_PKG, "termgate_browser.js")).href;
    const mod = await import(instance === "main" ? url : `${url}?${instance}`);
    const exports = mod.initSync({ module: readFileSync(join(BROWSER_PKG, "termgate_browser_bg.wasm")) });
    instances.set(instance, { ...mod, memory: exports.memory });
  }
  return instances.get(instance);
}

/** benches/peers/wasm built for wasm32 (make bench-peers builds it): a fresh instance per matcher. */
export const BENCH_WASM = join(HERE, "wasm", "target", "wasm32-unknown-unknown", "release", "termgate_bench_wasm.wasm");
const utf8 = new TextEncoder();

/** A matcher of benches/peers/wasm: `kind` 0–2 termgate's walk, automaton, auto engines; 3 aho-corasick. */
function plainWasm(module, kind, list) {
  const { exports } = new WebAssembly.Instance(module, {});
  const put = (text, ptr, cap) => utf8.encodeInto(text, new Uint8Array(exports.memory.buffer, ptr, cap)).written;
  const listBytes = utf8.encode(list);
  const listPtr = exports.alloc(listBytes.length);
  new Uint8Array(exports.memory.buffer, listPtr, listBytes.length).set(listBytes);
  if (exports.build(kind, listPtr, listBytes.length) !== 0) throw new Error("the list does not compile");
  let cap = 1 << 16;
  let buf = exports.alloc(cap);
  return (text) => {
    if (text.length * 3 > cap) {
      cap = text.length * 3;
      buf = exports.alloc(cap);
    }
    return exports.check(buf, put(text, buf, cap)) === 1;
  };
}
const lowerNfkc = (t) => t.normalize("NFKC").toLowerCase();
const loadPlainWasm = async () => new WebAssembly.Module(readFileSync(BENCH_WASM));

export const PEERS = {
  /** termgate's browser module in this V8: `Scanner.verdict` per post, the question every peer answers. */
  termgate: {
    runtime: "wasm in Node (V8)",
    note: "browser module, full normalization, `Scanner.verdict` (the verdict, as a timeline needs it)",
    // Checked past the auto engine's one-time build before it is timed (child.mjs, busy).
    warms: true,
    load: () => termgateModule(),
    build(tg, terms, lang, { list, bytes }) {
      const set = bytes ? tg.TermSet.fromBytes(bytes) : tg.TermSet.compile(list);
      const scanner = new tg.Scanner(set);
      return (text) => scanner.verdict(text) !== "allow";
    },
  },
  /** The same with `Scanner.check`: every match, with its rule and UTF-16 span (a compose box's need). */
  "termgate check": {
    runtime: "wasm in Node (V8)",
    note: "browser module, full normalization, `Scanner.check` (the verdict with every match and its UTF-16 span)",
    accuracy: false,
    warms: true,
    load: () => termgateModule(),
    build(tg, terms, lang, { list }) {
      const scanner = new tg.Scanner(tg.TermSet.compile(list));
      return (text) => scanner.check(text).verdict !== "allow";
    },
  },

  // The same core compiled as plain wasm at opt-level 3, per engine, and raw aho-corasick in wasm:
  // what the browser module's choices (opt-level z and 2, no automaton, the bindings) cost, and the
  // ceiling in V8.
  ...Object.fromEntries(
    ["walk", "automaton", "auto"].map((engine, kind) => [
      `termgate-${engine} (plain wasm)`,
      {
        runtime: "wasm in Node (V8)",
        note: `benches/peers/wasm: the core at opt-level 3, ${engine} engine, no bindings (a boolean per post)`,
        accuracy: false,
        load: loadPlainWasm,
        build: (module, terms, lang, { list }) => plainWasm(module, kind, list),
      },
    ]),
  ),
  "aho-corasick (wasm)": {
    runtime: "wasm in Node (V8)",
    note: "aho-corasick 1.1.5 in wasm at opt-level 3; terms and posts lowercased + NFKC before timing",
    accuracy: false,
    prepare: lowerNfkc,
    load: loadPlainWasm,
    build: (module, terms) => plainWasm(module, 3, [...new Set(terms.map(lowerNfkc))].join("\n")),
  },

  obscenity: {
    version: "obscenity",
    note: "englishRecommendedTransformers (confusables, leet, lower case, duplicates, skip non-alphabetic); |word| boundaries for Latin terms",
    load: () => import("obscenity"),
    build(o, terms) {
      const dataset = new o.DataSet();
      const esc = (t) => t.replace(/[[\]?|\\]/g, "\\$&");
      for (const t of terms) {
        const p = isCjk(t) ? esc(t) : `|${esc(t)}|`;
        dataset.addPhrase((phrase) => phrase.addPattern(o.parseRawPattern(p)));
      }
      const matcher = new o.RegExpMatcher({ ...dataset.build(), ...o.englishRecommendedTransformers });
      return (text) => matcher.hasMatch(text);
    },
  },

  "glin-profanity": {
    note: "detectLeetspeak (moderate), normalizeUnicode; no built-in dictionary (languages: [])",
    load: () => import("glin-profanity"),
    build({ Filter }, terms) {
      return perScript(terms, (ts, wholeWords) => {
        const f = new Filter({
          languages: [],
          customWords: ts,
          detectLeetspeak: true,
          leetspeakLevel: "moderate",
          normalizeUnicode: true,
          wordBoundaries: wholeWords,
        });
        return (text) => f.isProfane(text);
      });
    },
  },

  "bad-words": {
    note: "emptyList + our words; no normalization beyond case (one RegExp per word per check)",
    load: () => import("bad-words"),
    build({ Filter }, terms) {
      const f = new Filter({ emptyList: true });
      // In chunks: one call with 100k arguments overflows the stack.
      for (let i = 0; i < terms.length; i += 1000) f.addWords(...terms.slice(i, i + 1000));
      return (text) => f.isProfane(text);
    },
  },

  "leo-profanity": {
    note: "clearList + our words; lower case, splits on spaces and punctuation",
    load: async () => require("leo-profanity"),
    build(leo, terms) {
      leo.clearList();
      leo.add(terms);
      return (text) => leo.check(text);
    },
  },

  "@2toad/profanity": {
    note: "built-in English list removed, ours added; lower case; wholeWord for Latin terms, unicodeWordBoundaries",
    load: () => import("@2toad/profanity"),
    build({ Profanity, profaneWords }, terms) {
      return perScript(terms, (ts, wholeWords) => {
        const p = new Profanity({ languages: ["en"], wholeWord: wholeWords, unicodeWordBoundaries: true });
        p.removeWords(profaneWords.get("en"));
        p.addWords(ts);
        return (text) => p.exists(text);
      });
    },
  },

  "@atproto/api hasMutedWord": {
    note: "Bluesky's client check; languages: ['ja'] for Japanese posts (substring), ['en'] otherwise",
    load: async () => require("@atproto/api"),
    build({ hasMutedWord }, terms) {
      const mutedWords = terms.map((value) => ({ value, targets: ["content"] }));
      return (text, lang) => hasMutedWord({ mutedWords, text, languages: [lang === "ja" ? "ja" : "en"] });
    },
  },

  "RegExp alternation": {
    note: "one case-insensitive RegExp per script (\\b around Latin terms) over NFKC text (timed)",
    load: async () => null,
    build(_, terms) {
      return perScript(terms, (ts, wholeWords) => {
        const alt = ts.map(escapeRe).join("|");
        const re = new RegExp(wholeWords ? `\\b(?:${alt})\\b` : `(?:${alt})`, "i");
        return (text) => re.test(text.normalize("NFKC"));
      });
    },
  },
};

/** Installed version of each npm peer, from its package.json. */
export function versions() {
  const out = {};
  for (const name of ["obscenity", "glin-profanity", "bad-words", "leo-profanity", "@2toad/profanity", "@atproto/api"]) {
    out[name] = JSON.parse(readFileSync(join(HERE, "node_modules", name, "package.json"), "utf8")).version;
  }
  return out;
}

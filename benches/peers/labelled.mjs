// The labelled accuracy set, built deterministically from the real LDNOOBW lists (npm naughty-words)
// and the real corpora, so every run and every peer sees the same texts.
//
// Positives: a term, obfuscated one way, inserted as a word into a clean sentence of its language.
// Clean: corpus sentences in which no term of the list appears, by this rule: English text
// lowercased, no term as a whole word (neither neighbour a letter or digit); and no Japanese term as
// a substring of the text with katakana folded to hiragana (Japanese has no spaces between words).

import { data, lines, Rng } from "./inputs.mjs";

const HIRA_TO_KATA = 0x60;
const isHira = (c) => c >= 0x3041 && c <= 0x3096;
const isKata = (c) => c >= 0x30a1 && c <= 0x30f6;
const mapChars = (s, f) => Array.from(s, (ch) => f(ch)).join("");
export const kataToHira = (s) =>
  mapChars(s, (ch) => (isKata(ch.codePointAt(0)) ? String.fromCodePoint(ch.codePointAt(0) - HIRA_TO_KATA) : ch));
const hiraToKata = (s) =>
  mapChars(s, (ch) => (isHira(ch.codePointAt(0)) ? String.fromCodePoint(ch.codePointAt(0) + HIRA_TO_KATA) : ch));
const swapKana = (s) =>
  mapChars(s, (ch) => {
    const c = ch.codePointAt(0);
    if (isHira(c)) return String.fromCodePoint(c + HIRA_TO_KATA);
    if (isKata(c)) return String.fromCodePoint(c - HIRA_TO_KATA);
    return ch;
  });

const FULL_KATA = "ァアィイゥウェエォオカキクケコサシスセソタチッツテトナニヌネノハヒフヘホマミムメモャヤュユョヨラリルレロワヲンー";
const HALF_KATA = "ｧｱｨｲｩｳｪｴｫｵｶｷｸｹｺｻｼｽｾｿﾀﾁｯﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓｬﾔｭﾕｮﾖﾗﾘﾙﾚﾛﾜｦﾝｰ";
/** Katakana (after turning hiragana into katakana) as half-width forms, voicing marks split off. */
const halfWidth = (s) =>
  mapChars(hiraToKata(s).normalize("NFD"), (ch) => {
    const i = FULL_KATA.indexOf(ch);
    if (i >= 0) return HALF_KATA[i];
    if (ch === "\u3099") return "\uff9e";
    if (ch === "\u309a") return "\uff9f";
    return ch;
  }).normalize("NFC");
const fullWidth = (s) =>
  mapChars(s, (ch) => {
    const c = ch.codePointAt(0);
    return c > 0x20 && c < 0x7f ? String.fromCodePoint(c + 0xfee0) : ch;
  });

const LEET = { a: ["4", "@"], e: ["3"], i: ["1", "!"], o: ["0"], s: ["5", "$"], t: ["7"] };
// Cyrillic letters that look like Latin ones.
const HOMOGLYPH = { a: "а", c: "с", e: "е", i: "і", j: "ј", o: "о", p: "р", s: "ѕ", x: "х", y: "у" };
const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad"];

/** Each obfuscation returns the obfuscated term, or null when it does not apply to this term. */
const EN_KINDS = {
  plain: (t) => t,
  caps: (t) => t.toUpperCase(),
  fullwidth: (t) => fullWidth(t),
  spaced: (t) => t.split("").join(" "),
  dotted: (t) => t.split("").join("."),
  leet: (t, rng) => {
    if (![...t].some((c) => LEET[c])) return null;
    // Keep the first letter: a token starting with a symbol is a different word to most filters.
    return t[0] + [...t.slice(1)].map((c) => (LEET[c] ? LEET[c][rng.below(LEET[c].length)] : c)).join("");
  },
  homoglyph: (t) => ([...t].some((c) => HOMOGLYPH[c]) ? [...t].map((c) => HOMOGLYPH[c] ?? c).join("") : null),
  zerowidth: (t, rng) => {
    const i = 1 + rng.below(t.length - 1);
    return t.slice(0, i) + ZERO_WIDTH[rng.below(ZERO_WIDTH.length)] + t.slice(i);
  },
  // Three or more: a doubled letter is another word (`as`, `ass`), see the core's quirks.
  repeats: (t, rng) => {
    const i = rng.below(t.length);
    return t.slice(0, i + 1) + t[i].repeat(2 + rng.below(3)) + t.slice(i + 1);
  },
};
const JA_KINDS = {
  plain: (t) => t,
  kana: (t) => (swapKana(t) !== t ? swapKana(t) : null),
  halfwidth: (t) => (halfWidth(t) !== t ? halfWidth(t) : null),
  zerowidth: (t, rng) => {
    const cs = Array.from(t);
    const i = 1 + rng.below(cs.length - 1);
    return cs.slice(0, i).join("") + ZERO_WIDTH[rng.below(ZERO_WIDTH.length - 1)] + cs.slice(i).join("");
  },
  spaced: (t) => Array.from(t).join("・"),
};

/**
 * The accuracy term list: the real English and Japanese LDNOOBW lists, one term a line, less the
 * terms without a letter or digit (the English list's one emoji), which termgate refuses to compile.
 */
export function accuracyTerms() {
  const keep = (t) => t !== "" && /[\p{L}\p{N}]/u.test(t);
  const en = lines(data("naughty-en.txt")).map((t) => t.trim()).filter(keep);
  const ja = lines(data("naughty-ja.txt")).map((t) => t.trim()).filter(keep);
  return { en, ja, all: [...en, ...ja] };
}

/** A termgate list for terms: one bare rule each, escaping what the list syntax would read. */
export function termgateList(terms) {
  return (
    "[block]\n" +
    terms.map((t) => (/^[!#[\\]/.test(t) ? "\\" + t : t)).join("\n") +
    "\n"
  );
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Does a term occur in `text` by the labelling rule (see the top of this file)? */
function termMatcher(terms) {
  const latin = terms.filter((t) => !/[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/u.test(t));
  const cjk = terms.filter((t) => !latin.includes(t)).map((t) => kataToHira(t.toLowerCase()));
  const word = new RegExp(
    `(?<![\\p{L}\\p{N}])(?:${latin.map((t) => escapeRe(t.toLowerCase())).join("|")})(?![\\p{L}\\p{N}])`,
    "u",
  );
  return (text) => {
    const lower = text.toLowerCase();
    if (word.test(lower)) return true;
    const folded = kataToHira(lower);
    return cjk.some((t) => folded.includes(t));
  };
}

function cleanSentences(corpus, terms, max, minLen, maxLen, seed) {
  const has = termMatcher(terms);
  const all = lines(data(corpus))
    .map((l) => l.replace(/\s+/g, " ").trim())
    .filter((l) => l.length >= minLen && l.length <= maxLen && !has(l));
  // A deterministic sample without repeats (partial Fisher–Yates).
  const rng = new Rng(seed);
  const n = Math.min(max, all.length);
  for (let i = 0; i < n; i++) {
    const j = i + rng.below(all.length - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, n);
}

/**
 * The labelled set: `{ label: 1|0, lang, kind, term, text }` rows. `label` 1 means a term is there
 * (obfuscated by `kind`), 0 a clean sentence.
 */
export function labelledSet({ cleanEn = 1500, cleanJa = 400 } = {}) {
  const { en, ja, all } = accuracyTerms();
  const enClean = cleanSentences("en.txt", all, cleanEn, 20, 280, 0x656e);
  const jaClean = cleanSentences("ja.txt", all, cleanJa, 10, 280, 0x6a61);
  const rows = [];
  const rng = new Rng(0x6c61626c);
  let carrier = 0;
  const enTerms = en.filter((t) => /^[a-z]{3,}$/.test(t));
  for (const term of enTerms) {
    for (const [kind, obfuscate] of Object.entries(EN_KINDS)) {
      const o = obfuscate(term, rng);
      if (o === null) continue;
      const words = enClean[carrier++ % enClean.length].split(" ");
      words.splice(rng.below(words.length + 1), 0, o);
      rows.push({ label: 1, lang: "en", kind, term, text: words.join(" ") });
    }
  }
  const jaTerms = ja.filter((t) => /^[\u3040-\u30ff\u3400-\u9fff]+$/u.test(t) && Array.from(t).length >= 2);
  for (const term of jaTerms) {
    for (const [kind, obfuscate] of Object.entries(JA_KINDS)) {
      const o = obfuscate(term, rng);
      if (o === null) continue;
      const chars = Array.from(jaClean[carrier++ % jaClean.length]);
      const at = rng.below(chars.length + 1);
      rows.push({ label: 1, lang: "ja", kind, term, text: chars.slice(0, at).join("") + o + chars.slice(at).join("") });
    }
  }
  for (const text of enClean) rows.push({ label: 0, lang: "en", kind: "clean", term: "", text });
  for (const text of jaClean) rows.push({ label: 0, lang: "ja", kind: "clean", term: "", text });
  return rows;
}

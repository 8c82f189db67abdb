// Benchmark inputs, mirroring benches/inputs.rs line for line (same SplitMix64 seeds and draws), so
// the lists and posts here are byte-for-byte the ones the core's criterion bench scans: prepare.mjs
// compares their hashes with the Rust generators' (`termgate-bench-peers mirror`) and stops if not.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, dirname } from "node:path";

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA = join(HERE, "..", "data");

const enc = new TextEncoder();
export const byteLength = (s) => enc.encode(s).length;

/** The file as Rust's `read_to_string` gives it. */
export function data(name) {
  try {
    return readFileSync(join(DATA, name), "utf8");
  } catch (e) {
    throw new Error(`${join(DATA, name)}: ${e.message}; run benches/fetch-data.sh (make bench-peers does)`);
  }
}

/** Rust's `str::lines`: split on \n, drop one trailing \r, no final empty line. */
export function lines(text) {
  const out = text.split("\n").map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  if (text.endsWith("\n") || text === "") out.pop();
  return out;
}

/**
 * `texts` as a page or a worker receives posts: parsed from an API's JSON, as a timeline arrives
 * (a compose box's `value` is alike). V8 keeps such strings flat; strings cut out of one text with
 * `split` are slices of it, read through the whole text character by character, which takes the
 * browser module's copy of a post into wasm memory 1.7x as long (BENCHMARKS.md).
 */
export const asReceived = (texts) => JSON.parse(JSON.stringify(texts));

/** About `bytes` (UTF-8) of posts, one per line of the corpus, repeated as needed. */
export function posts(corpus, bytes) {
  const ls = lines(data(corpus)).filter((l) => l.trim() !== "");
  const out = [];
  let total = 0;
  for (let i = 0; total < bytes; i = (i + 1) % ls.length) {
    total += byteLength(ls[i]);
    out.push(ls[i]);
  }
  return out;
}

const MASK = (1n << 64n) - 1n;

/** SplitMix64, as in inputs.rs. */
export class Rng {
  constructor(seed) {
    this.s = BigInt(seed) & MASK;
  }
  next() {
    this.s = (this.s + 0x9e3779b97f4a7c15n) & MASK;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
    return z ^ (z >> 31n);
  }
  below(n) {
    return Number(this.next() % BigInt(n));
  }
}

/** `n` English words sampled from the real word list, as a `[block]` term list. */
export function englishList(n) {
  const words = lines(data("words.txt")).filter((w) => byteLength(w) >= 3);
  const rng = new Rng(n);
  let list = "[block]\n";
  for (let i = 0; i < n; i++) list += words[rng.below(words.length)] + "\n";
  return list;
}

const CHARS = Array.from(
  "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだでどばびぶべぼぱぴぷぺぽアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロ日本人大年一国会中事自社者地業方新場員立開手力問代明動京目通言理体田主題意不作用度強公持野以思家世多正安院心界教文元重近考画海売知道集別物使品計死特私始朝運終台広住無真有口少町料工建空急止送切転研足究楽起着店病質待試族銀早映親験英医仕去味写字答夜音注帰古歌買悪図週室歩風紙黒花春赤青館屋色走秋夏習駅洋旅服夕借曜飲肉貸堂鳥飯勉冬昼茶弟牛魚兄犬妹姉漢",
);

/** `n` synthetic Japanese terms of 3–6 characters plus the real Japanese LDNOOBW list. */
export function japaneseList(n) {
  const rng = new Rng(BigInt(n) ^ 0x6a61n);
  let list = "[block]\n" + data("naughty-ja.txt");
  for (let i = 0; i < n; i++) {
    const len = 3 + rng.below(4);
    for (let j = 0; j < len; j++) list += CHARS[rng.below(CHARS.length)];
    list += "\n";
  }
  return list;
}

/** The terms of a generated `[block]` list, one per rule, as plain strings for the peers. */
export function terms(list) {
  return lines(list)
    .slice(1)
    .map((t) => t.trim())
    .filter((t) => t !== "");
}

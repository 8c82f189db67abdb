// Writes every input of the peer benchmark into target/data/ (lists, posts, the labelled set), so
// the Rust and the JS sides read the very same bytes.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { englishList, japaneseList, posts } from "./inputs.mjs";
import { accuracyTerms, labelledSet, termgateList } from "./labelled.mjs";

export const OUT = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "target", "data");
export const SIZES = [1000, 10000, 100000];
export const POST_BYTES = 1 << 20;

mkdirSync(OUT, { recursive: true });
for (const n of SIZES) {
  writeFileSync(join(OUT, `list-en-${n}.txt`), englishList(n));
  writeFileSync(join(OUT, `list-ja-${n}.txt`), japaneseList(n));
}
writeFileSync(join(OUT, "posts-en.txt"), posts("en.txt", POST_BYTES).join("\n") + "\n");
writeFileSync(join(OUT, "posts-ja.txt"), posts("ja.txt", POST_BYTES).join("\n") + "\n");
writeFileSync(join(OUT, "list-accuracy.txt"), termgateList(accuracyTerms().all));
const rows = labelledSet();
writeFileSync(
  join(OUT, "accuracy.tsv"),
  rows.map((r) => [r.label, r.lang, r.kind, r.term, r.text].map((f) => String(f).replace(/[\t\n]/g, " ")).join("\t")).join("\n") + "\n",
);
// The lists and posts must be the bytes benches/inputs.rs makes: compare with the Rust generators.
const fnv = (s) => {
  let x = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) x = ((x ^ BigInt(b)) * 0x100000001b3n) & ((1n << 64n) - 1n);
  return x.toString(16).padStart(16, "0");
};
const mine = {};
for (const n of SIZES) {
  mine[`list-en-${n}`] = fnv(englishList(n));
  mine[`list-ja-${n}`] = fnv(japaneseList(n));
}
for (const [lang, corpus] of [["en", "en.txt"], ["ja", "ja.txt"]]) mine[`posts-${lang}`] = fnv(posts(corpus, POST_BYTES).join("\n"));
const bin = join(OUT, "..", "release", "termgate-bench-peers");
if (existsSync(bin)) {
  const theirs = JSON.parse(execFileSync(bin, ["mirror"], { encoding: "utf8" }));
  const differ = Object.keys(theirs).filter((k) => theirs[k] !== mine[k]);
  if (differ.length) throw new Error(`inputs.mjs no longer mirrors benches/inputs.rs: ${differ.join(", ")} differ`);
  console.log("inputs.mjs mirrors benches/inputs.rs: every list and post set hashes the same");
} else {
  console.log(`(${bin} not built: the mirror check of benches/inputs.rs was skipped)`);
}
const count = (f) => rows.filter(f).length;
console.log(
  `inputs in ${OUT}: lists ${SIZES.join("/")} en+ja, 2 × ${POST_BYTES} B of posts, labelled set ` +
    `${count((r) => r.label)} obfuscated (en ${count((r) => r.label && r.lang === "en")}, ja ${count((r) => r.label && r.lang === "ja")}) + ` +
    `${count((r) => !r.label)} clean (en ${count((r) => !r.label && r.lang === "en")}, ja ${count((r) => !r.label && r.lang === "ja")})`,
);

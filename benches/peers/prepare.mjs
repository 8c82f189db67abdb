// Writes every input of the peer benchmark into target/data/ (lists, posts, the labelled set), so
// the Rust and the JS sides read the very same bytes.
import { mkdirSync, writeFileSync } from "node:fs";
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
const count = (f) => rows.filter(f).length;
console.log(
  `inputs in ${OUT}: lists ${SIZES.join("/")} en+ja, 2 × ${POST_BYTES} B of posts, labelled set ` +
    `${count((r) => r.label)} obfuscated (en ${count((r) => r.label && r.lang === "en")}, ja ${count((r) => r.label && r.lang === "ja")}) + ` +
    `${count((r) => !r.label)} clean (en ${count((r) => !r.label && r.lang === "en")}, ja ${count((r) => !r.label && r.lang === "ja")})`,
);

#!/usr/bin/env bash
# Installs the benchmark inputs from package registries into benches/data/ (not committed).
# Every input is real text or a real list that nobody on this project wrote:
#   en.txt       English posts: Debian package `fortunes` (fortune-mod data files; BSD-style licence),
#                one fortune a line
#   ja.txt       Japanese sentences: PyPI `hironsancorpus` 0.1.2 (MIT), one sentence a line
#   words.txt    English word list: npm `an-array-of-english-words` 2.0.0 (MIT), one word a line
#   naughty-en.txt, naughty-ja.txt: npm `naughty-words` 1.2.0 (LDNOOBW lists, CC-BY-4.0)
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p data
cd data

if [ ! -s en.txt ]; then
  if [ ! -d /usr/share/games/fortunes ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fortunes >/dev/null
  fi
  # Fortunes are separated by lines holding only '%'; join each into one line.
  for f in /usr/share/games/fortunes/*; do
    case "$f" in *.dat|*.u8) continue ;; esac
    [ -f "$f" ] && cat "$f" && printf '\n%%\n'
  done | iconv -f utf-8 -t utf-8 -c \
    | awk 'BEGIN{RS="\n%\n"} {gsub(/[ \t]*\n[ \t]*/, " "); gsub(/^ +| +$/, ""); if (length($0) > 0) print}' > en.txt
fi

if [ ! -s ja.txt ]; then
  tmp=$(mktemp -d)
  pip download --no-deps -q -d "$tmp" hironsancorpus==0.1.2
  tar xzf "$tmp"/hironsancorpus-0.1.2.tar.gz -C "$tmp"
  # IOB file: one token a line, first column the surface form, blank line between sentences.
  awk -F'\t' 'NF==0 { if (s != "") print s; s = ""; next } { s = s $1 } END { if (s != "") print s }' \
    "$tmp"/hironsancorpus-0.1.2/hironsan/corpus/iob_sents.txt > ja.txt
  rm -rf "$tmp"
fi

if [ ! -s words.txt ] || [ ! -s naughty-ja.txt ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack -q an-array-of-english-words@2.0.0 naughty-words@1.2.0 >/dev/null \
    && for t in *.tgz; do mkdir -p "${t%.tgz}" && tar xzf "$t" -C "${t%.tgz}"; done)
  node -e '
    const fs = require("fs"), path = require("path");
    const dir = process.argv[1];
    const find = (pkg, file) => path.join(dir, fs.readdirSync(dir).find(d => d.startsWith(pkg) && !d.endsWith(".tgz")), "package", file);
    fs.writeFileSync("words.txt", JSON.parse(fs.readFileSync(find("an-array-of-english-words", "index.json"))).join("\n") + "\n");
    for (const lang of ["en", "ja"]) {
      fs.writeFileSync(`naughty-${lang}.txt`, JSON.parse(fs.readFileSync(find("naughty-words", `${lang}.json`))).join("\n") + "\n");
    }' "$tmp"
  rm -rf "$tmp"
fi
wc -lc en.txt ja.txt words.txt naughty-en.txt naughty-ja.txt

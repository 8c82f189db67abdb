// The module glue's UTF-8 encoder (wasm/browser/js/encode-into.mjs) against the real
// `TextEncoder.prototype.encodeInto`: Rust takes what it writes as a `str` without checking it, so
// it must write exactly what the standard method writes, for every string and every room.
import assert from "node:assert/strict";
import { test } from "node:test";

import { encodeIntoAt } from "../../wasm/browser/js/encode-into.mjs";
import { draws } from "../random.mjs";

const encoder = new TextEncoder();

// Characters at every boundary of UTF-8's lengths, and every way a surrogate can be alone.
const PIECES = [
  "a", "\0", "\x7f", "\x80", "é", "\u07ff", "\u0800", "ね", "漢", "\ud7ff", "\ue000", "\ufffd", "\uffff",
  "😀", "\ud800\udc00", "\udbff\udfff", "\ud800", "\udbff", "\udc00", "\udfff", "\udc00\ud800", "\ud800\ud800",
];

function both(text, room) {
  const ours = new Uint8Array(room).fill(0xaa);
  const theirs = new Uint8Array(room).fill(0xaa);
  return { ours: [encodeIntoAt(text, ours, 0, room), ours], theirs: [encoder.encodeInto(text, theirs), theirs] };
}

test("writes what TextEncoder.encodeInto writes, given room for the whole text", () => {
  for (const a of PIECES) {
    for (const b of PIECES) {
      for (const text of [a + b, `x${a}${b}`, `${a}y${b}`, `${a}${b}z`]) {
        const { ours, theirs } = both(text, 3 * text.length);
        assert.deepEqual(ours, theirs, JSON.stringify(text));
      }
    }
  }
});

test("writes what TextEncoder.encodeInto writes for generated texts", () => {
  const next = draws(11);
  for (let round = 0; round < 2000; round++) {
    let text = "";
    for (let n = next(12); n > 0; n--) text += PIECES[next(PIECES.length)];
    const room = 3 * text.length + next(3);
    const { ours, theirs } = both(text, room);
    assert.deepEqual(ours, theirs, `${JSON.stringify(text)} in ${room} bytes`);
  }
});

test("with less room than the glue gives, stops where TextEncoder.encodeInto stops", () => {
  for (const text of ["ねこ", "a😀b", "\ud800x", "éé"]) {
    for (let room = 0; room < 3 * text.length; room++) {
      const { ours, theirs } = both(text, room);
      assert.deepEqual(ours, theirs, `${JSON.stringify(text)} in ${room} bytes`);
    }
  }
});

test("into a larger memory at an offset: the same bytes there, and nothing written outside them", () => {
  // What the glue does: the module's whole memory, from the string's allocation.
  const next = draws(13);
  for (let round = 0; round < 500; round++) {
    let text = "";
    for (let n = next(12); n > 0; n--) text += PIECES[next(PIECES.length)];
    const at = next(16);
    const end = at + 3 * text.length + next(3);
    const memory = new Uint8Array(end + 16).fill(0xaa);
    const ret = encodeIntoAt(text, memory, at, end);
    const theirs = encoder.encode(text);
    assert.deepEqual(ret, { read: text.length, written: theirs.length }, JSON.stringify(text));
    assert.deepEqual(memory.subarray(at, at + ret.written), theirs, JSON.stringify(text));
    assert.ok(memory.subarray(0, at).every((b) => b === 0xaa), "before `at`");
    assert.ok(memory.subarray(at + ret.written).every((b) => b === 0xaa), "after what it wrote");
  }
  // With less room than three bytes per unit, the standard method, inside `at..end` only.
  const memory = new Uint8Array(12).fill(0xaa);
  assert.deepEqual(encodeIntoAt("ねこ", memory, 2, 6), { read: 1, written: 3 });
  assert.deepEqual([...memory], [0xaa, 0xaa, 0xe3, 0x81, 0xad, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa]);
});

test("the empty string", () => {
  assert.deepEqual(both("", 0).ours, both("", 0).theirs);
});

// Deterministic draws for generated test inputs: the same inputs on every run.
//
// xorshift32, because a multiplying generator in JS doubles (`seed * 1103515245 + 12345`) loses
// bits past 2^53 and repeats after about 10,000 draws.

/** A function `next(n)` that draws an integer in `0..n` from the sequence that `seed` starts. */
export function draws(seed) {
  let state = seed | 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

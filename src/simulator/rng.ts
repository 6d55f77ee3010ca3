/**
 * The simulator's random choices. With a seed, mulberry32: tiny, fast and the same sequence on
 * every run, so a CI test of retry or fallback policy sees the same failures each time.
 */

export type Rng = () => number;

/** mulberry32: a 32-bit state PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createRng(seed: number | undefined): Rng {
  return seed === undefined ? Math.random : mulberry32(seed);
}

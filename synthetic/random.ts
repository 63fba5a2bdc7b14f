/**
 * Seeded pseudo-random numbers for the synthetic region. Everything the generator draws comes from
 * here, so one seed always gives the same region, byte for byte. sfc32 (Chris Doty-Humphrey's
 * "small fast chaotic" generator, PractRand-clean to 2^42 bytes) is used instead of Math.random,
 * which cannot be seeded; it is a few lines of 32-bit integer arithmetic, fast enough for 10^8 draws.
 */

/** 32-bit avalanche mix (Murmur3 finaliser): spreads seeds and entity indices over all bits. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A stable 32-bit hash of a seed and a list of integers or labels: the key of a derived stream. */
export function hash32(seed: number, ...parts: ReadonlyArray<number | string>): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const part of parts) {
    if (typeof part === 'number') h = mix32(h ^ mix32(part + 0x632be5ab));
    else for (let i = 0; i < part.length; i += 1) h = mix32(h ^ (part.charCodeAt(i) + 0x27d4eb2f));
  }
  return h;
}

/** A uniform number in [0, 1) from a hash: for per-entity facts that must not consume a stream. */
export function unitOf(seed: number, ...parts: ReadonlyArray<number | string>): number {
  return hash32(seed, ...parts) / 0x1_0000_0000;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The second normal deviate of the last Box-Muller pair. */
  private spare: number | undefined;

  constructor(seed: number, ...label: ReadonlyArray<number | string>) {
    const key = hash32(seed, ...label);
    this.a = mix32(key ^ 0x1b873593);
    this.b = mix32(key ^ 0xcc9e2d51);
    this.c = mix32(key ^ 0xe6546b64);
    this.d = 1;
    // The first outputs of a freshly seeded sfc32 are correlated with the seed: discard them.
    for (let i = 0; i < 12; i += 1) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 0x1_0000_0000;
  }

  /** Integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** Standard normal deviate (Box-Muller; both values of each pair are used). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /**
   * Log-normal with the given median and geometric standard deviation (sigma of the log): dose
   * distributions of one protocol in one room are right-skewed, with a long tail of large patients.
   */
  logNormal(median: number, sigmaLog: number): number {
    return median * Math.exp(sigmaLog * this.normal());
  }

  /** Normal clipped to [min, max]: patient sizes and scan lengths that stay physical. */
  clippedNormal(mean: number, sd: number, min: number, max: number): number {
    return Math.min(max, Math.max(min, mean + sd * this.normal()));
  }
}

/** Draws an index with probability proportional to its weight, in O(log n) per draw. */
export class WeightedChoice<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    private readonly items: readonly T[],
    weight: (item: T) => number,
  ) {
    if (items.length === 0) throw new Error('weighted choice of nothing');
    this.cumulative = new Float64Array(items.length);
    let sum = 0;
    items.forEach((item, i) => {
      sum += Math.max(0, weight(item));
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new Error('weighted choice with no positive weight');
    this.total = sum;
  }

  draw(random: Random): T {
    return this.at(random.next());
  }

  /** The item a uniform [0, 1) value selects: lets hashed (stream-free) choices use the same table. */
  at(uniform: number): T {
    const target = uniform * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }
}

import { fmix32 } from '../core/hash32';

const UNDEFINED = 0xfffffffe;
const NOT_SAFE_INTEGER = 0xfffffffd;
/** Marks a number's high half (below 2^21 for a safe integer), so no number reads as text or undefined. */
const NUMBER_HIGH = 0xffe00000;

/**
 * A digest of a set of records that ignores their order, for change signals of large
 * answers: a 1,000-guest `cluster/resources` as sorted text lines costs about 1 ms of CPU
 * per poll (string building and sorting), this about a fifth of it.
 *
 * Each record's fields go through two 32-bit FNV-1a variants (strings length-prefixed,
 * so `ab|c` and `a|bc` differ, two UTF-16 units per step; numbers by their 32-bit
 * halves, no string conversion), finalised with murmur3's fmix32; the records' digests
 * are added up mod 2^32 per half, so the order of the records does not matter while
 * their multiset does. 64 bits: two different answers digest alike with a chance of
 * about 2^-64, which for telling one poll's answer from the previous one's is never.
 *
 * The lanes are stepped in locals, written out in each method rather than through a
 * helper: this runs for every field of every record of a large answer.
 */
export class UnorderedDigest {
  private sumA = 0;
  private sumB = 0;
  private records = 0;
  private a = 0;
  private b = 0;

  /** Starts a record. */
  record(): this {
    this.a = 0x811c9dc5;
    this.b = 0x01000193;
    return this;
  }

  text(value: string | undefined): this {
    let a = this.a;
    let b = this.b;
    if (value === undefined) {
      a = Math.imul(a ^ UNDEFINED, 0x01000193);
      b = Math.imul(b ^ UNDEFINED, 0x5bd1e995) ^ (b >>> 15);
    } else {
      const length = value.length;
      a = Math.imul(a ^ length, 0x01000193);
      b = Math.imul(b ^ length, 0x5bd1e995) ^ (b >>> 15);
      // Two UTF-16 units per step; the length above keeps a trailing odd unit unambiguous.
      let i = 0;
      for (; i < length - 1; i += 2) {
        const unit = value.charCodeAt(i) | (value.charCodeAt(i + 1) << 16);
        a = Math.imul(a ^ unit, 0x01000193);
        b = Math.imul(b ^ unit, 0x5bd1e995) ^ (b >>> 15);
      }
      if (i < length) {
        const unit = value.charCodeAt(i);
        a = Math.imul(a ^ unit, 0x01000193);
        b = Math.imul(b ^ unit, 0x5bd1e995) ^ (b >>> 15);
      }
    }
    this.a = a;
    this.b = b;
    return this;
  }

  number(value: number | undefined): this {
    // A fraction or a number beyond 2^53 as its text, after a marker no integer's halves make.
    const integer = value === undefined || Number.isSafeInteger(value);
    const low = value === undefined ? UNDEFINED : integer ? value >>> 0 : NOT_SAFE_INTEGER;
    let a = Math.imul(this.a ^ low, 0x01000193);
    let b = Math.imul(this.b ^ low, 0x5bd1e995) ^ (this.b >>> 15);
    if (value !== undefined && integer) {
      const high = (Math.floor(value / 4294967296) ^ NUMBER_HIGH) >>> 0;
      a = Math.imul(a ^ high, 0x01000193);
      b = Math.imul(b ^ high, 0x5bd1e995) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
    return integer ? this : this.text(String(value));
  }

  /** Ends the record started by `record()` and adds it to the set. */
  end(): void {
    this.sumA = (this.sumA + fmix32(this.a)) >>> 0;
    this.sumB = (this.sumB + fmix32(this.b ^ 0x9e3779b9)) >>> 0;
    this.records += 1;
  }

  /** The digest of every record ended so far, as text. */
  digest(): string {
    return `${this.records}:${this.sumA.toString(16).padStart(8, '0')}${this.sumB.toString(16).padStart(8, '0')}`;
  }
}

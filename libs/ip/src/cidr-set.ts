import { cidrsOverlap, parseCidr, type Cidr } from './cidr';

/** A fixed list of networks with the question every safety check asks: does this address or network touch it? */
export class CidrSet {
  private readonly cidrs: Cidr[];

  constructor(entries: Iterable<string>) {
    this.cidrs = [];
    for (const entry of entries) {
      const cidr = parseCidr(entry, { strict: false });
      if (cidr === null) throw new Error(`"${entry}" is not an IP address or CIDR`);
      this.cidrs.push(cidr);
    }
  }

  get size(): number {
    return this.cidrs.length;
  }

  /** The first entry that overlaps `target` (an IP or a CIDR), or null. A ban of 10.0.0.0/8 touches an allowlisted 10.1.2.3. */
  match(target: string): Cidr | null {
    const cidr = parseCidr(target, { strict: false });
    if (cidr === null) return null;
    return this.cidrs.find((entry) => cidrsOverlap(entry, cidr)) ?? null;
  }

  has(target: string): boolean {
    return this.match(target) !== null;
  }
}

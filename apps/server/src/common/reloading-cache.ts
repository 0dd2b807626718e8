/**
 * A value loaded on first use and reloaded when invalidated or older than `maxAgeMs`. Jails and the allowlist
 * are read on every evaluation and change rarely: the age bound covers an invalidation message that was lost.
 */
export class ReloadingCache<T> {
  private value: Promise<T> | null = null;
  private loadedAt = 0;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs = 10_000,
  ) {}

  get(now = Date.now()): Promise<T> {
    if (this.value === null || now - this.loadedAt > this.maxAgeMs) {
      this.loadedAt = now;
      this.value = this.load().catch((error: unknown) => {
        this.value = null;
        throw error;
      });
    }
    return this.value;
  }

  invalidate(): void {
    this.value = null;
  }
}

import { layoutNetworks, prepareBans, type Ban, type BanElement } from './ban-element';
import { BanTargetValidator, type Refusal } from './ban-target.validator';
import { resolveEnforcerConfig, type EnforcerConfig } from './enforcer.config';
import { parseCounter, parseElements, parseTableShape, type Counter, type EnforcedElement } from './nft-json.parse';
import { NftError, type NftRunner } from './nft.runner';
import { renderDelta, renderEnsure, renderRemove, renderSnapshot } from './ruleset.render';
import { COUNTER_NAME } from './table-shape';

/** Bans to add (or refresh) and bans to lift. A ban in both lists ends up added. */
export interface BanDelta {
  add: Ban[];
  remove: string[];
}

export interface ApplyResult {
  /** Elements written with a fresh timeout. */
  applied: number;
  removed: number;
  refused: Refusal[];
  expired: number;
  /** Networks inside another banned network, covered by it rather than written. */
  shadowed: string[];
  /** Apply the desired state again at this time (an outer network ends before one it shadows); null: no need. */
  reassertAt: number | null;
}

export interface EnsureResult {
  /** Sets re-created empty because their definition changed. */
  recreatedSets: string[];
  /**
   * Apply the snapshot again so the kernel matches it: sets were re-created, or the protected list changed (a ban
   * written before may now touch a protected address, and a snapshot is what drops it).
   */
  reapplySnapshot: boolean;
}

const isNetwork = (e: BanElement): boolean => e.set.endsWith('net');

/**
 * The agent's nftables driver. Owns exactly one `inet` table and nothing else; every change is one atomic batch.
 * Operations run one at a time, in call order.
 */
export class NftablesEnforcer {
  private config: EnforcerConfig;
  private validator: BanTargetValidator;
  /** Validates lifted bans: a lift is never refused for touching a protected network. */
  private readonly liftValidator = new BanTargetValidator([]);
  /** The networks wanted (shadowed ones included), to lay out the interval sets; null until known. */
  private networks: Map<string, BanElement> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    config: Partial<EnforcerConfig>,
    private readonly runner: NftRunner,
  ) {
    this.config = resolveEnforcerConfig(config);
    this.validator = new BanTargetValidator(this.config.protected);
  }

  get table(): string {
    return this.config.table;
  }

  /** Creates or upgrades the table, sets, chain and rules; keeps elements unless a set's definition changed. */
  ensureTable(update: Partial<Omit<EnforcerConfig, 'table'>> = {}): Promise<EnsureResult> {
    return this.serial(async () => {
      const config = resolveEnforcerConfig({ ...this.config, ...update, table: this.config.table });
      const plan = renderEnsure(config, await this.readShape());
      await this.runner.run(plan.script);
      const protectedChanged = config.protected.join() !== this.config.protected.join();
      if (protectedChanged) this.validator = new BanTargetValidator(config.protected);
      this.config = config;
      if (plan.recreatedSets.length > 0) this.networks = null;
      return { recreatedSets: plan.recreatedSets, reapplySnapshot: protectedChanged || plan.recreatedSets.length > 0 };
    });
  }

  /** Makes the sets hold exactly `bans` (minus refused and ended ones), in one batch. */
  applySnapshot(bans: readonly Ban[], now: number): Promise<ApplyResult> {
    return this.serial(async () => {
      const prepared = prepareBans(bans, this.validator, now);
      const networks = new Map(prepared.elements.filter(isNetwork).map((e) => [e.cidr, e]));
      const layout = layoutNetworks(networks.values(), now);
      const elements = [...prepared.elements.filter((e) => !isNetwork(e)), ...layout.kept];
      await this.apply(renderSnapshot(this.config.table, elements, now));
      this.networks = networks;
      const { refused, expired } = prepared;
      return { applied: elements.length, removed: 0, refused, expired, shadowed: layout.shadowed.map((e) => e.cidr), reassertAt: layout.reassertAt };
    });
  }

  /** Adds (refreshing the timeout of those present) and removes bans, in one batch; a missing element is no error. */
  applyDelta(delta: BanDelta, now: number): Promise<ApplyResult> {
    return this.serial(async () => {
      const added = prepareBans(delta.add, this.validator, now);
      const lifted = prepareBans(delta.remove.map((ip) => ({ ip, until: null })), this.liftValidator, now);
      const refused = [...added.refused, ...lifted.refused];
      const cached = this.networks;
      try {
        return { ...(await this.applyChanges(added.elements, lifted.elements, cached ?? (await this.readNetworks(now)), now)), refused, expired: added.expired };
      } catch (error) {
        if (cached === null || !(error instanceof NftError)) throw error;
        // The networks we believed present may have expired in the kernel: read them and try once more.
        return { ...(await this.applyChanges(added.elements, lifted.elements, await this.readNetworks(now), now)), refused, expired: added.expired };
      }
    });
  }

  private async applyChanges(added: BanElement[], lifted: BanElement[], before: Map<string, BanElement>, now: number) {
    const after = new Map(before);
    for (const e of lifted.filter(isNetwork)) after.delete(e.cidr);
    for (const e of added.filter(isNetwork)) after.set(e.cidr, e);
    const oldLayout = layoutNetworks(before.values(), now).kept;
    const newLayout = layoutNetworks(after.values(), now);
    const refreshed = new Set(added.map((e) => e.cidr));
    const previous = new Map(oldLayout.map((e) => [e.cidr, e]));
    const next = new Map(newLayout.kept.map((e) => [e.cidr, e]));
    const changed = (e: BanElement): boolean => refreshed.has(e.cidr) || previous.get(e.cidr)?.expiresAt !== e.expiresAt;
    const toAdd = [...added.filter((e) => !isNetwork(e)), ...newLayout.kept.filter(changed)];
    const toRemove = [...lifted.filter((e) => !isNetwork(e)), ...oldLayout.filter((e) => !next.has(e.cidr) || changed(next.get(e.cidr) as BanElement))];
    await this.apply(renderDelta(this.config.table, toRemove, toAdd, now));
    this.networks = after;
    return { applied: toAdd.length, removed: toRemove.length, shadowed: newLayout.shadowed.map((e) => e.cidr), reassertAt: newLayout.reassertAt };
  }

  /** Every element in the kernel with its timeout and the seconds it has left. */
  list(): Promise<EnforcedElement[]> {
    return this.serial(async () => parseElements(await this.runner.read(['-j', 'list', 'table', 'inet', this.config.table])));
  }

  /** Packets and bytes dropped or rejected since the table was created. */
  dropped(): Promise<Counter> {
    return this.serial(async () => parseCounter(await this.runner.read(['-j', 'list', 'counter', 'inet', this.config.table, COUNTER_NAME])));
  }

  /** Uninstalls: deletes the table (nothing else), whether or not it exists. */
  removeTable(): Promise<void> {
    return this.serial(async () => {
      await this.runner.run(renderRemove(this.config.table));
      this.networks = null;
    });
  }

  close(): Promise<void> {
    return this.serial(() => this.runner.close());
  }

  private async apply(script: string): Promise<void> {
    if (script === '') return;
    try {
      await this.runner.run(script);
    } catch (error) {
      // What we believed the kernel holds may be wrong: read it again before the next delta.
      this.networks = null;
      throw error;
    }
  }

  private async readShape() {
    try {
      return parseTableShape(await this.runner.read(['-j', '-t', 'list', 'table', 'inet', this.config.table]));
    } catch (error) {
      if (error instanceof NftError && /No such file or directory/.test(error.output)) return null;
      throw error;
    }
  }

  private async readNetworks(now: number): Promise<Map<string, BanElement>> {
    const sets = ['banned4net', 'banned6net'];
    const outputs = await Promise.all(sets.map((set) => this.runner.read(['-j', 'list', 'set', 'inet', this.config.table, set])));
    const bans = outputs.flatMap(parseElements).map((e) => ({ ip: e.cidr, until: e.expires === null ? null : now + e.expires * 1000 }));
    return new Map(prepareBans(bans, this.liftValidator, now).elements.map((e) => [e.cidr, e]));
  }

  private serial<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.queue.then(operation);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

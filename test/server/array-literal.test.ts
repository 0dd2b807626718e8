import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Client } from 'pg';
import { boolArrayLiteral, numberArrayLiteral, textArrayLiteral } from '../../apps/server/src/ingest/array-literal';
import { createTestDatabase } from '../support/test-database';

// The batch insert's hand-built array literals, read back by PostgreSQL itself: every value as it was sent.
describe('array literals of the batch insert', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pg: Client;

  beforeAll(async () => {
    db = await createTestDatabase('array_literal');
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('round-trips any text (quotes, backslashes, braces, commas, spaces, NULL as a word), and nulls; U+0000 becomes U+FFFD', async () => {
    const tricky = ['', ' ', 'NULL', 'null', '"', '\\', '\\"', '{}', 'a,b', ' lead', 'trail ', 'a"b\\c', '{"x":1}', 'é€😀', 'sip:1001@192.0.2.1'];
    const anyText = fc.string({ unit: 'binary', maxLength: 20 });
    const samples = [tricky, ['nul\u0000byte', '\u0000'], ...fc.sample(fc.array(fc.oneof(anyText, fc.constant(null)), { maxLength: 30 }), 200)];
    for (const values of samples) {
      const { rows } = await pg.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [textArrayLiteral(values)]);
      expect(rows[0]!.v).toEqual(values.map((v) => (v === null ? null : Buffer.from(v).toString().replace(/\0/g, '\uFFFD'))));
    }
  });

  it('round-trips times, ports and booleans', async () => {
    const times = [0, 1, 1_764_400_000_123, Number.MAX_SAFE_INTEGER];
    const ports = [0, 5060, 65535, null];
    const { rows } = await pg.query('SELECT $1::float8[] AS t, $2::int[] AS p, $3::bool[] AS f', [numberArrayLiteral(times), numberArrayLiteral(ports), boolArrayLiteral([true, false, true])]);
    expect(rows[0]).toEqual({ t: times, p: ports, f: [true, false, true] });
  });
});

// PostgreSQL array literals for the batch insert, built by hand: pg's generic encoder inspects every element's
// type and runs two regex replaces on each, which was the server's largest cost per event after decoding.
// Every text element is quoted, so braces, commas, spaces and the word NULL need no special case; inside
// quotes only `"` and `\` are escaped (array_in's rules). PostgreSQL text cannot hold U+0000, which JSON can
// carry in an attacker's account name: it becomes U+FFFD, else the batch would fail at every resend and
// block the agent's spool behind it.

const NEEDS_ESCAPE = /["\\\0]/;
const ESCAPED = /["\\]/g;
const NUL = /\0/g;

/** `{"a","b",NULL}` for a text[] parameter. */
export function textArrayLiteral(values: readonly (string | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else literal += `"${NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, '\\$&').replace(NUL, '\uFFFD') : value}"`;
  }
  return `${literal}}`;
}

/** `{1,2.5,NULL}` for an int[] or float8[] parameter (finite numbers only: the protocol admits no others). */
export function numberArrayLiteral(values: readonly (number | null)[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ',';
    literal += value === null || value === undefined ? 'NULL' : String(value);
  }
  return `${literal}}`;
}

/** `{t,f}` for a bool[] parameter. */
export function boolArrayLiteral(values: readonly boolean[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) literal += (i > 0 ? ',' : '') + (values[i] ? 't' : 'f');
  return `${literal}}`;
}

/**
 * Text of one table cell. Control characters are shown escaped: account names, user agents and other
 * attacker-controlled text reach these tables, and a raw escape sequence could rewrite the operator's terminal.
 */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return printable(text);
}

/** Replaces C0/C1 control characters with \xNN (or \uNNNN) so the text cannot move the cursor or change colours. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * An aligned table: a header row in capitals, then one line per row, columns two spaces apart, no trailing spaces.
 * Cells are passed through {@link cell}.
 */
export function formatTable(headers: string[], rows: unknown[][]): string {
  const texts = [headers.map((h) => h.toUpperCase()), ...rows.map((row) => headers.map((_, i) => cell(row[i])))];
  const widths = headers.map((_, i) => Math.max(...texts.map((row) => (row[i] ?? '').length)));
  return texts.map((row) => row.map((text, i) => (i === row.length - 1 ? text : text.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

/** A table, or `empty` (e.g. "No active bans.") when there are no rows. */
export function tableOrEmpty(headers: string[], rows: unknown[][], empty: string): string {
  return rows.length === 0 ? `${empty}\n` : formatTable(headers, rows);
}

/** Aligned `label: value` lines, e.g. the fields of one ban or jail. */
export function formatFields(fields: [label: string, value: unknown][], indent = ''): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length + 1));
  return fields.map(([label, value]) => `${indent}${`${label}:`.padEnd(width)}  ${cell(value)}`.trimEnd()).join('\n') + '\n';
}

import { parseDocument } from 'yaml';
import { JailValidationError, validateJail, type Jail, type JailIssue } from './jail.schema';

/**
 * Parses a YAML document of jails, keyed by name:
 * ```yaml
 * jails:
 *   asterisk:
 *     maxretry: 3
 *     findtime: 10m
 *     bantime: 1h
 * ```
 * Each jail is validated like the API's (durations as seconds or '10m', '1h', '1d', '1w'). Throws one
 * {@link JailValidationError} listing every problem, each naming the jail and the field (or the YAML line).
 */
export function parseJailsYaml(text: string): Jail[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new JailValidationError(doc.errors.map((error) => ({ jail: null, path: `line ${error.linePos?.[0].line ?? '?'}`, message: firstLine(error.message) })));
  }
  const root: unknown = doc.toJS();
  const jails = typeof root === 'object' && root !== null ? (root as { jails?: unknown }).jails : undefined;
  if (typeof jails !== 'object' || jails === null || Array.isArray(jails)) {
    throw new JailValidationError([{ jail: null, path: 'jails', message: 'expected a mapping of jail name to jail, e.g. "jails:\\n  asterisk:\\n    maxretry: 3"' }]);
  }
  const issues: JailIssue[] = [];
  const parsed: Jail[] = [];
  for (const [name, body] of Object.entries(jails)) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      issues.push({ jail: name, path: '', message: 'expected a mapping of fields' });
      continue;
    }
    const declared = (body as { name?: unknown }).name;
    if (declared !== undefined && declared !== name) issues.push({ jail: name, path: 'name', message: `differs from its key "${name}"` });
    const result = validateJail({ ...body, name }, name);
    if (result.ok) parsed.push(result.jail);
    else issues.push(...result.issues);
  }
  if (issues.length > 0) throw new JailValidationError(issues);
  return parsed;
}

const firstLine = (message: string): string => (message.split('\n')[0] ?? message).replace(/:$/, '');

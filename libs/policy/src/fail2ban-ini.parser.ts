/** One `[section]` of a fail2ban file: keys lower-cased (as Python's configparser does), values raw. */
export interface IniSection {
  name: string;
  values: Map<string, string>;
}

export interface IniProblem {
  line: number;
  text: string;
  why: string;
}

export interface IniDocument {
  sections: Map<string, IniSection>;
  problems: IniProblem[];
}

const SECTION = /^\[([^\]]+)\]\s*(?:[#;].*)?$/;

/**
 * Parses fail2ban's INI dialect (Python configparser): `[section]`, `key = value` or `key: value`, full-line
 * comments `#`/`;`, inline comments after whitespace (`; ...`, and `# ...` which fail2ban would keep in the value
 * but users write meaning a comment), and indented continuation lines that extend the previous value (multi-line
 * ignoreip), joined with newlines. A repeated section merges, later keys winning. Never throws: problems are listed.
 */
export function parseIni(text: string): IniDocument {
  const sections = new Map<string, IniSection>();
  const problems: IniProblem[] = [];
  let section: IniSection | null = null;
  let key: string | null = null;
  for (const [index, raw] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (/^\s/.test(raw) && section !== null && key !== null) {
      const more = stripInlineComment(trimmed);
      const previous = section.values.get(key) ?? '';
      if (more !== '') section.values.set(key, previous === '' ? more : `${previous}\n${more}`);
      continue;
    }
    const header = SECTION.exec(trimmed);
    if (header) {
      const name = (header[1] as string).trim();
      section = sections.get(name) ?? { name, values: new Map() };
      sections.set(name, section);
      key = null;
      continue;
    }
    const delimiter = trimmed.search(/[=:]/);
    if (delimiter <= 0 || section === null) {
      problems.push({ line: index + 1, text: trimmed, why: section === null ? 'option outside any [section]' : 'not a "key = value" line, a [section] or a comment' });
      continue;
    }
    key = trimmed.slice(0, delimiter).trim().toLowerCase();
    section.values.set(key, stripInlineComment(trimmed.slice(delimiter + 1).trim()));
  }
  return { sections, problems };
}

function stripInlineComment(value: string): string {
  const at = value.search(/(^|\s)[;#]/);
  return (at < 0 ? value : value.slice(0, at)).trim();
}

const REFERENCE = /%\(([^)]+)\)s/g;
const MAX_DEPTH = 10;

/**
 * The value of `key` in `section`, falling back to [DEFAULT], with `%(name)s` references resolved the same way
 * (`%(__name__)s` is the section's name, `%%` a literal %). Undefined if the key is set nowhere.
 * Throws when a reference is unknown or loops, naming it.
 */
export function resolveValue(doc: IniDocument, section: string, key: string, depth = 0): string | undefined {
  if (key === '__name__') return section;
  const raw = doc.sections.get(section)?.values.get(key) ?? doc.sections.get('DEFAULT')?.values.get(key);
  if (raw === undefined) return undefined;
  if (depth > MAX_DEPTH) throw new Error(`%(${key})s: interpolation nested deeper than ${MAX_DEPTH} (a loop?)`);
  return raw
    .replace(REFERENCE, (_, name: string) => {
      const value = resolveValue(doc, section, name.toLowerCase(), depth + 1);
      if (value === undefined) throw new Error(`%(${name})s is not defined in [${section}] or [DEFAULT]`);
      return value;
    })
    .replace(/%%/g, '%');
}

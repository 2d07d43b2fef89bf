/**
 * The env files compose reads for interpolation (`.env` beside the compose file, or
 * `--env-file`): `KEY=value` lines, `export` allowed, `#` comments, single quotes literal,
 * double quotes with escapes, unquoted values trimmed and cut at ` #`. Values may use variables
 * set earlier (in this file or an earlier one), as compose allows. Text in, variables out:
 * main/ reads the files.
 */
import { interpolate, InterpolationError } from './interpolate';
import { escapeControl } from './source';

export interface EnvFileMessage {
  file: string;
  line: number;
  message: string;
}

export interface EnvFiles {
  vars: Record<string, string>;
  errors: EnvFileMessage[];
  warnings: EnvFileMessage[];
}

/** Env files are a handful of lines; the cap keeps a wrong file (a dump, a binary) out. */
export const MAX_ENV_FILE_BYTES = 256 * 1024;

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const DOUBLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$$' };

/** Reads the files in order; a later file's value wins, as with several `--env-file`. */
export function parseEnvFiles(files: readonly { name: string; text: string }[]): EnvFiles {
  // No prototype: a file may name a variable `__proto__`.
  const out: EnvFiles = { vars: Object.create(null) as Record<string, string>, errors: [], warnings: [] };
  for (const f of files) parseOne(f.name, f.text, out);
  return out;
}

function parseOne(file: string, text: string, out: EnvFiles): void {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const lookup = (name: string) => (Object.hasOwn(out.vars, name) ? out.vars[name] : undefined);
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const body = line.replace(/^export\s+/, '');
    const eq = body.indexOf('=');
    const key = (eq < 0 ? body : body.slice(0, eq)).trim();
    if (!KEY.test(key)) {
      out.errors.push({ file, line: lineNo, message: `"${key}" is not a variable name: a line is KEY=value` });
      continue;
    }
    if (eq < 0) {
      // Compose would take it from the shell; Labforge reads no shell environment, so a lab
      // does not change with whoever imports it.
      out.warnings.push({ file, line: lineNo, message: `"${key}" has no "=value"; it is left unset` });
      continue;
    }
    let raw = body.slice(eq + 1).trimStart();
    const quote = raw[0];
    let value: string;
    let literal = false;
    if (quote === "'" || quote === '"') {
      // A quoted value may span lines: search the rest of the file once for its closing quote.
      const rest = [raw.slice(1), ...lines.slice(n + 1)].join('\n');
      const close = closingQuote(rest, quote);
      if (close < 0) {
        out.errors.push({ file, line: lineNo, message: `the ${quote} quote of "${key}" is not closed` });
        break;
      }
      n += rest.slice(0, close).split('\n').length - 1;
      value = quote === '"' ? unescapeDouble(rest.slice(0, close)) : rest.slice(0, close);
      literal = quote === "'";
    } else {
      raw = raw.replace(/\s+#.*$/, '');
      value = raw.trim();
    }
    if (!literal) {
      try {
        const r = interpolate(value, lookup);
        value = r.value;
        for (const v of r.unset) out.warnings.push({ file, line: lineNo, message: `"${key}" uses "${v}", which is not set above; it is replaced by an empty string` });
      } catch (err) {
        if (!(err instanceof InterpolationError)) throw err;
        out.errors.push({ file, line: lineNo, message: `"${key}": ${err.message}` });
        continue;
      }
    }
    out.vars[key] = value;
  }
}

function closingQuote(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/** `\$` stays an escaped dollar (`$$`) so the interpolation that follows keeps it literal. */
function unescapeDouble(text: string): string {
  return text.replace(/\\(.)/g, (whole, c: string) => DOUBLE_ESCAPES[c] ?? whole);
}

/** `file:line:1: message`, the way import messages are shown. */
export function formatEnvFileMessage(m: EnvFileMessage): string {
  return escapeControl(`${m.file}:${m.line}:1: ${m.message}`);
}

/**
 * Compose's variable interpolation, on one string: `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+other}`, `${VAR+other}`, and
 * `$$` for a literal `$`. Defaults may themselves hold `${...}`, as in compose. The variables
 * come from the caller (an env file read by main/): this module reads no environment.
 */

export type Lookup = (name: string) => string | undefined;

export interface Interpolated {
  value: string;
  /** Variables used without a value and without a default: compose makes them empty. */
  unset: string[];
}

/** The string cannot be interpolated: a bad `$` form, or a required variable with no value. */
export class InterpolationError extends Error {
  constructor(
    message: string,
    /** Set when a `${VAR:?}` / `${VAR?}` found no value: the message is the file's own. */
    readonly required?: string,
  ) {
    super(message);
  }
}

const NAME = /[_A-Za-z][_A-Za-z0-9]*/y;
/** Defaults nest (`${A:-${B:-x}}`); a bound keeps a hostile file from exhausting the stack. */
const MAX_NESTING = 32;
const OPERATOR = /:?[-?+]/y;

export function interpolate(text: string, lookup: Lookup): Interpolated {
  // Most strings hold no `$`: skip the parser for them.
  if (!text.includes('$')) return { value: text, unset: [] };
  const parser = new Parser(text, lookup);
  return { value: parser.template(false, true), unset: parser.unset };
}

class Parser {
  private i = 0;
  private depth = 0;
  readonly unset: string[] = [];

  constructor(
    private readonly text: string,
    private readonly lookup: Lookup,
  ) {}

  /**
   * Reads up to the end of the text, or inside `${VAR-...}` up to the `}` that closes it.
   * `live` is false in a default that is not taken: its syntax is still checked, but its
   * variables are neither reported unset nor required (compose evaluates it lazily too).
   */
  template(inBraces: boolean, live: boolean): string {
    let out = '';
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (inBraces && c === '}') {
        this.i++;
        return out;
      }
      if (c === '$') out += this.dollar(live);
      else {
        out += c;
        this.i++;
      }
    }
    if (inBraces) throw this.invalid('a "${" is not closed by "}"');
    return out;
  }

  private dollar(live: boolean): string {
    const next = this.text[this.i + 1];
    if (next === '$') {
      this.i += 2;
      return '$';
    }
    if (next === '{') {
      this.i += 2;
      return this.braced(live);
    }
    const name = this.name(this.i + 1);
    if (name === undefined) throw this.invalid('a "$" is not followed by a variable name');
    this.i += 1 + name.length;
    return this.variable(name, live);
  }

  private braced(live: boolean): string {
    if (++this.depth > MAX_NESTING) throw new InterpolationError(`"\${...}" is nested more than ${MAX_NESTING} deep`);
    try {
      return this.bracedBody(live);
    } finally {
      this.depth--;
    }
  }

  private bracedBody(live: boolean): string {
    const name = this.name(this.i);
    if (name === undefined) throw this.invalid('"${" is not followed by a variable name');
    this.i += name.length;
    if (this.text[this.i] === '}') {
      this.i++;
      return this.variable(name, live);
    }
    OPERATOR.lastIndex = this.i;
    const op = OPERATOR.exec(this.text)?.[0];
    if (op === undefined) throw this.invalid(`"\${${name}" is followed by neither "}" nor one of ":-", "-", ":?", "?", ":+", "+"`);
    this.i += op.length;
    const value = this.lookup(name);
    // With a colon an empty value counts as missing, as in the shell.
    const present = op.startsWith(':') ? value !== undefined && value !== '' : value !== undefined;
    switch (op.replace(':', '')) {
      case '-': {
        const word = this.template(true, live && !present);
        return present ? value! : word;
      }
      case '+': {
        const word = this.template(true, live && present);
        return present ? word : '';
      }
      default: {
        const word = this.template(true, live && !present);
        if (!present && live) {
          const how = op.startsWith(':') ? 'set and not empty' : 'set';
          const says = word.trim() ? `; the file says: "${word.trim()}"` : '';
          throw new InterpolationError(`variable "${name}" must be ${how}${says}`, name);
        }
        return present ? value! : '';
      }
    }
  }

  private variable(name: string, live: boolean): string {
    const value = this.lookup(name);
    if (value !== undefined) return value;
    if (live && !this.unset.includes(name)) this.unset.push(name);
    return '';
  }

  private name(at: number): string | undefined {
    NAME.lastIndex = at;
    return NAME.exec(this.text)?.[0];
  }

  private invalid(why: string): InterpolationError {
    return new InterpolationError(`${why}; write "$$" for a literal "$"`);
  }
}

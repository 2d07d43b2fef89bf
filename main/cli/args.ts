/**
 * Checks for flag and argument values, run by commander while it parses the command line, so a
 * bad value is a usage error (exit 2) before any file is read or any request is made. Every
 * value that names a lab, tag, class, student, domain, duration, quantity or count goes
 * through one of these.
 *
 * This module is loaded for every command, `--help` included: it may import only commander and
 * small pure modules (no zod, yaml, Kubernetes clients).
 */
import { isDnsLabel } from '../../common/lab/dns-label';
import { quantityProblem, type QuantityKind } from '../../common/lab/quantity';
import { isStudentId } from '../class/student-id';
import { UsageError } from './errors';
import { MAX_STUDENTS } from '../../common/lab/limits';
import { parseEndDate } from '../engine/expiry-time';
import { timezoneName } from '../engine/wall-time';

/**
 * The parsers throw UsageError rather than commander's InvalidArgumentError: commander would
 * prefix the message with the raw value, control characters and all. Ours shows it escaped.
 */
class InvalidArgumentError extends UsageError {}

type Parser<T> = (value: string) => T;

/** Control characters and newlines in a value are shown escaped, so an error cannot forge lines. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

export function dnsLabelArg(what: string, max = 63): Parser<string> {
  return (value) => {
    if (!isDnsLabel(value, max)) {
      throw new InvalidArgumentError(`${what} must be a DNS-1123 label (lowercase letters, digits, '-'; at most ${max}); got ${shown(value)}`);
    }
    return value;
  };
}

/** A file to write (`-o FILE`): not empty and no NUL, which no file system takes; whether it can be written is found on writing. */
export function outputFileArg(what: string): Parser<string> {
  return (value) => {
    if (value === '' || value.includes('\0')) throw new InvalidArgumentError(`${what} must be a file path; got ${shown(value)}`);
    return value;
  };
}

/** A whole number from 1 to `max`, written as plain digits ("1e3" and "0x10" are refused). */
export function positiveInt(what: string, max = 10_000): Parser<number> {
  return (value) => {
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!(n >= 1 && n <= max)) throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max}; got ${shown(value)}`);
    return n;
  };
}

/** `--students N`: the class-size limit every front end shares (common/lab/limits.ts). */
export const studentCountArg = positiveInt('--students', MAX_STUDENTS);

/** Release tags are DNS labels of at most 40 characters (the release record's own rule). */
const MAX_TAG = 40;

/** `lab@tag` where lab is a lab file or a lab name; the tag is checked here, the lab in the action. */
export function labAtTagArg(value: string): { lab: string; tag: string } {
  const at = value.lastIndexOf('@');
  if (at <= 0) throw new InvalidArgumentError(`expected <lab>@<tag>, e.g. routing-lab@v1 or lab.yaml@v1; got ${shown(value)}`);
  const tag = value.slice(at + 1);
  if (!isDnsLabel(tag, MAX_TAG)) {
    throw new InvalidArgumentError(`the release tag after '@' must be a DNS-1123 label (lowercase letters, digits, '-'; at most ${MAX_TAG}); got ${shown(tag)}`);
  }
  return { lab: value.slice(0, at), tag };
}

/** `tag` or `lab@tag`, both parts DNS labels (the release diff's arguments). */
export function tagRefArg(value: string): { lab?: string; tag: string } {
  if (!value.includes('@')) {
    if (!isDnsLabel(value, MAX_TAG)) throw new InvalidArgumentError(`a release tag must be a DNS-1123 label of at most ${MAX_TAG}; got ${shown(value)}`);
    return { tag: value };
  }
  const ref = labAtTagArg(value);
  if (!isDnsLabel(ref.lab)) throw new InvalidArgumentError(`the lab before '@' must be a lab name (DNS-1123 label); got ${shown(ref.lab)}`);
  return ref;
}

/**
 * Longest domain accepted: exposure hosts put two labels of up to 63 characters in front of it
 * (`<node>-<port>.<namespace>.`), and a host name may not exceed 253.
 */
const MAX_DOMAIN = 253 - 2 * 64;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS-1123 subdomain such as labs.example.edu (what an Ingress host may end with). */
export function domainArg(what: string): Parser<string> {
  return (value) => {
    if (value.length > MAX_DOMAIN || !SUBDOMAIN.test(value) || value.split('.').some((l) => l.length > 63)) {
      throw new InvalidArgumentError(`${what} must be a DNS name such as labs.example.edu (lowercase letters, digits, '-' and '.'; at most ${MAX_DOMAIN}); got ${shown(value)}`);
    }
    return value;
  };
}

export function studentIdArg(what: string): Parser<string> {
  return (value) => {
    if (!isStudentId(value)) throw new InvalidArgumentError(`${what} must be a student id (letters, digits and . _ @ + -, starting with a letter or digit; at most 128); got ${shown(value)}`);
    return value;
  };
}

/** Repeatable student ids (`--student a --student b`), each checked. */
export function studentIdsArg(what: string): (value: string, previous?: string[]) => string[] {
  const one = studentIdArg(what);
  return (value, previous = []) => {
    const id = one(value);
    if (previous.includes(id)) throw new InvalidArgumentError(`${what} ${shown(id)} is given twice`);
    return [...previous, id];
  };
}

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Seconds in "90s", "10m", "24h", "7d" (a bare number is seconds). */
export function parseDuration(value: string): number | undefined {
  const m = /^(\d{1,9})(s|m|h|d)?$/.exec(value);
  return m ? Number(m[1]) * UNIT_SECONDS[(m[2] ?? 's') as keyof typeof UNIT_SECONDS] : undefined;
}

export function formatSeconds(s: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) if (s % size === 0) return `${s / size}${unit}`;
  return `${s}s`;
}

/** A duration between `min` and `max` seconds; the parsed value is in seconds. */
export function durationArg(what: string, min: number, max: number): Parser<number> {
  return (value) => {
    const s = parseDuration(value);
    if (s === undefined) throw new InvalidArgumentError(`${what} must be a duration such as 90s, 10m, 24h or 7d; got ${shown(value)}`);
    if (s < min || s > max) throw new InvalidArgumentError(`${what} must be between ${formatSeconds(min)} and ${formatSeconds(max)}; got ${shown(value)}`);
    return s;
  };
}

/**
 * A Kubernetes quantity for cpu, memory or disk, held to the lab's own rules (exact as written,
 * within the range a lab value may take), so what `create` writes always validates.
 */
export function quantityArg(what: string, kind: QuantityKind): Parser<string> {
  return (value) => {
    const problem = quantityProblem(value, kind);
    if (problem) throw new InvalidArgumentError(`${what} ${problem}; got ${shown(value)}`);
    return value;
  };
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--expires`: a date or a duration from now, in the future; the value is ISO 8601. */
export function endDateArg(what: string): (value: string) => string {
  return (value) => {
    try {
      return parseEndDate(value);
    } catch (err) {
      throw new UsageError(`${what}: ${(err as Error).message}; got ${shown(value)}`);
    }
  };
}

/**
 * The image the in-cluster manifests (`gateway manifests`, `reconcile manifests`) run by default.
 * A placeholder: nothing here builds or pushes it, so those commands' docs say to pass `--image`.
 */
export const DEFAULT_IMAGE = 'ghcr.io/labforge/labforge:latest';

/** `--timezone`: an IANA zone name this machine's Intl knows (Europe/Paris, America/New_York, UTC). */
export function timezoneArg(what: string): Parser<string> {
  return (value) => {
    const name = timezoneName(value);
    if (!name) throw new InvalidArgumentError(`${what} must be an IANA time zone such as Europe/Paris or America/New_York; got ${shown(value)}`);
    return name;
  };
}

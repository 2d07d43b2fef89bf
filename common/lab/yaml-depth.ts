/**
 * How deeply a YAML text nests and how long its collections are, measured on the concrete
 * syntax tree before the document is composed. The yaml library composes recursively: a few
 * thousand nested `[` (a 20 kB file) exhaust its memory with a fatal error no try/catch can
 * stop, and a flow list of a million entries costs hundreds of megabytes once composed. Both
 * are checked first, without recursion, and reported at the collection that passes the limit.
 */
import { Lexer, Parser, type CST } from 'yaml';

// Markers the lexer adds that take no room in the source: document, flow end, scalar.
const MARKERS = new Set(['\x02', '\x18', '\x1f']);

export interface LexicalExcess {
  offset: number;
  problem: 'tokens' | 'depth' | 'entries';
}

const WHITESPACE = /^[ \t\r\n]*$/;

/**
 * The first place where the text passes a budget, found by the lexer alone, the cheapest pass,
 * which stops as soon as a budget is spent. Parsing and composing cost grows with tokens, not
 * bytes (a 200 kB flow list of numbers takes seconds), so `maxTokens` bounds time; flow
 * collections are parsed slower still, so their depth and entry counts are bounded here too.
 */
export function lexicalExcess(text: string, maxTokens: number, maxDepth: number, maxEntries: number): LexicalExcess | undefined {
  let count = 0;
  let offset = 0;
  const flow: number[] = [];
  for (const token of new Lexer().lex(text)) {
    if (MARKERS.has(token)) continue;
    const at = offset;
    offset += token.length;
    if (WHITESPACE.test(token)) continue;
    if (++count > maxTokens) return { offset: at, problem: 'tokens' };
    if (token === '[' || token === '{') {
      flow.push(0);
      if (flow.length > maxDepth) return { offset: at, problem: 'depth' };
    } else if (token === ']' || token === '}') flow.pop();
    else if (token === ',' && flow.length > 0 && ++flow[flow.length - 1]! >= maxEntries) return { offset: at, problem: 'entries' };
  }
  return undefined;
}

interface Pending {
  token: CST.Token;
  depth: number;
}

export interface ShapeExcess {
  offset: number;
  problem: 'depth' | 'entries';
}

/** The first collection nested deeper than `maxDepth` or with more than `maxEntries` entries. */
export function excessiveShape(text: string, maxDepth: number, maxEntries: number): ShapeExcess | undefined {
  const stack: Pending[] = [];
  for (const token of new Parser().parse(text)) stack.push({ token, depth: 0 });
  while (stack.length > 0) {
    const { token, depth } = stack.pop()!;
    const children = childrenOf(token);
    if (children.length === 0) continue;
    const inner = token.type === 'document' ? depth : depth + 1;
    if (inner > maxDepth) return { offset: token.offset, problem: 'depth' };
    if (token.type !== 'document' && 'items' in token && token.items.length > maxEntries) return { offset: token.offset, problem: 'entries' };
    for (const child of children) stack.push({ token: child, depth: inner });
  }
  return undefined;
}

function childrenOf(token: CST.Token): CST.Token[] {
  switch (token.type) {
    case 'document':
      return token.value ? [token.value] : [];
    case 'block-map':
    case 'block-seq':
    case 'flow-collection': {
      const out: CST.Token[] = [];
      for (const item of token.items as { key?: CST.Token | null; value?: CST.Token }[]) {
        if (item.key) out.push(item.key);
        if (item.value) out.push(item.value);
      }
      return out;
    }
    default:
      return [];
  }
}

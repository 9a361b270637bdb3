// Swarm scenario files: YAML (.yaml, .yml) or JSON (.json), with `--set field=value` overrides applied
// before validation. Syntax errors and bad fields are reported with the line they are on.
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { InputError } from '../../util/input-error.ts';
import type { SwarmScenario } from './scenario.ts';
import { fieldName, parseSwarmScenario } from './schema.ts';
import { describeValue } from './units.ts';

const EXTENSIONS = ['.yaml', '.yml', '.json'];

type Segment = string | number;
type LineOf = (field: readonly PropertyKey[]) => number | undefined;

export async function readSwarmScenario(
  path: string,
  overrides: readonly string[] = [],
): Promise<SwarmScenario> {
  const extension = extname(path).toLowerCase();
  if (!EXTENSIONS.includes(extension)) {
    const found = extension === '' ? 'it has no extension' : `not ${extension}`;
    throw new InputError(path, undefined, `a scenario file ends in .yaml, .yml or .json, ${found}`);
  }
  const text = await readText(path);
  const { raw, lineOf } = extension === '.json' ? parseJson(path, text) : parseYaml(path, text);
  const { result, fields } = override(raw, overrides, path);
  // A field set on the command line is not on the line the file has for it.
  const fromFile: LineOf = (field) =>
    fields.some((set) => set.every((key, i) => field[i] === key)) ? undefined : lineOf(field);
  return parseSwarmScenario(result, { path, name: basename(path, extname(path)), lineOf: fromFile });
}

async function readText(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : `cannot be read (${code})`;
    throw new InputError(path, undefined, problem);
  }
}

// --- YAML and JSON ---

function parseYaml(path: string, text: string): { raw: unknown; lineOf: LineOf } {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  const [error] = document.errors;
  if (error !== undefined) throw yamlSyntaxError(path, error);
  try {
    return { raw: document.toJS(), lineOf: locator(document, lines) };
  } catch (error) {
    // toJS refuses unresolved aliases and alias bombs ("billion laughs") by throwing.
    throw new InputError(path, undefined, `invalid YAML: ${(error as Error).message}`);
  }
}

function yamlSyntaxError(path: string, error: YAMLError): InputError {
  const [start] = error.linePos ?? [];
  if (error.code === 'MULTIPLE_DOCS') {
    // The library's own advice (call another function of it) is for programmers, not users.
    return new InputError(
      path,
      start?.line,
      "a scenario is one YAML document; another one starts here, after '---'",
    );
  }
  // The message repeats the position and quotes the source after it; the InputError gives the line instead.
  const message = error.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
  const column = start === undefined ? '' : ` at column ${start.col}`;
  return new InputError(path, start?.line, `invalid YAML${column}: ${message}`);
}

function parseJson(path: string, text: string): { raw: unknown; lineOf: LineOf } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(path, text, (error as Error).message);
  }
  // JSON is YAML, so the YAML parser can say where each field is.
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  return { raw, lineOf: document.errors.length === 0 ? locator(document, lines) : () => undefined };
}

function jsonSyntaxError(path: string, text: string, message: string): InputError {
  // V8 quotes the text and gives an offset (some versions give neither); the InputError gives the line.
  const reason = message.replace(/, .* is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const offset = jsonErrorOffset(text);
  if (offset === undefined) return new InputError(path, undefined, `invalid JSON: ${reason}`);
  const before = text.slice(0, offset).split('\n');
  const column = (before.at(-1) ?? '').length + 1;
  return new InputError(path, before.length, `invalid JSON at column ${column}: ${reason}`);
}

const JSON_SPACE = /[ \t\n\r]*/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters.
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
const STOP = Symbol('stop');

/**
 * The offset where text that JSON.parse rejected stops being JSON, which V8 does not always report.
 * Undefined if the text nests too deeply to scan.
 */
function jsonErrorOffset(text: string): number | undefined {
  let at = 0;
  const skip = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  const take = (char: string): boolean => {
    if (text[at] !== char) return false;
    at++;
    return true;
  };
  const value = (): void => {
    skip(JSON_SPACE);
    const open = text[at];
    if (open !== '{' && open !== '[') {
      if (!skip(JSON_STRING) && !skip(JSON_SCALAR)) throw STOP;
      return;
    }
    at++;
    skip(JSON_SPACE);
    if (take(open === '{' ? '}' : ']')) return;
    // Each round consumes an entry and a comma, so the loop ends with the text.
    for (;;) {
      if (open === '{' && !(skip(JSON_SPACE) && skip(JSON_STRING) && skip(JSON_SPACE) && take(':')))
        throw STOP;
      value();
      skip(JSON_SPACE);
      if (take(',')) continue;
      if (take(open === '{' ? '}' : ']')) return;
      throw STOP;
    }
  };
  try {
    value();
    skip(JSON_SPACE);
    return at;
  } catch (error) {
    if (error === STOP) return at;
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Finds the line of a field: its key's line, or the nearest enclosing field's line if it is missing. */
function locator(document: Document, lines: LineCounter): LineOf {
  return (field) => {
    let node: unknown = document.contents;
    let offset = isMap(node) || isSeq(node) || isScalar(node) ? node.range?.[0] : undefined;
    for (const key of field) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
        if (pair === undefined) break;
        offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        if (!(isMap(node) || isSeq(node) || isScalar(node))) break;
        offset = node.range?.[0] ?? offset;
      } else {
        break;
      }
    }
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
}

// --- Overrides ---

/**
 * `raw` with each `field=value` override applied, in order (the input is not changed). Fields are written
 * `peers[1].count` or `peers.1.count`; a field of a one-entry list applies to its entry; a value is read as
 * YAML (`20000` is a number, `1 Mbit/s` text, `{ poisson: 1/s }` a mapping). Fields that do not exist yet
 * are created, for the schema to judge.
 */
export function applyOverrides(raw: unknown, overrides: readonly string[], path: string): unknown {
  return override(raw, overrides, path).result;
}

/** Applies the overrides and says which fields they set, as resolved against the scenario's lists. */
function override(
  raw: unknown,
  overrides: readonly string[],
  path: string,
): { result: unknown; fields: Segment[][] } {
  let result = raw;
  const fields: Segment[][] = [];
  for (const text of overrides) {
    const { field, value } = parseOverride(text);
    const set: Segment[] = [];
    const fail = (problem: string) => new InputError(path, undefined, `--set ${text}: ${problem}`);
    result = setIn(result, field, value, set, fail);
    fields.push(set);
  }
  return { result, fields };
}

const FORBIDDEN_FIELDS = new Set(['__proto__', 'constructor', 'prototype']);

const FIELD = /^[^.[\]]+(?:\.[^.[\]]+|\[\d+\])*$/;

function parseOverride(text: string): { field: Segment[]; value: unknown } {
  const equals = text.indexOf('=');
  const key = text.slice(0, Math.max(equals, 0)).trim();
  if (equals < 0 || !FIELD.test(key)) {
    const problem = `expected field=value, like peers[0].count=500 or strategy.pieces=random, got ${JSON.stringify(text)}`;
    throw new InputError('--set', undefined, problem);
  }
  const field = [...key.matchAll(/\[(\d+)\]|\.?([^.[\]]+)/g)].map(([, index, name]) =>
    index === undefined ? (name as string) : Number(index),
  );
  // These name JavaScript's object machinery, never a scenario field: refuse them, not set them unseen.
  const forbidden = field.find((segment) => FORBIDDEN_FIELDS.has(String(segment)));
  if (forbidden !== undefined) {
    throw new InputError(
      '--set',
      undefined,
      `${JSON.stringify(text)}: '${forbidden}' is not a scenario field`,
    );
  }
  return { field, value: overrideValue(text.slice(equals + 1).trim()) };
}

/**
 * The value as YAML when all of it is one scalar or one flow collection (`[...]`, `{...}`); else the text
 * as written, so that `note: this` or `run #2` stay text rather than becoming a mapping or losing a comment.
 */
function overrideValue(text: string): unknown {
  if (text === '') return '';
  const document = parseDocument(text);
  const node = document.contents;
  const whole = (isScalar(node) || isMap(node) || isSeq(node)) && node.range?.[1] === text.length;
  const block = (isMap(node) || isSeq(node)) && !node.flow;
  if (document.errors.length > 0 || !whole || block) return text;
  try {
    return document.toJS();
  } catch {
    return text;
  }
}

/** A copy of `node` with `value` at `field`, sharing what it does not change; `set` collects the path taken. */
function setIn(
  node: unknown,
  field: readonly Segment[],
  value: unknown,
  set: Segment[],
  fail: (problem: string) => InputError,
): unknown {
  const [key, ...rest] = field;
  if (key === undefined) return value;
  const here = named(set);
  if (Array.isArray(node)) {
    const numbered = typeof key === 'number' || /^\d+$/.test(key);
    const index = numbered ? Number(key) : onlyEntry(node, field, set, fail);
    if (index >= node.length)
      throw fail(`${here} has ${entries(set, node.length)}: there is no ${here}[${index}]`);
    set.push(index);
    const copy = [...node];
    copy[index] = setIn(node[index], numbered ? rest : field, value, set, fail);
    return copy;
  }
  if (typeof key === 'number') throw fail(`${here} is ${describeValue(node)}, not a list`);
  const mapping = node === undefined || node === null ? {} : node;
  if (typeof mapping !== 'object') throw fail(`${here} is ${describeValue(node)}, not a mapping`);
  set.push(key);
  const fields = mapping as Record<string, unknown>;
  const child = Object.hasOwn(fields, key) ? fields[key] : undefined;
  return { ...fields, [key]: setIn(child, rest, value, set, fail) };
}

/** The index a field of a list means when the list has one entry; with several, asks which. */
function onlyEntry(
  list: readonly unknown[],
  field: readonly Segment[],
  set: readonly Segment[],
  fail: (problem: string) => InputError,
): number {
  if (list.length === 1) return 0;
  const here = named(set);
  if (list.length === 0) throw fail(`${here} is an empty list`);
  const choices = list.map((_, index) => fieldName([...set, index, ...field]));
  const say =
    choices.length <= 4
      ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`
      : `one of ${choices[0]} to ${choices.at(-1)}`;
  throw fail(`${here} has ${entries(set, list.length)}: say ${say}`);
}

function named(set: readonly Segment[]): string {
  return set.length === 0 ? 'the scenario' : fieldName(set);
}

/** `2 groups` for the peer list, `2 entries` for other lists. */
function entries(set: readonly Segment[], count: number): string {
  const [one, many] = set.length === 1 && set[0] === 'peers' ? ['group', 'groups'] : ['entry', 'entries'];
  return `${count} ${count === 1 ? one : many}`;
}

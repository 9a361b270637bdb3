// Short names for configurations: only what differs between them, each field by the shortest tail of
// its path that tells it from the others, long values cut. `peers[0].afterDone.forS=60` becomes
// `forS=60`, and a single differing field is named by its value alone (the field goes in the heading).

const MAX_VALUE = 24;
const MAX_FIELDS = 3;

/** One label per set; `field` is the single differing field, when there is one. */
export function configurationLabels(sets: readonly Readonly<Record<string, string>>[]): {
  labels: string[];
  field: string | null;
} {
  const fields = [...new Set(sets.flatMap((set) => Object.keys(set)))];
  if (fields.length === 0)
    return { labels: sets.map((_, i) => (sets.length === 1 ? 'run' : `run ${i + 1}`)), field: null };
  if (fields.length === 1) {
    const field = fields[0] as string;
    return { labels: sets.map((set) => shorten(set[field] ?? '-')), field };
  }
  const names = shortNames(fields);
  // A scenario file is named by its base name; beyond three fields a label says how many more differ.
  const value = (field: string, text: string) =>
    shorten(
      field === 'scenario' ? (text.split(/[\\/]/).at(-1) ?? text).replace(/\.(ya?ml|json)$/, '') : text,
    );
  const shown = fields.slice(0, MAX_FIELDS);
  const more = fields.length > MAX_FIELDS ? ` +${fields.length - MAX_FIELDS} more` : '';
  return {
    labels: sets.map(
      (set) => shown.map((f) => `${names.get(f)}=${value(f, set[f] ?? '-')}`).join(', ') + more,
    ),
    field: null,
  };
}

function shorten(value: string): string {
  return value.length <= MAX_VALUE ? value : `${value.slice(0, MAX_VALUE - 1)}…`;
}

/** Each field's shortest path tail (`forS`, `afterDone.forS`, ...) that no other field ends with. */
function shortNames(fields: readonly string[]): Map<string, string> {
  const parts = (field: string) => field.split(/\.|(?=\[)/);
  const names = new Map<string, string>();
  for (const field of fields) {
    const own = parts(field);
    let take = 1;
    const tail = (path: string[], n: number) => path.slice(-n).join('.').replaceAll('.[', '[');
    while (
      take < own.length &&
      fields.some((other) => other !== field && tail(parts(other), take) === tail(own, take))
    ) {
      take++;
    }
    // An index alone names nothing: `peers[0].count`, not `[0].count`.
    while (take < own.length && (own[own.length - take] as string).startsWith('[')) take++;
    names.set(field, tail(own, take));
  }
  return names;
}

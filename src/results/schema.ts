// The shape of results files, checked when they are read back (`swarmlab report`): a file with the
// right "format" but a missing or mistyped field must be refused with what is wrong, not drawn as
// garbage or crash the report. Objects are loose: a field a later version adds is no error.
import { z } from 'zod';

/** JSON has no NaN: a time that never came (NaN in a run) is written as null. */
const time = z.number().nullable();
const count = z.number().int().nonnegative();
const fraction = z.number().nullable();

const loadBalance = z.looseObject({
  servers: count,
  maxServed: z.number(),
  meanServed: z.number(),
  maxOverMean: fraction,
  jain: fraction,
});

export const classicResultsSchema = z.looseObject({
  format: z.literal('swarmlab-classic-run'),
  version: z.literal(1),
  swarmlab: z.string(),
  createdAt: z.string(),
  input: z.string(),
  runtime: z.enum(['sim', 'threads']),
  seed: z.number(),
  strategy: z.string(),
  clock: z.string(),
  summary: z.looseObject({
    clients: count,
    segmentsDownloaded: count,
    segmentsServed: count,
    requestsRefused: count,
    filesCompleted: count,
    messages: count,
    wallTimeMs: z.number(),
    virtualTimeS: time,
    loadBalance,
  }),
  clients: z.array(
    z.looseObject({
      rank: count,
      downloaded: count,
      served: count,
      refused: count,
      refusalsReceived: count,
      filesCompleted: count,
      downloadDoneAt: time,
      uploadClosedAt: time,
    }),
  ),
  transfers: z.array(z.looseObject({ from: count, to: count, segments: count })),
  outputs: z.array(z.looseObject({ rank: count, file: z.string(), segments: count, completedAt: time })),
  trackerStoppedAt: time,
});

const series = z.looseObject({
  timeS: z.array(z.number()),
  leechers: z.array(z.number()),
  seeds: z.array(z.number()),
  meanPieces: z.array(z.number().nullable()),
  minAvailability: z.array(z.number().nullable()),
  uploadBps: z.array(z.number()),
  pieceCopies: z.array(z.array(z.number())),
});

const peer = z.looseObject({
  id: count,
  group: z.string(),
  role: z.enum(['seed', 'leecher']),
  freeRider: z.boolean(),
  uploadBps: z.number(),
  downloadBps: z.number(),
  arrivalS: z.number(),
  completedS: time,
  leftS: time,
  bytesUp: z.number(),
  bytesDown: z.number(),
});

export const swarmResultsSchema = z.looseObject({
  format: z.literal('swarmlab-swarm-run'),
  version: z.literal(1),
  swarmlab: z.string(),
  createdAt: z.string(),
  source: z.string(),
  scenario: z.looseObject({
    name: z.string(),
    strategy: z.looseObject({ pieces: z.string(), peers: z.string() }),
  }),
  seed: z.number(),
  pieces: count,
  summary: z.looseObject({
    peers: count,
    completed: count,
    kumarRossBound: z.number().nullable(),
    lastCompletion: time,
  }),
  bound: z.looseObject({ boundS: z.number().nullable() }),
  peers: z.array(peer),
  series,
  events: count,
  wallMs: z.number(),
});

/** `path.to[3].field: what is wrong` for the first problem zod found. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'is not a valid results file';
  const where = issue.path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
  return `${where === '' ? '' : `${where}: `}${issue.message}`;
}

// Draws from a scenario's distributions with the run's seeded Rng.

import { minOf } from '../../util/arrays.ts';
import type { Rng } from '../../util/rng.ts';
import type { Distribution } from './scenario.ts';

/** Draws never loop for ever: a truncated normal far in its tail falls back to its minimum. */
const MAX_REDRAWS = 1000;

export function sample(distribution: Distribution, rng: Rng): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'uniform':
      return distribution.min + rng.next() * (distribution.max - distribution.min);
    case 'exponential':
      return -Math.log(1 - rng.next()) * distribution.mean;
    case 'normal':
      for (let i = 0; i < MAX_REDRAWS; i++) {
        const value = distribution.mean + distribution.sd * standardNormal(rng);
        if (value >= distribution.min) return value;
      }
      return distribution.min;
    case 'choice':
      return pickWeighted(distribution.values, distribution.weights, rng);
  }
}

/** The mean of a distribution (the analytic bound uses it). */
export function meanOf(distribution: Distribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'uniform':
      return (distribution.min + distribution.max) / 2;
    case 'exponential':
      return distribution.mean;
    case 'normal':
      return Math.max(distribution.mean, distribution.min);
    case 'choice': {
      const total = distribution.weights.reduce((a, b) => a + b, 0);
      return distribution.values.reduce((sum, v, i) => sum + v * (distribution.weights[i] ?? 0), 0) / total;
    }
  }
}

/** The smallest value a distribution can give. */
export function minimumOf(distribution: Distribution): number {
  switch (distribution.kind) {
    case 'fixed':
      return distribution.value;
    case 'uniform':
      return distribution.min;
    case 'exponential':
      return 0;
    case 'normal':
      return distribution.min;
    case 'choice':
      return minOf(distribution.values);
  }
}

function standardNormal(rng: Rng): number {
  // Box-Muller; 1 - next() keeps the logarithm's argument above zero.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

function pickWeighted(values: readonly number[], weights: readonly number[], rng: Rng): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rng.next() * total;
  for (let i = 0; i < values.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return values[i] as number;
  }
  return values[values.length - 1] as number;
}

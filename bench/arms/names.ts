/**
 * G3: the name-search arm (bench/names/run.ts) at the run's tier (S or M; tier L is not generated there).
 * Latency arms of 4 s (the arm's own default is 6 s) and a 30 s budget for the naive baseline's recall pass at
 * tier S (90 s at tier M, where it is the point of the comparison) keep the default profile within 10 minutes.
 */
import type { BenchArm } from '../arm.js';
import { runNamesBench } from '../names/run.js';

export const run: BenchArm = async ({ tier, pgUrl, record }) => {
  if (tier === 'L') {
    console.info('# G3 names: tier L is not available in this arm (S or M); skipped');
    return;
  }
  await runNamesBench({ tier, pgUrl, record, armSeconds: 4, baselineRecallSeconds: tier === 'S' ? 30 : 90 });
};

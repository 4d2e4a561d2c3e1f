import type { ResumePoint } from '../source/read-records.js';

/** What a plan worker is started with: the same map, settings and output choices as the command. */
export interface PlanWorkerInit {
  /** The Data Map file as the command was given it (locations in diagnostics name it so). */
  mapFile: string;
  /** The input's name in locations (a file path, or `<stdin>`). */
  source: string;
  set: Record<string, string>;
  env: Record<string, string | undefined>;
  baseUrl?: string | undefined;
  json: boolean;
  summary: boolean;
}

/** A stretch of NDJSON lines to plan, from the resume point where it begins. */
export interface PlanTask {
  id: number;
  lines: string[];
  /** Indexes (in `lines`) of the lines whose bytes were not valid UTF-8. */
  invalid: number[];
  start: ResumePoint;
  /** `$now()` of every record of the stretch (the command's clock, read when it was sent). */
  now: number;
}

/** What a worker gives back for a task: the records printed, counted, and where reading stood after it. */
export type PlanResult =
  | {
      id: number;
      /** The stretch was read the way the main thread assumed (one record per line, nothing left open). */
      clean: true;
      end: ResumePoint;
      /** The printed records: JSON objects joined by commas, or text blocks one after another. */
      text: string;
      total: number;
      valid: number;
      shown: number;
      steps: number[];
    }
  | { id: number; clean: false };

/** Messages from a worker. */
export type WorkerMessage = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'result'; result: PlanResult };

/** The read-only journal view of the studio (runs, and one run's records by state). */
export interface JournalView {
  /** The journal file. */
  file: string;
  runs(): Record<string, unknown>;
  run(runId: string, state?: string): Record<string, unknown>;
}

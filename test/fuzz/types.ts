/**
 * A fuzz target: one parser entry point fed arbitrary bytes. `run` must never throw, hang or keep
 * memory; the runner (test/fuzz/run.ts, `npm run fuzz`) feeds it generated inputs and mutations of
 * `seeds` (real messages), checking exactly that.
 */
export interface FuzzTarget {
  /** Dotted name, e.g. `tls.client_hello`. */
  name: string;
  /** Well-formed inputs the generator mutates (truncations, bit flips, splices, length lies). */
  seeds: Uint8Array[];
  run(input: Uint8Array): void;
}

// Types for gen-captures.mjs (a plain script so the benchmark can run it without a build step).
export function writeSynFlood(path: string, n: number, seed?: number): number;
export function writeMixed(path: string, total?: number, sessions?: number, seed?: number): unknown;
export function writeAmtOnly(path: string, sessions?: number, flood?: number, seed?: number): unknown;
export function writeVlan(path: string): { frames: number; amtFrames: number; amtSessions: number; taggedAmtSessions: number };

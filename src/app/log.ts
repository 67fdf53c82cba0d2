/**
 * Operational logs: pino, to standard error, never mixed with records on standard output.
 * On a terminal each line is rendered for a person (`amtwatch: warning: ...`); otherwise they stay
 * pino's JSON lines (for journald/SIEM collection; JSON escapes control characters). Packet text
 * in messages is sanitized before; a text line also has its control characters escaped
 * (escapeControls), since file names and policy values reach it too.
 */
import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { escapeControls } from '../report/sanitize.js';

export { escapeControls };

export type { Logger };

export type LogFormat = 'text' | 'json';

const LEVEL_WORD: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };

/** A destination that turns pino's JSON lines into one readable line each. */
function textDestination(fd: number): { write(line: string): void } {
  return {
    write(line: string) {
      let out: string;
      try {
        const o = JSON.parse(line) as { level?: number; msg?: string };
        out = `amtwatch: ${LEVEL_WORD[o.level ?? 30] ?? 'info'}: ${escapeControls(o.msg ?? '')}\n`;
      } catch {
        out = escapeControls(line.replace(/\n$/, '')) + '\n';
      }
      try {
        writeSync(fd, out);
      } catch {
        // stderr gone: nothing sensible to do
      }
    },
  };
}

export function createLogger(format: LogFormat, level = 'info', fd = 2): Logger {
  const opts = { level, base: { name: 'amtwatch' }, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'json') return pino(opts, pino.destination({ dest: fd, sync: true }));
  return pino(opts, textDestination(fd));
}

/** A logger that drops everything (library use and tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

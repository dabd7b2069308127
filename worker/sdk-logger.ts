/**
 * Routes the Temporal SDK's log lines (worker, workflow `log`, activity `Context.current().log`)
 * into pino as JSON, with the programme id next to the workflow id the SDK already attaches,
 * so one programme's lines can be found across the API, the worker and Temporal.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from 'pino';

const PROGRAMME_WORKFLOW = /^programme-([^/]+)/;

/** `programme-<id>` and its stage children `programme-<id>/c1.SCOPING.1` name the programme. */
export function programmeIdOf(workflowId: unknown): string | undefined {
  return typeof workflowId === 'string' ? PROGRAMME_WORKFLOW.exec(workflowId)?.[1] : undefined;
}

const LEVELS: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly pino: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const programmeId = programmeIdOf(meta?.workflowId);
    const fields = { ...meta, ...(programmeId ? { programmeId } : {}) };
    this.pino[LEVELS[level]](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

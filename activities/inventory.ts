/**
 * Inventory activities. The scan walks the tree in a fixed order and checkpoints: findings of
 * each batch are stored first, then a heartbeat records the cursor (the last path processed)
 * and the counts. A retried attempt (after a crash, a lost worker or a failure) reads the last
 * heartbeat and continues after the cursor; a batch processed twice is stored once, because
 * findings are upserted by their stable id.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import path from 'node:path';
import type { BodyStore } from '../db/body-store';
import type { InventoryRepository } from '../db/inventory-repository';
import { summariseScan, type ScanSummary } from '../domain/inventory/types';
import { failPoint } from '../infra/fail-points';
import { entriesToObservations, parseInventoryImport } from '../services/inventory/import';
import { resolveScanPath } from '../services/inventory/paths';
import { mapInOrder } from '../services/inventory/map-in-order';
import { SCAN_CONCURRENCY, scanFile } from '../services/inventory/scanner';
import { findingsToObservations } from '../domain/inventory/systems';
import {
  DEFAULT_SCAN_LIMITS,
  type ScanFinding,
  type ScanLimits,
  type SkippedEntry,
} from '../domain/inventory/types';
import { comparePaths } from '../domain/inventory/systems';
import { listFiles } from '../services/inventory/walk';
import type {
  ApplyImportInput,
  ApplyScanInput,
  InventoryActivities,
  ScanSourceInput,
  ScanSourceResult,
} from '../domain/contracts/analysis';

/** Failure types the scan workflow does not retry. */
export const SCAN_REJECTED = 'ScanRejected';

export interface ScanCheckpoint {
  /** Last path whose findings are stored; null before the first batch. */
  cursor: string | null;
  /** Files in the listing (progress for operators reading the heartbeat in the Temporal UI). */
  filesSeen?: number;
  filesScanned: number;
  findings: number;
  /** Files skipped while scanning (too large, unreadable), up to a bound. */
  skipped: SkippedEntry[];
}

export interface CheckpointEvent {
  programmeId: string;
  scanId: string;
  attempt: number;
  checkpoint: ScanCheckpoint;
  filesScannedThisAttempt: number;
}

export interface ScanSettings {
  roots: readonly string[];
  limits: ScanLimits;
  /** Checkpoint after this many files ... */
  checkpointFiles: number;
  /** ... or this many milliseconds, whichever comes first. */
  checkpointMs: number;
  /** Called after each checkpoint's heartbeat; tests use it to interrupt an attempt. */
  onCheckpoint?: (event: CheckpointEvent) => Promise<void> | void;
}

export const DEFAULT_SCAN_SETTINGS: ScanSettings = {
  roots: [],
  limits: DEFAULT_SCAN_LIMITS,
  checkpointFiles: 500,
  checkpointMs: 2000,
};

const MAX_SKIPPED = 200;

function isSkipped(value: unknown): value is SkippedEntry {
  return typeof value === 'object' && value !== null && 'path' in value && 'reason' in value;
}

/** The checkpoint in heartbeat details, or undefined when absent or not one of ours. */
export function readCheckpoint(details: unknown): ScanCheckpoint | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const d = details as Record<string, unknown>;
  const cursor = d.cursor;
  if (
    !(cursor === null || typeof cursor === 'string') ||
    typeof d.filesScanned !== 'number' ||
    typeof d.findings !== 'number' ||
    !Array.isArray(d.skipped)
  )
    return undefined;
  return {
    cursor,
    ...(typeof d.filesSeen === 'number' ? { filesSeen: d.filesSeen } : {}),
    filesScanned: d.filesScanned,
    findings: d.findings,
    skipped: d.skipped.filter(isSkipped),
  };
}

export interface InventoryActivityDeps {
  /** Where the API stored an import's content. */
  bodies: Pick<BodyStore, 'read'>;
  inventory: Pick<
    InventoryRepository,
    'markRunning' | 'updateProgress' | 'saveFindings' | 'listFindings' | 'applyObservations' | 'failScan'
  >;
  settings: ScanSettings;
  now?: () => string;
}

export function createInventoryActivities(deps: InventoryActivityDeps): InventoryActivities {
  const { inventory, settings } = deps;
  const now = deps.now ?? (() => new Date().toISOString());

  async function scanSource(input: ScanSourceInput): Promise<ScanSourceResult> {
    const ctx = Context.current();
    const resolved = await resolveScanPath(input.path, settings.roots);
    if (!resolved.ok)
      throw ApplicationFailure.nonRetryable(`${input.path} ${resolved.detail}`, SCAN_REJECTED);
    const root = resolved.realPath;
    const resume = readCheckpoint(ctx.info.heartbeatDetails);
    const resumedFrom = resume?.cursor ?? undefined;
    const checkpoint: ScanCheckpoint = resume ?? { cursor: null, filesScanned: 0, findings: 0, skipped: [] };
    // Heartbeat details may be serialised after the call returns: always hand over a snapshot.
    const snapshot = (): ScanCheckpoint => ({ ...checkpoint, skipped: [...checkpoint.skipped] });
    await inventory.markRunning(input.programmeId, input.scanId, now());

    const listing = await listFiles(root, settings.limits, (listed) =>
      ctx.heartbeat({ ...snapshot(), filesSeen: listed }),
    );
    checkpoint.filesSeen = listing.files.length;
    const todo = checkpoint.cursor
      ? listing.files.filter((f) => comparePaths(f.path, checkpoint.cursor as string) > 0)
      : listing.files;

    let batch: ScanFinding[] = [];
    let batchFiles = 0;
    let lastCheckpoint = Date.now();
    let scannedThisAttempt = 0;
    const flush = async (cursor: string) => {
      await inventory.saveFindings(input.programmeId, input.scanId, batch);
      checkpoint.cursor = cursor;
      checkpoint.filesScanned += batchFiles;
      checkpoint.findings += batch.length;
      batch = [];
      batchFiles = 0;
      lastCheckpoint = Date.now();
      // Only after the findings are stored may the cursor move past them.
      ctx.heartbeat(snapshot());
      await inventory.updateProgress(
        input.programmeId,
        input.scanId,
        {
          filesSeen: listing.files.length,
          filesScanned: checkpoint.filesScanned,
          findings: checkpoint.findings,
        },
        now(),
      );
      await settings.onCheckpoint?.({
        programmeId: input.programmeId,
        scanId: input.scanId,
        attempt: ctx.info.attempt,
        checkpoint: snapshot(),
        filesScannedThisAttempt: scannedThisAttempt,
      });
      await failPoint('scan.after-checkpoint');
    };

    // Files are read a chunk at a time, concurrently, but consumed in listing order; a chunk
    // never crosses a checkpoint, so the cursor always ends a fully stored prefix.
    for (let i = 0; i < todo.length;) {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('scan cancelled');
      const chunk = todo.slice(
        i,
        i + Math.max(1, Math.min(SCAN_CONCURRENCY, settings.checkpointFiles - batchFiles)),
      );
      const results = await mapInOrder(chunk, SCAN_CONCURRENCY, (file) =>
        scanFile(root, file, settings.limits),
      );
      for (const result of results) {
        batch.push(...result.findings);
        if (result.skipped && checkpoint.skipped.length < MAX_SKIPPED)
          checkpoint.skipped.push(result.skipped);
      }
      batchFiles += chunk.length;
      scannedThisAttempt += chunk.length;
      i += chunk.length;
      if (batchFiles >= settings.checkpointFiles || Date.now() - lastCheckpoint >= settings.checkpointMs) {
        await flush(chunk[chunk.length - 1].path);
      }
    }
    if (batchFiles > 0 || checkpoint.cursor === null)
      await flush(todo.at(-1)?.path ?? checkpoint.cursor ?? '');

    return {
      rootName: path.basename(root),
      filesSeen: listing.files.length,
      filesScanned: checkpoint.filesScanned,
      filesScannedThisAttempt: scannedThisAttempt,
      findings: checkpoint.findings,
      skipped: [...listing.skipped, ...checkpoint.skipped].slice(0, MAX_SKIPPED),
      attempt: ctx.info.attempt,
      ...(resumedFrom ? { resumedFrom } : {}),
    };
  }

  async function applyScan(input: ApplyScanInput): Promise<ScanSummary> {
    const findings = await inventory.listFindings(input.programmeId, input.scanId);
    const observations = findingsToObservations(findings, {
      rootName: input.scanned.rootName,
      inScope: input.inScope,
    });
    const outcome = await inventory.applyObservations({
      programmeId: input.programmeId,
      scanId: input.scanId,
      observations,
      progress: {
        filesSeen: input.scanned.filesSeen,
        filesScanned: input.scanned.filesScanned,
        findings: findings.length,
      },
      skipped: input.scanned.skipped,
      attempts: input.scanned.attempt,
      ...(input.scanned.resumedFrom ? { resumedFrom: input.scanned.resumedFrom } : {}),
      at: now(),
    });
    return summariseScan(outcome);
  }

  async function applyImport(input: ApplyImportInput): Promise<ScanSummary> {
    const { content } = (await deps.bodies.read(input.content)) as { content: string };
    const parsed = parseInventoryImport(input.format, content);
    // The API validated the same content before starting the workflow; failing here is a defect.
    if (!parsed.ok)
      throw ApplicationFailure.nonRetryable(
        `import no longer parses: ${parsed.errors[0]?.detail ?? ''}`,
        SCAN_REJECTED,
      );
    const outcome = await inventory.applyObservations({
      programmeId: input.programmeId,
      scanId: input.scanId,
      observations: entriesToObservations(parsed.entries, `import ${input.register}`),
      progress: { filesSeen: 0, filesScanned: 0, findings: parsed.entries.length },
      skipped: [],
      at: now(),
    });
    return summariseScan(outcome);
  }

  async function failScan(input: { programmeId: string; scanId: string; error: string }): Promise<void> {
    await inventory.failScan(input.programmeId, input.scanId, input.error, now());
  }

  return { scanSource, applyScan, applyImport, failScan };
}

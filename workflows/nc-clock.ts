/**
 * The nonconformity clock of a stage workflow: durable timers for corrective-action deadlines
 * (a reminder at the deadline, an escalation later), for the certification body's minor-NC
 * plan deadline (the finding is flagged overdue) and for planned internal audits falling due. Like the approval desk it runs as a coroutine
 * beside the stage's main loop and sends its notices through the notification activities.
 * Only stages started with the `certification-cycle-v1` patch run it. Deterministic: the
 * timetable comes from the dossier (domain/nc-follow-up.ts) and workflow time only.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { DomainRecords } from '../domain/contracts/persistence';
import type { NotificationActivities } from '../domain/contracts/notifications';
import { nextPlannedAuditDue } from '../domain/audit-programme';
import { fireNcEvent, nextNcEvent } from '../domain/nc-follow-up';
import type { Dossier } from '../domain/types';
import { Coroutine } from './coroutine';

/** Stages started before this existed replay without the clock and the cycle-depth rules. */
export const CERTIFICATION_CYCLE_PATCH = 'certification-cycle-v1';

const { sendNotice } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

export interface NcClockContext {
  dossier: Dossier;
  save: (records: DomainRecords) => Promise<void>;
  /** Tells the programme that the overdue state may have changed. */
  reportProgress: () => Promise<void>;
}

export class NcClock extends Coroutine {
  constructor(private readonly x: NcClockContext) {
    super();
  }

  /** The dossier changed (an input, a decision): the timetable may have too. */
  poke(): void {
    this.rev++;
  }

  start(): void {
    this.launch();
  }

  protected async run(): Promise<void> {
    const d = this.x.dossier;
    while (!this.stopped) {
      const event = nextNcEvent(d);
      const now = Date.now();
      if (event && event.at <= now) {
        const { finding, notice } = fireNcEvent(d, event);
        await this.x.save({ findings: [finding] });
        if (notice.recipients.length > 0) {
          await sendNotice({
            noticeId: notice.id,
            kind: notice.kind,
            programmeId: d.programmeId,
            organisation: d.organisation,
            recipients: notice.recipients,
            sentAt: new Date(now).toISOString(),
            facts: notice.facts,
          });
        }
        await this.x.reportProgress();
        continue;
      }
      // A planned internal audit falling due changes the status (and the surveillance gates).
      const planned = nextPlannedAuditDue(d, now);
      const wake = Math.min(event?.at ?? Infinity, planned ?? Infinity);
      if (wake === Infinity) await this.waitForChange();
      else {
        await this.waitForChange(wake);
        if (planned === wake) await this.x.reportProgress();
      }
    }
  }
}

/**
 * The nonconformity clock of a stage workflow: durable timers for corrective-action deadlines
 * (a reminder at the deadline, an escalation later), for the certification body's minor-NC plan
 * deadline (the finding is flagged overdue) and for planned internal audits falling due. Like
 * the approval desk it runs as a loop beside the stage's main loop and sends its notices
 * through the notification activities. Deterministic: the timetable comes from the facts
 * (domain/nc-follow-up.ts) and workflow time only.
 */
import { proxyActivities } from '@temporalio/workflow';
import { nextPlannedAuditDue } from '../domain/audit-programme';
import type { RecordChanges } from '../domain/contracts/persistence';
import type { NotificationActivities } from '../domain/contracts/notifications';
import type { ProgrammeFacts } from '../domain/facts';
import { fireNcEvent, nextNcEvent } from '../domain/nc-follow-up';
import { ConcurrentLoop } from './concurrent-loop';

const { sendNotice } = proxyActivities<NotificationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

export interface NcClockContext {
  facts: ProgrammeFacts;
  save: (changes: RecordChanges) => Promise<void>;
  /** Tells the programme that the overdue state may have changed. */
  reportProgress: () => Promise<void>;
}

export class NcClock extends ConcurrentLoop {
  constructor(private readonly x: NcClockContext) {
    super();
  }

  /** The facts changed (an input, a decision): the timetable may have too. */
  poke(): void {
    this.rev++;
  }

  start(): void {
    this.launch();
  }

  protected async run(): Promise<void> {
    const f = this.x.facts;
    while (!this.stopped) {
      const event = nextNcEvent(f);
      const now = Date.now();
      if (event && event.at <= now) {
        const { finding, notice } = fireNcEvent(f, event);
        await this.x.save({ findings: [{ fact: finding }] });
        if (notice.recipients.length > 0) {
          await sendNotice({
            noticeId: notice.id,
            kind: notice.kind,
            programmeId: f.programmeId,
            organisation: f.organisation,
            recipients: notice.recipients,
            sentAt: new Date(now).toISOString(),
            facts: notice.facts,
          });
        }
        await this.x.reportProgress();
        continue;
      }
      // A planned internal audit falling due changes the status (and the surveillance gates).
      const planned = nextPlannedAuditDue(f, now);
      const wake = Math.min(event?.at ?? Infinity, planned ?? Infinity);
      if (wake === Infinity) await this.waitForChange();
      else {
        await this.waitForChange(wake);
        if (planned === wake) await this.x.reportProgress();
      }
    }
  }
}

/**
 * Evidence use cases behind the API: store an upload (content-addressed) and its register row,
 * compute coverage against the SoA, and assemble the audit pack from the programme's records.
 */
import type { ProgrammeRepository } from '../../db/repository';
import type { EvidenceRecord, EvidenceRepository, NewEvidence } from '../../db/evidence-repository';
import type { EvidenceMetadata, SoaEntry } from '../../domain/schemas';
import { buildAuditPack, evidencePath, jsonFile, type PackFile } from './audit-pack';
import type { ContentStore } from './content-store';
import type { PackReports } from './pack-reports';
import { evidenceCoverage, isCurrent, latestVersions, type EvidenceCoverage } from './coverage';

export interface EvidenceServiceOptions {
  evidence: EvidenceRepository;
  programmes: ProgrammeRepository;
  content: ContentStore;
  /** Largest accepted upload in bytes. */
  maxBytes: number;
  /** The generated reports the audit pack carries (PDF and JSON of each current version). */
  reports?: PackReports;
  now?: () => number;
}

export class EvidenceService {
  readonly maxBytes: number;
  private readonly now: () => number;

  constructor(private readonly o: EvidenceServiceOptions) {
    this.maxBytes = o.maxBytes;
    this.now = o.now ?? Date.now;
  }

  private base(
    programmeId: string,
    id: string,
    meta: EvidenceMetadata,
  ): Omit<NewEvidence, 'source' | 'url' | 'fileName' | 'mediaType' | 'size' | 'sha256'> {
    return {
      programmeId,
      id,
      key: meta.key ?? id,
      title: meta.title,
      owner: meta.owner,
      requirementIds: meta.requirementIds,
      aiSystemIds: meta.aiSystemIds,
      reviewOn: meta.reviewOn ?? null,
      expiresOn: meta.expiresOn ?? null,
      createdAt: new Date(this.now()).toISOString(),
    };
  }

  async addFile(
    programmeId: string,
    id: string,
    meta: EvidenceMetadata,
    file: { fileName: string; mediaType: string; data: Buffer },
  ): Promise<EvidenceRecord> {
    const stored = await this.o.content.put(file.data);
    return this.o.evidence.insertNextVersion({
      ...this.base(programmeId, id, meta),
      source: 'file',
      url: null,
      fileName: file.fileName,
      mediaType: file.mediaType,
      size: stored.size,
      sha256: stored.sha256,
    });
  }

  addLink(
    programmeId: string,
    id: string,
    meta: EvidenceMetadata,
    url: string,
    sha256: string,
  ): Promise<EvidenceRecord> {
    return this.o.evidence.insertNextVersion({
      ...this.base(programmeId, id, meta),
      source: 'url',
      url,
      fileName: null,
      mediaType: null,
      size: 0,
      sha256,
    });
  }

  list(programmeId: string): Promise<EvidenceRecord[]> {
    return this.o.evidence.list(programmeId);
  }

  get(programmeId: string, id: string): Promise<EvidenceRecord | null> {
    return this.o.evidence.get(programmeId, id);
  }

  content(record: EvidenceRecord): Promise<Buffer> {
    return this.o.content.read(record.sha256);
  }

  isCurrent(record: EvidenceRecord): boolean {
    return isCurrent(record, this.now());
  }

  private async latestSoa(programmeId: string): Promise<SoaEntry[] | undefined> {
    const soa = await this.o.programmes.getArtefact(programmeId, 'soa', '');
    return soa ? (soa.body as { entries: SoaEntry[] }).entries : undefined;
  }

  async coverage(programmeId: string): Promise<EvidenceCoverage> {
    return evidenceCoverage(await this.latestSoa(programmeId), await this.list(programmeId), this.now());
  }

  /** The ZIP for the certification body, and its manifest. */
  async auditPack(programme: { id: string; organisation: string; name: string }) {
    const p = this.o.programmes;
    const files: PackFile[] = [];
    const summaries = await p.listArtefacts(programme.id);
    const latest = new Map<string, (typeof summaries)[number]>();
    for (const a of summaries) {
      const k = `${a.kind}/${a.key}`;
      const seen = latest.get(k);
      if (!seen || a.version > seen.version) latest.set(k, a);
    }
    for (const a of [...latest.values()].sort((x, y) =>
      `${x.kind}/${x.key}`.localeCompare(`${y.kind}/${y.key}`),
    )) {
      const full = await p.getArtefact(programme.id, a.kind, a.key, a.version);
      if (!full) continue;
      files.push({
        path: `artefacts/${a.kind}/${a.key || a.kind}-v${a.version}.json`,
        data: jsonFile(full.body),
        category: 'artefact',
        title: `${a.kind} v${a.version}`,
      });
    }
    const audits = await p.listAudits(programme.id);
    const findings = await p.listFindings(programme.id);
    const internal = audits
      .filter((a) => a.audit === 'internal')
      .map((a) => ({ ...a, findings: findings.filter((f) => f.auditId === a.id) }));
    const records: [string, unknown][] = [
      ['internal-audit-report', { audits: internal }],
      ['audits', audits],
      ['findings', findings],
      ['certificates', await p.listCertificates(programme.id)],
      ['approval-decisions', await p.listDecisions(programme.id)],
      ['stage-history', await p.listTransitions(programme.id)],
    ];
    for (const [name, value] of records) {
      files.push({ path: `records/${name}.json`, data: jsonFile(value), category: 'record', title: name });
    }
    for (const r of (await this.o.reports?.current(programme.id)) ?? []) {
      files.push({
        path: `reports/${r.kind}/${r.kind}${r.key ? `-${r.key}` : ''}-v${r.version}.${r.format}`,
        data: r.content,
        category: 'report',
        supports: r.supports,
        title: r.title,
      });
    }
    for (const e of latestVersions(await this.list(programme.id)).filter((x) => this.isCurrent(x))) {
      const data = e.source === 'file' ? await this.content(e) : jsonFile({ title: e.title, url: e.url });
      files.push({
        path:
          e.source === 'file'
            ? evidencePath(e.key, e.version, e.fileName ?? 'file')
            : `evidence/${e.key}/v${e.version}/link.json`,
        data,
        category: 'evidence',
        supports: e.requirementIds,
        title: e.title,
      });
    }
    return buildAuditPack(programme, files, new Date(this.now()).toISOString());
  }
}

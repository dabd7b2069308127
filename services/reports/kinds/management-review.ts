/** The minutes of the latest management review (clause 9.3), with top management's sign-off. */
import {
  managementReviewDocument,
  managementReviewModel,
  type ManagementReviewModel,
} from '../audit-reports';
import { decisionFor } from '../sources';
import { auditSources, orUnavailable } from './audit-sources';
import type { ReportKindBuilder } from './definition';

export const managementReview: ReportKindBuilder<ManagementReviewModel> = {
  reads: ['auditRecords', 'reviewInputs'],
  model: (s) =>
    orUnavailable(() => {
      const signOff = s.managementReview
        ? decisionFor(s, 'management_review', s.managementReview.version)
        : undefined;
      return managementReviewModel({ ...auditSources(s), ...(signOff ? { signOff } : {}) });
    }),
  document: (model, stamp) => managementReviewDocument(model, stamp),
  artefactVersion: (model) => model.review.version,
};

import { FileReadSource } from './read/index.js';
import { FileTailSource } from './tail/index.js';
import { describeSourceConformance } from './testing/source-conformance.js';

describeSourceConformance('file tail', {
  kind: 'follows',
  resumes: true,
  open: (file, { batchLines, checkpoints }) =>
    new FileTailSource({ id: file, patterns: [file], startAt: 'start', pollIntervalMs: 50, batchLines, checkpoints }),
});

describeSourceConformance('file read', {
  kind: 'finishes',
  resumes: false,
  open: (file, { batchLines }) => new FileReadSource({ id: file, inputs: [file], batchLines }),
});

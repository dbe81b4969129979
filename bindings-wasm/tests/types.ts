import { Engine, RempartError, type Finding, type Report } from '../pkg/index.js';

const engine = new Engine({ podSecurityLevel: 'baseline', podSecurityVersion: 'v1.29', select: ['pod-security'] });
const report: Report = engine.evaluate('apiVersion: v1\nkind: Pod\n', { filename: 'pod.yaml' });
const lines: number[] = report.findings.map((f: Finding) => f.editor.startLine);
try {
  engine.explain('x');
} catch (e) {
  if (e instanceof RempartError) {
    const where: string[] = e.sourceLocations.map((l) => `${l.file}:${l.line}:${l.column}`);
    console.log(e.code, where, lines);
  }
}

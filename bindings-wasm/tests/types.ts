import { Engine, RempartError, type Alert, type DetectReport, type Finding, type Report } from '../pkg/index.js';

const engine = new Engine({ podSecurityLevel: 'baseline', podSecurityVersion: 'v1.29', select: ['pod-security'] });
const report: Report = engine.evaluate('apiVersion: v1\nkind: Pod\n', { filename: 'pod.yaml' });
const lines: number[] = report.findings.map((f: Finding) => f.editor.startLine);
const detected: DetectReport = engine.detect('{"kind":"Event","apiVersion":"audit.k8s.io/v1"}\n', { filename: 'audit.log', input: 'k8s' });
const users: Array<string | null> = detected.alerts.map((a: Alert) => a.user);
console.log(users, detected.summary.events);
try {
  engine.explain('x');
} catch (e) {
  if (e instanceof RempartError) {
    const where: string[] = e.sourceLocations.map((l) => `${l.file}:${l.line}:${l.column}`);
    console.log(e.code, where, lines);
  }
}

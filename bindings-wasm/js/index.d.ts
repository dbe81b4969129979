/** Positions in the units JavaScript editors use: 1-based lines and columns, 0-based offsets, all in UTF-16 code units. */
export interface EditorRange {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  startOffset: number;
  endOffset: number;
}

/** A position as the JSON report gives it: 1-based line and column (Unicode scalar values), byte offset. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface SourceSpan {
  start: Position;
  end: Position;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/** Another place that explains a finding (the role rule that grants a right, the policy that selects a pod). */
export interface RelatedLocation {
  file: string;
  document: number;
  /** RFC 6901 pointer into that document as written. */
  path: string;
  span: SourceSpan;
  message: string;
}

export interface Finding {
  policy: string;
  title: string;
  severity: Severity;
  category: string;
  message: string;
  file: string;
  document: number;
  object: ObjectRef;
  /** RFC 6901 pointer into the document as written. */
  path: string;
  span: SourceSpan;
  standards: Record<string, unknown>;
  fix: string;
  /** Present only when the finding has related places. */
  related?: RelatedLocation[];
  editor: EditorRange;
  /** The editor ranges of `related`, in order (`null` for a place in another text). */
  relatedEditor?: (EditorRange | null)[];
}

export interface ErrorEntry {
  file: string;
  document: number | null;
  message: string;
  span: SourceSpan | null;
  editor: EditorRange | null;
}

export interface Summary {
  files: number;
  documents: number;
  findings: number;
  errors: number;
  skipped: number;
  suppressed: number;
  baselined: number;
  /** Paths left out of directory walks (see the notes); present when not zero. */
  ignored?: number;
  /** Of `suppressed`, the findings configured exceptions covered; present when not zero. */
  excepted?: number;
}

export interface Report {
  version: string;
  findings: Finding[];
  errors: ErrorEntry[];
  notes: ErrorEntry[];
  summary: Summary;
  /** What `rempart scan` would exit with: 0, 1 (findings at or above `failOn`) or 2 (the text could not be read). */
  exitCode: 0 | 1 | 2;
}

export interface PolicyText {
  name: string;
  text: string;
}

export interface EngineOptions {
  /** Load the built-in policies (default true). */
  builtin?: boolean;
  /** More policies, as YAML texts. */
  policies?: Array<string | PolicyText>;
  /** Run only these policies and those below them, by whole `/`-separated parts (`pod-security`,
   * `pod-security/baseline/*`, a full id); a value that matches no policy throws (code `options`). */
  select?: string[];
  /** Skip these policies and those below them, matched like `select`. */
  ignore?: string[];
  /** Parameter values: policy id → parameter → value (unknown ids and names throw). */
  params?: Record<string, Record<string, unknown>>;
  severities?: Record<string, Severity>;
  podSecurityLevel?: 'baseline' | 'restricted' | 'from-namespace';
  /** `v1.N` or `latest`; a version newer than known applies the newest, with a report note. */
  podSecurityVersion?: string;
  limits?: { maxDocumentBytes?: number; maxDocuments?: number; maxDepth?: number; maxAliasNodes?: number; maxScalarBytes?: number; maxInputBytes?: number; maxPolicies?: number; maxComparisons?: number };
  /** The text of a configuration file (`.rempart.yaml`): its settings apply under the options given
   * here, its exceptions hide the findings they cover until they expire (mistakes throw, code `config`). */
  config?: string;
  /** The JSON text of a baseline file (`rempart scan --write-baseline`): the findings it holds are left out. */
  baseline?: string;
  /** The threshold of `exitCode` (default `low`, or the configuration's `failOn`). */
  failOn?: 'low' | 'medium' | 'high' | 'critical' | 'none';
  /** The date exceptions are checked against, `YYYY-MM-DD` (default: today, UTC). */
  today?: string;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class RempartError extends Error {
  code: 'options' | 'config' | 'policy' | 'limit' | 'internal';
  sourceLocations: SourceLocation[];
}

export interface PolicyInfo {
  id: string;
  title: string;
  severity: Severity;
  category: string;
  standards: Record<string, unknown>;
  docs: { why: string; fix: string; references: string[] };
  params: Array<{ name: string; description: string; value: unknown }>;
  file: string;
}

/** What an audited request was about (the event's `objectRef`). */
export interface AuditObjectRef {
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
}

/** One alert of `detect`, as `rempart detect --format jsonl` writes it. */
export interface Alert {
  time: string | null;
  rule: string;
  title: string;
  severity: Severity;
  category: string;
  message: string;
  auditID: string | null;
  stage: string | null;
  user: string | null;
  sourceIPs: string[];
  verb: string | null;
  objectRef: AuditObjectRef | null;
  file: string;
  line: number;
  /** RFC 6901 pointer into the event. */
  path: string;
  input: 'k8s' | 'gke' | 'aks' | 'eks';
  standards: Record<string, unknown>;
  fix: string;
  /** For rules with `aggregate`: the key, how many matches, the window, the first match's time. */
  aggregate?: { key: Record<string, string>; count: number; window: string; first: string };
}

export interface DetectError {
  file: string;
  line: number;
  message: string;
}

export interface DetectReport {
  version: string;
  alerts: Alert[];
  errors: DetectError[];
  summary: { files: number; events: number; alerts: number; errors: number; duplicates: number; suppressed: number };
}

export class Engine {
  constructor(options?: EngineOptions);
  evaluate(text: string, options?: { filename?: string }): Report;
  detect(text: string, options?: { filename?: string; input?: 'auto' | 'k8s' | 'gke' | 'aks' | 'eks' }): DetectReport;
  policies(): PolicyInfo[];
  explain(id: string): PolicyInfo;
}

export function version(): string;

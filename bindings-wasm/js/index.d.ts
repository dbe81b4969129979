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
  /** How `review` answers: the `admission:` section of `.rempart.yaml`. */
  admission?: AdmissionSettings;
}

export type AdmissionMode = 'enforce' | 'warn' | 'audit';

export interface AdmissionSettings {
  /** Mode per severity (default: enforce for high and critical, warn for the rest). */
  modes?: Partial<Record<Severity, AdmissionMode>>;
  /** Mode per policy id or id prefix; the longest prefix wins over the severity's mode. */
  policies?: Record<string, AdmissionMode>;
  /** Allowed without being judged; a list given replaces its default (`system:apiserver`, `kube-system`). */
  exempt?: { users?: string[]; groups?: string[]; namespaces?: string[] };
  /** `new-violations`: an UPDATE is denied only for violations the old object did not have. */
  onUpdate?: 'all' | 'new-violations';
  /** Pod Security level per namespace, for pods judged `from-namespace`. */
  namespaceLevels?: Record<string, 'privileged' | 'baseline' | 'restricted'>;
}

/** An `admission.k8s.io/v1` `AdmissionReview`, request or response. */
export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: Record<string, unknown>;
  response?: {
    uid: string;
    allowed: boolean;
    status?: { code: number; reason: string; message: string; status: 'Failure'; metadata: Record<string, never> };
    warnings?: string[];
    auditAnnotations: Record<string, string>;
  };
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class RempartError extends Error {
  code: 'options' | 'config' | 'policy' | 'limit' | 'review' | 'internal';
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
  /** Scans several texts as one set, cross-object (RBAC) findings included. */
  evaluateSet(inputs: { filename: string; text: string }[]): Report;
  /** Whether a user may make a request, over the RBAC objects of the inputs. */
  canI(query: AuthQuery, inputs: { filename: string; text: string }[]): CanI;
  /** Every subject that may make a request, over the RBAC objects of the inputs. */
  whoCan(query: AuthQuery, inputs: { filename: string; text: string }[]): WhoCan;
  detect(text: string, options?: { filename?: string; input?: 'auto' | 'k8s' | 'gke' | 'aks' | 'eks' }): DetectReport;
  policies(): PolicyInfo[];
  explain(id: string): PolicyInfo;
  /** Answers an AdmissionReview request (object or JSON text); throws `RempartError` (code `review`) when it cannot be read. */
  review(review: AdmissionReview | string, options?: { namespaceLabels?: Record<string, string> }): AdmissionReview;
}

export function version(): string;

/** An RBAC question, as `rempart auth can-i` reads it. */
export interface AuthQuery {
  verb: string;
  /** `TYPE[/NAME]`, `resource.group` or a non-resource URL (`/healthz`). */
  resource: string;
  subresource?: string;
  /** Overrides the group of `resource` (`""` for the core group). */
  apiGroup?: string;
  /** `""` (default): cluster-wide. */
  namespace?: string;
  /** `canI` only: the user asking (`system:serviceaccount:NS:NAME` for a ServiceAccount). */
  user?: string;
  groups?: string[];
}

/** A binding or role a grant goes through, and where it is written. */
export interface RbacObject {
  kind: string;
  namespace?: string;
  name: string;
  file: string;
  line: number;
  column: number;
  path: string;
}

/** One binding + role + rule that grants a request; `rule` indexes the rules of `from` when the bound role aggregates it. */
export interface Grant {
  binding: RbacObject;
  role: RbacObject;
  rule: number;
  from?: RbacObject;
}

export interface CanI {
  allowed: boolean;
  grants: Grant[];
}

export interface WhoCan {
  subjects: { kind: string; name: string; namespace?: string; via: Grant[] }[];
}

//! NetworkPolicy connectivity over an [`ObjectSet`], with the semantics of the Kubernetes
//! API (`networking.k8s.io/v1`) and its "Network Policies" concept page:
//!
//! - A workload is isolated for ingress (egress) when at least one policy of its namespace
//!   selects it (`podSelector`, empty: every pod of the namespace) and has `Ingress`
//!   (`Egress`) among its effective `policyTypes`: as listed, or when none are listed,
//!   `Ingress` always and `Egress` when `egress` has rules. A connection is allowed when the
//!   source's egress allows it (or the source is not isolated for egress) and the
//!   destination's ingress allows it (likewise): the union of the rules of every policy that
//!   isolates it.
//! - A rule allows its peers (`from`/`to`; missing or empty: every peer) on its ports
//!   (missing or empty: every port); an empty rule list allows nothing. A peer is a
//!   `podSelector` (pods of the policy's namespace), a `namespaceSelector` (every pod of the
//!   matching namespaces, empty: all namespaces; a namespace's labels are those of its
//!   `Namespace` object plus the automatic `kubernetes.io/metadata.name`), both (AND), or an
//!   `ipBlock` (`cidr` minus `except`), which stands for addresses outside the cluster: pod
//!   addresses are not known from manifests.
//! - Ports: numbers, `endPort` ranges, named ports resolved against the destination's
//!   container ports (of the selected pod for ingress, of the peer for egress; outside
//!   addresses have none), protocols `TCP` (the default), `UDP`, `SCTP`.
//! - Workloads are the unit ([`workload`]); the outside world is cut into disjoint address
//!   ranges. A namespaced object without `metadata.namespace` is read as in `default`.
//! - A NetworkPolicy the API server would refuse (invalid CIDR, `except` outside its block,
//!   unknown protocol or operator, port out of range, …) is left out with a positioned error.
//!
//! Indexes: workloads by namespace and by label, policies by namespace; the policies that
//! isolate each workload are found once, by selector lookups through the label index. A
//! focused workload's connectivity is linear in the number of workloads; the full list is
//! linear in the pairs one side allows (every pair when nothing is isolated).

pub mod checks;
pub mod ip;
pub mod policy;
pub mod ports;
pub mod render;
pub mod selector;
pub mod workload;

#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};

use ip::{Family, Range};
use policy::{Direction, Peer, Policy, Rule};
use ports::{Ports, Protocol};
use selector::{Labels, Selector};
use workload::Workload;

use crate::document::{Limits, Source};
use crate::objects::{ObjectSet, Place, Wants};

/// The API group of NetworkPolicy.
pub const NETWORKING_GROUP: &str = "networking.k8s.io";

/// The label the API server puts on every Namespace, with its name.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The kinds a connectivity analysis reads.
pub fn wants() -> Wants {
    let mut w = Wants::default();
    for (group, kind) in workload::KINDS {
        w.add(Some(group), kind);
    }
    w.add(Some(NETWORKING_GROUP), "NetworkPolicy");
    w.add(Some(""), "Namespace");
    w
}

/// Something wrong in the set, at its place; `error` when Kubernetes would refuse it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub place: Place,
    /// What is wrong, for the user.
    pub message: String,
    /// True when Kubernetes would refuse it (else a note).
    pub error: bool,
}

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// A workload, by index in [`Analysis::workloads`].
    Workload(usize),
    /// Addresses outside the cluster.
    External(Range),
}

/// An allowed connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Where the connection starts.
    pub src: Endpoint,
    /// Where it goes.
    pub dst: Endpoint,
    /// The connections allowed.
    pub ports: Ports,
}

/// Who may reach a workload (ingress) or whom it may reach (egress) beyond named peers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reach {
    /// Any pod of any namespace.
    EntireCluster,
    /// Any pod of the workload's own namespace.
    OwnNamespace,
    /// Addresses outside the cluster.
    External(Range),
}

/// One line of the exposure report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    /// The workload (index into `Analysis::workloads`, or its name in a report).
    pub workload: usize,
    /// Ingress or egress.
    pub direction: Direction,
    /// Who is on the other side.
    pub reach: Reach,
    /// The connections allowed.
    pub ports: Ports,
}

/// Policies that isolate a workload, per direction (indexes into [`Analysis::policies`]).
#[derive(Clone, Debug, Default)]
pub struct Isolation {
    /// Ingress.
    pub ingress: Vec<usize>,
    /// Egress.
    pub egress: Vec<usize>,
}

impl Isolation {
    /// The policies for one direction.
    pub fn of(&self, direction: Direction) -> &[usize] {
        match direction {
            Direction::Ingress => &self.ingress,
            Direction::Egress => &self.egress,
        }
    }
}

/// Sources or destinations to consider: all workloads, or some.
enum Candidates {
    All,
    Some(BTreeSet<usize>),
}

/// The workloads, policies and namespaces of a set of documents, indexed.
#[derive(Debug)]
pub struct Analysis {
    /// The objects read.
    pub set: ObjectSet,
    /// The workloads, in reading order.
    pub workloads: Vec<Workload>,
    /// The valid NetworkPolicies.
    pub policies: Vec<Policy>,
    /// Per workload, the policies that isolate it.
    pub isolation: Vec<Isolation>,
    /// Per policy, the workloads it selects.
    pub selects: Vec<Vec<usize>>,
    problems: Vec<Problem>,
    /// Namespace name → its labels (sorted), the automatic name label included.
    namespaces: HashMap<String, Vec<(String, String)>>,
    by_namespace: HashMap<String, Vec<usize>>,
    by_label: HashMap<(String, String, String), Vec<usize>>,
    policies_in: HashMap<String, Vec<usize>>,
    /// Workloads by the kind, namespace and name of the object that stands for them.
    by_object: HashMap<(String, String, String), usize>,
    /// Policies by namespace and name.
    by_policy: HashMap<(String, String), usize>,
    /// `ports` entries naming a port no container concerned declares: policy namespace,
    /// name, pointer of the entry in the policy.
    unexposed: HashSet<(String, String, String)>,
    /// The address families the outside world is shown in: IPv4, and IPv6 when a policy
    /// names an IPv6 block.
    universe: Vec<Range>,
}

impl Analysis {
    /// Reads the objects of `sources` (a `List` may be as large as an input).
    pub fn read<'s>(sources: impl IntoIterator<Item = &'s Source>, limits: &Limits) -> Analysis {
        let limits = Limits {
            max_document_bytes: limits.max_document_bytes.max(limits.max_input_bytes),
            ..limits.clone()
        };
        Analysis::of(ObjectSet::read(sources, &limits, &wants()))
    }

    /// The analysis of a set already read (it must hold the kinds of [`wants`]).
    pub fn of(set: ObjectSet) -> Analysis {
        let workloads = workload::workloads(&set);
        let mut problems: Vec<Problem> = Vec::new();
        let mut policies = Vec::new();
        for o in set.of_kind("NetworkPolicy").filter(|o| o.group == NETWORKING_GROUP) {
            match Policy::read(o) {
                Ok(p) => policies.push(p),
                Err(errors) => {
                    for (node, message) in errors {
                        problems.push(Problem {
                            place: o.place_of(node),
                            message: format!(
                                "{message}; the API server refuses this NetworkPolicy, so it is left out of the analysis"
                            ),
                            error: true,
                        });
                    }
                }
            }
        }
        let mut namespaces: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for ns in set.of_kind("Namespace").filter(|o| o.group.is_empty()) {
            let mut labels: Vec<(String, String)> = ns
                .labels()
                .filter(|(k, _)| *k != NAME_LABEL)
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            labels.push((NAME_LABEL.to_owned(), ns.name().to_owned()));
            labels.sort();
            labels.dedup_by(|a, b| a.0 == b.0);
            namespaces.insert(ns.name().to_owned(), labels);
        }
        let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_label: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
        for (i, w) in workloads.iter().enumerate() {
            by_namespace.entry(w.namespace.clone()).or_default().push(i);
            for (k, v) in &w.labels {
                by_label
                    .entry((w.namespace.clone(), k.clone(), v.clone()))
                    .or_default()
                    .push(i);
            }
            namespaces
                .entry(w.namespace.clone())
                .or_insert_with(|| vec![(NAME_LABEL.to_owned(), w.namespace.clone())]);
        }
        let mut policies_in: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in policies.iter().enumerate() {
            policies_in.entry(p.namespace.clone()).or_default().push(i);
        }
        let v6 = policies.iter().any(|p| {
            [Direction::Ingress, Direction::Egress].iter().any(|d| {
                p.rules(*d).unwrap_or_default().iter().any(|r| {
                    r.peers
                        .iter()
                        .flatten()
                        .any(|peer| matches!(peer, Peer::Block { cidr, .. } if cidr.family == Family::V6))
                })
            })
        });
        let mut universe = vec![Range::all(Family::V4)];
        if v6 {
            universe.push(Range::all(Family::V6));
        }
        let mut analysis = Analysis {
            set,
            workloads,
            policies,
            isolation: Vec::new(),
            selects: Vec::new(),
            problems,
            namespaces,
            by_namespace,
            by_label,
            policies_in,
            by_object: HashMap::new(),
            by_policy: HashMap::new(),
            unexposed: HashSet::new(),
            universe,
        };
        analysis.isolation = vec![Isolation::default(); analysis.workloads.len()];
        let mut selects = Vec::with_capacity(analysis.policies.len());
        for (pi, p) in analysis.policies.iter().enumerate() {
            let chosen: Vec<usize> = analysis.pods_matching(&p.namespace, &p.selector).into_iter().collect();
            for &w in &chosen {
                if let Some(iso) = analysis.isolation.get_mut(w) {
                    if p.ingress.is_some() {
                        iso.ingress.push(pi);
                    }
                    if p.egress.is_some() {
                        iso.egress.push(pi);
                    }
                }
            }
            selects.push(chosen);
        }
        analysis.selects = selects;
        for (i, w) in analysis.workloads.iter().enumerate() {
            let key = (
                w.object.id.kind.clone(),
                w.namespace.clone(),
                w.object.name().to_owned(),
            );
            analysis.by_object.insert(key, i);
        }
        for (i, p) in analysis.policies.iter().enumerate() {
            analysis.by_policy.insert((p.namespace.clone(), p.name.clone()), i);
        }
        analysis.note_named_ports();
        analysis
    }

    /// Named ports that no container of the workloads concerned exposes: for an ingress rule,
    /// the workloads the policy selects; for an egress rule, every workload of the set.
    fn note_named_ports(&mut self) {
        let mut notes = Vec::new();
        let mut unexposed = Vec::new();
        for (pi, p) in self.policies.iter().enumerate() {
            for direction in [Direction::Ingress, Direction::Egress] {
                for rule in p.rules(direction).unwrap_or_default() {
                    for (si, spec) in rule.ports.iter().flatten().enumerate() {
                        let policy::PortRef::Named(name) = &spec.port else {
                            continue;
                        };
                        let has =
                            |w: &Workload| w.ports.iter().any(|(n, proto, _)| n == name && *proto == spec.protocol);
                        let found = match direction {
                            Direction::Ingress => self
                                .selects
                                .get(pi)
                                .is_some_and(|ws| ws.iter().any(|&w| self.workloads.get(w).is_some_and(has))),
                            Direction::Egress => self.workloads.iter().any(has),
                        };
                        let whose = match direction {
                            Direction::Ingress => "the workloads this policy selects",
                            Direction::Egress => "the workloads of the set",
                        };
                        if !found
                            && (direction == Direction::Egress || self.selects.get(pi).is_some_and(|s| !s.is_empty()))
                        {
                            let path = [
                                "spec",
                                direction.key(),
                                &rule.index.to_string(),
                                "ports",
                                &si.to_string(),
                                "port",
                            ];
                            unexposed.push((
                                p.namespace.clone(),
                                p.name.clone(),
                                format!("/spec/{}/{}/ports/{si}", direction.key(), rule.index),
                            ));
                            notes.push(Problem {
                                place: p.object.place_at(&path),
                                message: format!(
                                    "no container of {whose} has a {} port named `{name}`, so this entry allows nothing; name a port the containers declare, or use its number",
                                    spec.protocol.name()
                                ),
                                error: false,
                            });
                        }
                    }
                }
            }
        }
        self.problems.extend(notes);
        self.unexposed.extend(unexposed);
    }

    /// The workload an object stands for (`None` for an object folded into its owner).
    pub fn workload_of(&self, kind: &str, namespace: &str, name: &str) -> Option<usize> {
        self.by_object
            .get(&(kind.to_owned(), namespace.to_owned(), name.to_owned()))
            .copied()
    }

    /// The valid policy of this namespace and name.
    pub fn policy_of(&self, namespace: &str, name: &str) -> Option<usize> {
        self.by_policy.get(&(namespace.to_owned(), name.to_owned())).copied()
    }

    /// True when the `ports` entry at `pointer` of the policy names a port no container
    /// concerned declares.
    pub fn unexposed(&self, namespace: &str, name: &str, pointer: &str) -> bool {
        self.unexposed
            .contains(&(namespace.to_owned(), name.to_owned(), pointer.to_owned()))
    }

    /// What is wrong in the set: duplicates (the last one wins), documents that do not parse,
    /// NetworkPolicies the API server would refuse (left out), named ports nothing exposes.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = self
            .set
            .duplicates()
            .iter()
            .map(|d| Problem {
                place: d.second.clone(),
                message: d.message(),
                error: true,
            })
            .collect();
        out.extend(self.set.unread().iter().map(|(place, message)| Problem {
            place: place.clone(),
            message: format!("{message}; the objects of this document are left out"),
            error: true,
        }));
        out.extend(self.problems.iter().cloned());
        out
    }

    /// The labels of a namespace (every namespace of a workload has an entry, with at least
    /// the automatic name label).
    fn namespace_labels(&self, namespace: &str) -> &[(String, String)] {
        self.namespaces.get(namespace).map(Vec::as_slice).unwrap_or_default()
    }

    /// The workloads of `namespace` that `selector` matches, through the label index.
    fn pods_matching(&self, namespace: &str, selector: &Selector) -> BTreeSet<usize> {
        let candidates: &[usize] = match selector.anchor() {
            Some((k, v)) => self
                .by_label
                .get(&(namespace.to_owned(), k.to_owned(), v.to_owned()))
                .map(Vec::as_slice)
                .unwrap_or_default(),
            None => self.by_namespace.get(namespace).map(Vec::as_slice).unwrap_or_default(),
        };
        candidates
            .iter()
            .copied()
            .filter(|&i| self.workloads.get(i).is_some_and(|w| selector.matches(&w.labels)))
            .collect()
    }

    /// The namespaces (holding workloads) a peer reaches.
    fn peer_namespaces<'a>(&'a self, policy: &'a Policy, namespaces: Option<&'a Selector>) -> Vec<&'a str> {
        match namespaces {
            None => vec![policy.namespace.as_str()],
            Some(sel) => self
                .by_namespace
                .keys()
                .filter(|ns| sel.matches(self.namespace_labels(ns)))
                .map(String::as_str)
                .collect(),
        }
    }

    /// True when `peer` of `policy` matches workload `w`.
    fn peer_matches(&self, policy: &Policy, peer: &Peer, w: &Workload) -> bool {
        match peer {
            Peer::Block { .. } => false,
            Peer::Pods { pods, namespaces } => {
                let ns_ok = match namespaces {
                    None => w.namespace == policy.namespace,
                    Some(sel) => sel.matches(self.namespace_labels(&w.namespace)),
                };
                ns_ok && pods.matches(&w.labels)
            }
        }
    }

    fn rule_matches(&self, policy: &Policy, rule: &Rule, other: Endpoint) -> bool {
        let Some(peers) = &rule.peers else { return true };
        peers.iter().any(|peer| match (peer, other) {
            (Peer::Block { allowed, .. }, Endpoint::External(r)) => allowed.iter().any(|a| a.contains(&r)),
            (_, Endpoint::Workload(i)) => self
                .workloads
                .get(i)
                .is_some_and(|w| self.peer_matches(policy, peer, w)),
            _ => false,
        })
    }

    /// The connections `w`'s policies allow in `direction` with `other` (the source for
    /// ingress, the destination for egress); everything when `w` is not isolated.
    pub fn allowed(&self, w: usize, direction: Direction, other: Endpoint) -> Ports {
        let Some(iso) = self.isolation.get(w) else {
            return Ports::none();
        };
        let list = iso.of(direction);
        if list.is_empty() {
            return Ports::all();
        }
        // Named ports resolve against the destination.
        let dst_ports: &[(String, Protocol, u32)] = match (direction, other) {
            (Direction::Ingress, _) => self.workloads.get(w).map(|x| x.ports.as_slice()).unwrap_or_default(),
            (Direction::Egress, Endpoint::Workload(d)) => {
                self.workloads.get(d).map(|x| x.ports.as_slice()).unwrap_or_default()
            }
            (Direction::Egress, Endpoint::External(_)) => &[],
        };
        let mut out = Ports::none();
        for &pi in list {
            let Some(p) = self.policies.get(pi) else { continue };
            for rule in p.rules(direction).unwrap_or_default() {
                if self.rule_matches(p, rule, other) {
                    out.union(&rule.ports(dst_ports));
                    if out.is_all() {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// The connections allowed from workload `src` to workload `dst`.
    pub fn between(&self, src: usize, dst: usize) -> Ports {
        let ingress = self.allowed(dst, Direction::Ingress, Endpoint::Workload(src));
        if ingress.is_empty() {
            return ingress;
        }
        ingress.intersect(&self.allowed(src, Direction::Egress, Endpoint::Workload(dst)))
    }

    /// The outside world as disjoint ranges, each with what `w` allows with it in
    /// `direction` (ranges that allow nothing left out).
    pub fn external(&self, w: usize, direction: Direction) -> Vec<(Range, Ports)> {
        let Some(iso) = self.isolation.get(w) else {
            return Vec::new();
        };
        let list = iso.of(direction);
        if list.is_empty() {
            return self.universe.iter().map(|r| (*r, Ports::all())).collect();
        }
        let named: &[(String, Protocol, u32)] = match direction {
            Direction::Ingress => self.workloads.get(w).map(|x| x.ports.as_slice()).unwrap_or_default(),
            Direction::Egress => &[],
        };
        let mut pieces: Vec<(Range, Ports)> = Vec::new();
        for &pi in list {
            let Some(p) = self.policies.get(pi) else { continue };
            for rule in p.rules(direction).unwrap_or_default() {
                let ports = rule.ports(named);
                if ports.is_empty() {
                    continue;
                }
                match &rule.peers {
                    None => pieces.extend(self.universe.iter().map(|r| (*r, ports.clone()))),
                    Some(peers) => {
                        for peer in peers {
                            if let Peer::Block { allowed, .. } = peer {
                                pieces.extend(allowed.iter().map(|r| (*r, ports.clone())));
                            }
                        }
                    }
                }
            }
        }
        ip::sweep(&self.universe, &pieces, &Ports::none(), |a, b| a.union(b))
            .into_iter()
            .filter(|(_, p)| !p.is_empty())
            .collect()
    }

    /// The workloads `w`'s rules in `direction` may allow as peers.
    fn candidates(&self, w: usize, direction: Direction) -> Candidates {
        let Some(iso) = self.isolation.get(w) else {
            return Candidates::Some(BTreeSet::new());
        };
        let list = iso.of(direction);
        if list.is_empty() {
            return Candidates::All;
        }
        let mut out = BTreeSet::new();
        for &pi in list {
            let Some(p) = self.policies.get(pi) else { continue };
            for rule in p.rules(direction).unwrap_or_default() {
                let Some(peers) = &rule.peers else {
                    return Candidates::All;
                };
                for peer in peers {
                    if let Peer::Pods { pods, namespaces } = peer {
                        for ns in self.peer_namespaces(p, namespaces.as_ref()) {
                            out.extend(self.pods_matching(ns, pods));
                        }
                    }
                }
            }
        }
        Candidates::Some(out)
    }

    /// Every allowed connection between workloads and with the outside world (a workload
    /// with itself left out), in the order of [`render::sorted`].
    pub fn connectivity(&self) -> Vec<Connection> {
        let mut out = Vec::new();
        for dst in 0..self.workloads.len() {
            let sources: Box<dyn Iterator<Item = usize>> = match self.candidates(dst, Direction::Ingress) {
                Candidates::All => Box::new(0..self.workloads.len()),
                Candidates::Some(set) => Box::new(set.into_iter()),
            };
            for src in sources.filter(|s| *s != dst) {
                let ports = self.between(src, dst);
                if !ports.is_empty() {
                    out.push(Connection {
                        src: Endpoint::Workload(src),
                        dst: Endpoint::Workload(dst),
                        ports,
                    });
                }
            }
        }
        for w in 0..self.workloads.len() {
            self.push_external(w, &mut out);
        }
        out
    }

    fn push_external(&self, w: usize, out: &mut Vec<Connection>) {
        for (range, ports) in self.external(w, Direction::Ingress) {
            out.push(Connection {
                src: Endpoint::External(range),
                dst: Endpoint::Workload(w),
                ports,
            });
        }
        for (range, ports) in self.external(w, Direction::Egress) {
            out.push(Connection {
                src: Endpoint::Workload(w),
                dst: Endpoint::External(range),
                ports,
            });
        }
    }

    /// The connections of one workload, in and out: linear in the number of workloads.
    pub fn connectivity_of(&self, w: usize) -> Vec<Connection> {
        let mut out = Vec::new();
        for other in (0..self.workloads.len()).filter(|o| *o != w) {
            let ports = self.between(w, other);
            if !ports.is_empty() {
                out.push(Connection {
                    src: Endpoint::Workload(w),
                    dst: Endpoint::Workload(other),
                    ports,
                });
            }
            let ports = self.between(other, w);
            if !ports.is_empty() {
                out.push(Connection {
                    src: Endpoint::Workload(other),
                    dst: Endpoint::Workload(w),
                    ports,
                });
            }
        }
        self.push_external(w, &mut out);
        out
    }

    /// The workload named `ns/name[Kind]` (or `ns/name` when one kind has that name).
    pub fn find(&self, text: &str) -> Result<usize, String> {
        let exact: Vec<usize> = (0..self.workloads.len())
            .filter(|&i| self.workloads.get(i).is_some_and(|w| w.display() == text))
            .collect();
        if let [one] = exact.as_slice() {
            return Ok(*one);
        }
        let loose: Vec<usize> = (0..self.workloads.len())
            .filter(|&i| {
                self.workloads
                    .get(i)
                    .is_some_and(|w| format!("{}/{}", w.namespace, w.name) == text)
            })
            .collect();
        match loose.as_slice() {
            [one] => Ok(*one),
            [] => Err(format!(
                "no workload `{text}` in the input: name it as `namespace/name[Kind]`, e.g. `default/web[Deployment]`"
            )),
            many => Err(format!(
                "`{text}` names {} workloads ({}): add the kind, as `namespace/name[Kind]`",
                many.len(),
                many.iter()
                    .filter_map(|i| self.workloads.get(*i))
                    .map(Workload::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// For each workload, what any pod of any namespace, any pod of its own namespace, and
    /// the outside world may open to it (ingress) or it to them (egress).
    pub fn exposure(&self) -> Vec<Exposure> {
        let mut out = Vec::new();
        for w in 0..self.workloads.len() {
            for direction in [Direction::Ingress, Direction::Egress] {
                let cluster = self.open_to_any(w, direction, false);
                let own = self.open_to_any(w, direction, true);
                if !cluster.is_empty() {
                    out.push(Exposure {
                        workload: w,
                        direction,
                        reach: Reach::EntireCluster,
                        ports: cluster.clone(),
                    });
                }
                if !own.is_empty() && own != cluster {
                    out.push(Exposure {
                        workload: w,
                        direction,
                        reach: Reach::OwnNamespace,
                        ports: own,
                    });
                }
                for (range, ports) in self.external(w, direction) {
                    out.push(Exposure {
                        workload: w,
                        direction,
                        reach: Reach::External(range),
                        ports,
                    });
                }
            }
        }
        out
    }

    /// What `w` allows in `direction` with any pod, whatever its labels, of any namespace
    /// (whatever its labels), or with `own`, of its own namespace. Egress named ports resolve
    /// against no pod in particular and count for nothing.
    pub fn open_to_any(&self, w: usize, direction: Direction, own: bool) -> Ports {
        let (Some(iso), Some(work)) = (self.isolation.get(w), self.workloads.get(w)) else {
            return Ports::none();
        };
        let list = iso.of(direction);
        if list.is_empty() {
            return Ports::all();
        }
        let named: &[(String, Protocol, u32)] = match direction {
            Direction::Ingress => &work.ports,
            Direction::Egress => &[],
        };
        let own_labels = self.namespace_labels(&work.namespace);
        let mut out = Ports::none();
        for &pi in list {
            let Some(p) = self.policies.get(pi) else { continue };
            for rule in p.rules(direction).unwrap_or_default() {
                let open = match &rule.peers {
                    None => true,
                    Some(peers) => peers.iter().any(|peer| match peer {
                        Peer::Pods { pods, namespaces } if pods.is_empty() => match namespaces {
                            Some(sel) => sel.is_empty() || (own && sel.matches(own_labels)),
                            None => own && p.namespace == work.namespace,
                        },
                        _ => false,
                    }),
                };
                if open {
                    out.union(&rule.ports(named));
                }
            }
        }
        out
    }

    /// The valid policies of a namespace (indexes into [`Analysis::policies`]).
    pub fn policies_in(&self, namespace: &str) -> &[usize] {
        self.policies_in.get(namespace).map(Vec::as_slice).unwrap_or_default()
    }

    /// The workloads of a namespace (indexes into [`Analysis::workloads`]).
    pub fn workloads_in(&self, namespace: &str) -> &[usize] {
        self.by_namespace.get(namespace).map(Vec::as_slice).unwrap_or_default()
    }

    /// The display name of an endpoint: `ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`.
    pub fn name(&self, e: &Endpoint) -> String {
        match e {
            Endpoint::Workload(i) => self.workloads.get(*i).map(Workload::display).unwrap_or_default(),
            Endpoint::External(r) => format!("{}[External]", r.display()),
        }
    }

    /// The labels used to match a workload (sorted).
    pub fn labels(&self, w: usize) -> &Labels {
        self.workloads.get(w).map(|x| x.labels.as_slice()).unwrap_or_default()
    }
}

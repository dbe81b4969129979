//! A NetworkPolicy as the API server validates and defaults it (`networking.k8s.io/v1`).

use std::sync::Arc;

use super::ip::{self, Range};
use super::ports::{Ports, Protocol, MAX_PORT, MIN_PORT};
use super::selector::Selector;
use crate::document::{Node, Value};
use crate::objects::SetObject;

/// The port of a rule's `ports` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortRef {
    /// No `port`: every port of the protocol.
    Any,
    /// A number, or `port`..=`endPort`.
    Numbers(u32, u32),
    /// A named port, resolved against the destination's container ports.
    Named(String),
}

/// One entry of a rule's `ports`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// The protocol (`TCP` when none is written).
    pub protocol: Protocol,
    /// The port, range or name.
    pub port: PortRef,
}

/// One entry of `from` or `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// Pods: `pods` selects them (empty: every pod); `namespaces` selects their namespaces,
    /// `None` for the policy's own namespace (no `namespaceSelector`).
    Pods {
        /// The pods selected (empty: every pod).
        pods: Selector,
        /// The namespaces selected (`None`: the policy's own).
        namespaces: Option<Selector>,
    },
    /// Addresses outside the cluster: `cidr` minus `except`, as disjoint ranges.
    Block {
        /// The block as written (masked).
        cidr: Range,
        /// The block minus its `except` ranges, disjoint and in order.
        allowed: Vec<Range>,
    },
}

/// An ingress or egress rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Index in the policy's `ingress` or `egress` list.
    pub index: usize,
    /// `None`: `from`/`to` missing or empty, every peer.
    pub peers: Option<Vec<Peer>>,
    /// `None`: `ports` missing or empty, every port.
    pub ports: Option<Vec<PortSpec>>,
}

/// Ingress or egress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Traffic into the selected pods.
    Ingress,
    /// Traffic out of the selected pods.
    Egress,
}

impl Direction {
    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Ingress => "Ingress",
            Direction::Egress => "Egress",
        }
    }

    /// The key of the rule list (`ingress`, `egress`).
    pub fn key(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }

    /// The key of a rule's peers (`from`, `to`).
    pub fn peers_key(self) -> &'static str {
        match self {
            Direction::Ingress => "from",
            Direction::Egress => "to",
        }
    }
}

/// A NetworkPolicy, validated, with its effective `policyTypes`.
#[derive(Clone, Debug)]
pub struct Policy {
    /// `metadata.namespace`, `default` when it names none (as `kubectl apply` without `-n`).
    pub namespace: String,
    /// The name.
    pub name: String,
    /// The object, with its place.
    pub object: Arc<SetObject>,
    /// `spec.podSelector`: the pods of its namespace it applies to (empty: all).
    pub selector: Selector,
    /// The ingress rules when `Ingress` is an effective policy type (an empty list: no
    /// ingress allowed), `None` when the policy does not isolate for ingress.
    pub ingress: Option<Vec<Rule>>,
    /// Egress.
    pub egress: Option<Vec<Rule>>,
}

impl Policy {
    /// The rules of one direction, when the policy isolates for it.
    pub fn rules(&self, direction: Direction) -> Option<&[Rule]> {
        match direction {
            Direction::Ingress => self.ingress.as_deref(),
            Direction::Egress => self.egress.as_deref(),
        }
    }

    /// `ns/name`.
    pub fn display(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// Reads and validates a NetworkPolicy; the mistakes for which the API server would
    /// refuse it come back with their nodes.
    pub fn read(object: &Arc<SetObject>) -> Result<Policy, Vec<(&Node, String)>> {
        let node = &object.node;
        let mut errors: Vec<(&Node, String)> = Vec::new();
        let spec = node.get("spec").filter(|s| !s.is_null());
        let spec_map = spec.and_then(|s| s.as_map().map(|_| s));
        if let Some(s) = spec.filter(|s| s.as_map().is_none()) {
            errors.push((s, format!("`spec` must be a map, not a {}", s.type_name())));
        }
        let selector_node = spec_map.and_then(|s| s.get("podSelector"));
        let selector = selector_node
            .map(|n| Selector::read(n, &mut errors))
            .unwrap_or_default();
        let ingress = spec_map
            .map(|s| read_rules(s, Direction::Ingress, &mut errors))
            .unwrap_or_default();
        let egress = spec_map
            .map(|s| read_rules(s, Direction::Egress, &mut errors))
            .unwrap_or_default();
        // Effective policy types: as listed; when none are listed, Ingress always and Egress
        // when there are egress rules (the API server's defaulting).
        let types_node = spec_map.and_then(|s| s.get("policyTypes")).filter(|t| !t.is_null());
        let (mut has_ingress, mut has_egress) = (false, false);
        let listed = match types_node {
            Some(t) => match t.as_seq() {
                Some(items) => {
                    for item in items {
                        match item.as_str() {
                            Some("Ingress") => has_ingress = true,
                            Some("Egress") => has_egress = true,
                            _ => errors.push((
                                item,
                                format!("`{}` is not a policy type: use `Ingress` or `Egress`", item.display()),
                            )),
                        }
                    }
                    !items.is_empty()
                }
                None => {
                    errors.push((t, format!("`policyTypes` must be a list, not a {}", t.type_name())));
                    true
                }
            },
            None => false,
        };
        if !listed {
            has_ingress = true;
            has_egress = !egress.is_empty();
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Policy {
            namespace: object.namespace().unwrap_or("default").to_owned(),
            name: object.name().to_owned(),
            object: object.clone(),
            selector,
            ingress: has_ingress.then_some(ingress),
            egress: has_egress.then_some(egress),
        })
    }
}

fn read_rules<'n>(spec: &'n Node, direction: Direction, errors: &mut Vec<(&'n Node, String)>) -> Vec<Rule> {
    let Some(list) = spec.get(direction.key()).filter(|l| !l.is_null()) else {
        return Vec::new();
    };
    let Some(items) = list.as_seq() else {
        errors.push((
            list,
            format!(
                "`{}` must be a list of rules, not a {}",
                direction.key(),
                list.type_name()
            ),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, item) in items.iter().enumerate() {
        if !item.is_null() && item.as_map().is_none() {
            errors.push((item, format!("a rule must be a map, not a {}", item.type_name())));
            continue;
        }
        let peers = item.get(direction.peers_key()).filter(|p| !p.is_null());
        let peers = match peers {
            None => None,
            Some(p) => match p.as_seq() {
                Some([]) => None,
                Some(list) => Some(list.iter().filter_map(|peer| read_peer(peer, errors)).collect()),
                None => {
                    errors.push((
                        p,
                        format!("`{}` must be a list, not a {}", direction.peers_key(), p.type_name()),
                    ));
                    None
                }
            },
        };
        let ports = item.get("ports").filter(|p| !p.is_null());
        let ports = match ports {
            None => None,
            Some(p) => match p.as_seq() {
                Some([]) => None,
                Some(list) => Some(list.iter().filter_map(|port| read_port(port, errors)).collect()),
                None => {
                    errors.push((p, format!("`ports` must be a list, not a {}", p.type_name())));
                    None
                }
            },
        };
        out.push(Rule { index, peers, ports });
    }
    out
}

fn read_peer<'n>(peer: &'n Node, errors: &mut Vec<(&'n Node, String)>) -> Option<Peer> {
    if peer.as_map().is_none() {
        errors.push((peer, format!("a peer must be a map, not a {}", peer.type_name())));
        return None;
    }
    let field = |k: &str| peer.get(k).filter(|v| !v.is_null());
    let (pods, namespaces, block) = (field("podSelector"), field("namespaceSelector"), field("ipBlock"));
    if let Some(block) = block {
        if pods.is_some() || namespaces.is_some() {
            errors.push((
                peer,
                "a peer with an `ipBlock` may not also have a `podSelector` or `namespaceSelector`: write them as two peers".into(),
            ));
            return None;
        }
        let cidr_node = block.get("cidr");
        let Some(text) = cidr_node.and_then(Node::as_str) else {
            errors.push((
                cidr_node.unwrap_or(block),
                "an `ipBlock` needs a `cidr` such as `10.0.0.0/8`".into(),
            ));
            return None;
        };
        let cidr = match ip::parse_cidr(text) {
            Ok(c) => c,
            Err(e) => {
                errors.push((cidr_node.unwrap_or(block), format!("`{text}` {e}")));
                return None;
            }
        };
        let mut holes = Vec::new();
        let except = block.get("except").filter(|e| !e.is_null());
        for item in except.and_then(Node::as_seq).unwrap_or_default() {
            let Some(t) = item.as_str() else {
                errors.push((
                    item,
                    format!("an `except` entry must be a CIDR string, not a {}", item.type_name()),
                ));
                continue;
            };
            match ip::parse_cidr(t) {
                Ok(h) if cidr.strictly_contains(&h) => holes.push(h),
                Ok(_) => errors.push((
                    item,
                    format!("`{t}` is not inside the block `{text}` (an `except` must be a strict subset of `cidr`): fix one of them"),
                )),
                Err(e) => errors.push((item, format!("`{t}` {e}"))),
            }
        }
        if let Some(e) = except.filter(|e| e.as_seq().is_none()) {
            errors.push((e, format!("`except` must be a list of CIDRs, not a {}", e.type_name())));
        }
        let allowed = ip::subtract(cidr, &holes);
        return Some(Peer::Block { cidr, allowed });
    }
    if pods.is_none() && namespaces.is_none() {
        errors.push((
            peer,
            "a peer must name a `podSelector`, a `namespaceSelector` or an `ipBlock` (use `{}` selectors to mean all)"
                .into(),
        ));
        return None;
    }
    Some(Peer::Pods {
        pods: pods.map(|p| Selector::read(p, errors)).unwrap_or_default(),
        namespaces: namespaces.map(|n| Selector::read(n, errors)),
    })
}

fn read_port<'n>(item: &'n Node, errors: &mut Vec<(&'n Node, String)>) -> Option<PortSpec> {
    if item.as_map().is_none() {
        errors.push((
            item,
            format!("a `ports` entry must be a map, not a {}", item.type_name()),
        ));
        return None;
    }
    let protocol_node = item.get("protocol").filter(|p| !p.is_null());
    let protocol = match protocol_node {
        None => Protocol::Tcp,
        Some(p) => match p.as_str().and_then(Protocol::parse) {
            Some(proto) => proto,
            None => {
                errors.push((
                    p,
                    format!("`{}` is not a protocol: use `TCP`, `UDP` or `SCTP`", p.display()),
                ));
                return None;
            }
        },
    };
    let port_node = item.get("port").filter(|p| !p.is_null());
    let end_node = item.get("endPort").filter(|p| !p.is_null());
    let number = |n: &'n Node, errors: &mut Vec<(&'n Node, String)>| -> Option<u32> {
        match n.value {
            Value::Int(i) if (i64::from(MIN_PORT)..=i64::from(MAX_PORT)).contains(&i) => u32::try_from(i).ok(),
            _ => {
                errors.push((
                    n,
                    format!(
                        "`{}` is not a port: use a number from {MIN_PORT} to {MAX_PORT}",
                        n.display()
                    ),
                ));
                None
            }
        }
    };
    let port = match port_node {
        None => {
            if let Some(e) = end_node {
                errors.push((e, "`endPort` needs a numeric `port` to start the range".into()));
                return None;
            }
            PortRef::Any
        }
        Some(p) => match &p.value {
            Value::Str(name) => {
                if let Some(e) = end_node {
                    errors.push((e, "`endPort` needs a numeric `port`, not a named one".into()));
                    return None;
                }
                if !valid_port_name(name) {
                    errors.push((
                        p,
                        format!("`{name}` is not a port name: at most 15 lowercase letters, digits and single inner `-`, with at least one letter (or write the port number)"),
                    ));
                    return None;
                }
                PortRef::Named(name.clone())
            }
            _ => {
                let lo = number(p, errors)?;
                let hi = match end_node {
                    None => lo,
                    Some(e) => {
                        let hi = number(e, errors)?;
                        if hi < lo {
                            errors.push((
                                e,
                                format!("`endPort` {hi} is below `port` {lo}: the range would be empty"),
                            ));
                            return None;
                        }
                        hi
                    }
                };
                PortRef::Numbers(lo, hi)
            }
        },
    };
    Some(PortSpec { protocol, port })
}

/// An IANA service name, as the API server validates named ports.
fn valid_port_name(name: &str) -> bool {
    name.len() <= 15
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && name.bytes().any(|b| b.is_ascii_lowercase())
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

impl Rule {
    /// The connections the rule's ports allow towards a destination whose named ports are
    /// `named` (`(name, protocol, number)`; none for addresses outside the cluster).
    pub fn ports(&self, named: &[(String, Protocol, u32)]) -> Ports {
        let Some(specs) = &self.ports else {
            return Ports::all();
        };
        let mut out = Ports::none();
        for spec in specs {
            match &spec.port {
                PortRef::Any => out.add(spec.protocol, MIN_PORT, MAX_PORT),
                PortRef::Numbers(lo, hi) => out.add(spec.protocol, *lo, *hi),
                PortRef::Named(name) => {
                    for (_, _, n) in named.iter().filter(|(m, p, _)| m == name && *p == spec.protocol) {
                        out.add(spec.protocol, *n, *n);
                    }
                }
            }
        }
        out
    }

    /// True when the rule names no peer and no port: it allows everything.
    pub fn allows_all(&self) -> bool {
        self.peers.is_none() && self.ports.is_none()
    }
}

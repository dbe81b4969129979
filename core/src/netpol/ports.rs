//! Sets of connections: per protocol (TCP, UDP, SCTP), a set of port ranges.

/// A protocol a NetworkPolicy names (`TCP` when it names none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
}

impl Protocol {
    /// Every protocol, in report order.
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    /// The protocol as the API writes it (case matters: `tcp` is refused).
    pub fn parse(text: &str) -> Option<Protocol> {
        match text {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    /// The name.
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }

    fn slot(self) -> usize {
        self as usize
    }
}

/// The lowest and highest port.
pub const MIN_PORT: u32 = 1;
/// The highest port.
pub const MAX_PORT: u32 = 65535;

/// Allowed connections: for each protocol, disjoint port ranges in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ports {
    sets: [Vec<(u32, u32)>; 3],
}

impl Ports {
    /// No connection.
    pub fn none() -> Ports {
        Ports::default()
    }

    /// Every port of every protocol.
    pub fn all() -> Ports {
        let mut p = Ports::none();
        for proto in Protocol::ALL {
            p.add(proto, MIN_PORT, MAX_PORT);
        }
        p
    }

    /// Adds ports `lo..=hi` of `protocol`.
    pub fn add(&mut self, protocol: Protocol, lo: u32, hi: u32) {
        let lo = lo.max(MIN_PORT);
        let hi = hi.min(MAX_PORT);
        if lo > hi {
            return;
        }
        let Some(set) = self.sets.get_mut(protocol.slot()) else {
            return;
        };
        set.push((lo, hi));
        normalize(set);
    }

    /// Adds every connection of `other`.
    pub fn union(&mut self, other: &Ports) {
        for (mine, theirs) in self.sets.iter_mut().zip(&other.sets) {
            if theirs.is_empty() {
                continue;
            }
            mine.extend_from_slice(theirs);
            normalize(mine);
        }
    }

    /// The connections in both.
    pub fn intersect(&self, other: &Ports) -> Ports {
        let mut out = Ports::none();
        for ((slot, a), b) in out.sets.iter_mut().zip(&self.sets).zip(&other.sets) {
            let (mut i, mut j) = (0, 0);
            while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
                let lo = x.0.max(y.0);
                let hi = x.1.min(y.1);
                if lo <= hi {
                    slot.push((lo, hi));
                }
                if x.1 < y.1 {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        }
        out
    }

    /// True when nothing is in it.
    pub fn is_empty(&self) -> bool {
        self.sets.iter().all(Vec::is_empty)
    }

    /// True when every port of every protocol is in it.
    pub fn is_all(&self) -> bool {
        self.sets.iter().all(|s| s.as_slice() == [(MIN_PORT, MAX_PORT)])
    }

    /// True when `port` of `protocol` is in the set.
    pub fn allows(&self, protocol: Protocol, port: u32) -> bool {
        self.sets
            .get(protocol.slot())
            .is_some_and(|s| s.iter().any(|(lo, hi)| *lo <= port && port <= *hi))
    }

    /// `All Connections`, `No Connections`, or e.g. `TCP 80,443,8000-8080,UDP 53`; a whole
    /// protocol is its name alone (`SCTP`).
    pub fn display(&self) -> String {
        if self.is_all() {
            return "All Connections".into();
        }
        if self.is_empty() {
            return "No Connections".into();
        }
        let mut parts = Vec::new();
        for proto in Protocol::ALL {
            let Some(set) = self.sets.get(proto.slot()).filter(|s| !s.is_empty()) else {
                continue;
            };
            if set.as_slice() == [(MIN_PORT, MAX_PORT)] {
                parts.push(proto.name().to_owned());
                continue;
            }
            let ranges: Vec<String> = set
                .iter()
                .map(|(lo, hi)| if lo == hi { lo.to_string() } else { format!("{lo}-{hi}") })
                .collect();
            parts.push(format!("{} {}", proto.name(), ranges.join(",")));
        }
        parts.join(",")
    }
}

/// Sorts and merges overlapping or adjacent ranges.
fn normalize(set: &mut Vec<(u32, u32)>) {
    set.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(set.len());
    for &(lo, hi) in set.iter() {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    *set = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_union_intersect_and_print() {
        let mut a = Ports::none();
        assert_eq!(a.display(), "No Connections");
        a.add(Protocol::Tcp, 80, 80);
        a.add(Protocol::Tcp, 81, 90);
        a.add(Protocol::Tcp, 443, 443);
        a.add(Protocol::Udp, 53, 53);
        assert_eq!(a.display(), "TCP 80-90,443,UDP 53");
        let mut b = Ports::none();
        b.add(Protocol::Tcp, 85, 500);
        assert_eq!(a.intersect(&b).display(), "TCP 85-90,443");
        assert_eq!(Ports::all().display(), "All Connections");
        assert_eq!(Ports::all().intersect(&a), a);
        let mut s = Ports::none();
        s.add(Protocol::Sctp, 0, 70000);
        assert_eq!(s.display(), "SCTP");
        b.union(&a);
        assert_eq!(b.display(), "TCP 80-500,UDP 53");
        assert!(b.allows(Protocol::Tcp, 500) && !b.allows(Protocol::Udp, 500));
    }
}

//! Addresses outside the cluster: `ipBlock` CIDRs as ranges, and the outside world cut into
//! disjoint ranges for the report.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// IPv4 or IPv6: ranges of one family never meet ranges of the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The highest address of the family.
    pub fn max(self) -> u128 {
        match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        }
    }

    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Range {
    /// The address family.
    pub family: Family,
    /// The first address.
    pub lo: u128,
    /// The last address.
    pub hi: u128,
}

impl Range {
    /// Every address of the family.
    pub fn all(family: Family) -> Range {
        Range {
            family,
            lo: 0,
            hi: family.max(),
        }
    }

    /// True when `other` lies inside this range.
    pub fn contains(&self, other: &Range) -> bool {
        self.family == other.family && self.lo <= other.lo && other.hi <= self.hi
    }

    /// True when `other` lies inside this range and is smaller (a strict subset).
    pub fn strictly_contains(&self, other: &Range) -> bool {
        self.contains(other) && self != other
    }

    /// `a.b.c.d-e.f.g.h` (or the IPv6 forms), as network-policy analysers write ranges.
    pub fn display(&self) -> String {
        format!("{}-{}", address(self.family, self.lo), address(self.family, self.hi))
    }
}

fn address(family: Family, value: u128) -> String {
    match family {
        Family::V4 => Ipv4Addr::from(u32::try_from(value).unwrap_or(u32::MAX)).to_string(),
        Family::V6 => Ipv6Addr::from(value).to_string(),
    }
}

/// Reads a CIDR (`10.0.0.0/8`, `2001:db8::/32`) as the API server validates `ipBlock.cidr`:
/// an address and a prefix length within the family's bits; bits past the prefix are masked
/// (`10.1.2.3/8` is `10.0.0.0/8`), as Go's `net.ParseCIDR` reads it.
pub fn parse_cidr(text: &str) -> Result<Range, String> {
    let Some((addr, prefix)) = text.split_once('/') else {
        return Err("is not a CIDR: it needs an address and a prefix length, such as `10.0.0.0/8`".into());
    };
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("is not a CIDR: `{addr}` is not an IPv4 or IPv6 address"))?;
    let (family, value) = match ip {
        IpAddr::V4(a) => (Family::V4, u128::from(u32::from(a))),
        IpAddr::V6(a) => (Family::V6, u128::from(a)),
    };
    let bits = family.bits();
    let prefix: u32 = prefix
        .parse()
        .ok()
        .filter(|p: &u32| *p <= bits && !prefix.starts_with('+'))
        .ok_or_else(|| format!("is not a CIDR: the prefix length `{prefix}` must be a number from 0 to {bits}"))?;
    let host = bits - prefix;
    let host_mask: u128 = if host >= 128 { u128::MAX } else { (1u128 << host) - 1 };
    let lo = value & !host_mask;
    let hi = (lo | host_mask) & family.max();
    Ok(Range { family, lo, hi })
}

/// `ranges` minus `holes`, as disjoint ranges in order.
pub fn subtract(range: Range, holes: &[Range]) -> Vec<Range> {
    let mut holes: Vec<&Range> = holes.iter().filter(|h| h.family == range.family).collect();
    holes.sort();
    let mut out = Vec::new();
    let mut next = Some(range.lo);
    for h in holes {
        let Some(start) = next else { break };
        if h.hi < start || h.lo > range.hi {
            continue;
        }
        if h.lo > start {
            out.push(Range {
                family: range.family,
                lo: start,
                hi: h.lo - 1,
            });
        }
        next = h.hi.checked_add(1).filter(|n| *n <= range.hi);
    }
    if let Some(start) = next {
        if start <= range.hi {
            out.push(Range {
                family: range.family,
                lo: start,
                hi: range.hi,
            });
        }
    }
    out
}

/// Cuts `pieces` (ranges, each with a value) into disjoint ranges, each with the union of the
/// values of the pieces that cover it (`join`), within `universe`; ranges no piece covers get
/// `empty`. Neighbours with equal values are merged.
pub fn sweep<T: Clone + PartialEq>(
    universe: &[Range],
    pieces: &[(Range, T)],
    empty: &T,
    join: impl Fn(&mut T, &T),
) -> Vec<(Range, T)> {
    let mut out: Vec<(Range, T)> = Vec::new();
    for u in universe {
        let mut cuts: Vec<u128> = vec![u.lo];
        for (r, _) in pieces.iter().filter(|(r, _)| r.family == u.family) {
            cuts.push(r.lo.max(u.lo));
            if let Some(n) = r.hi.checked_add(1).filter(|n| *n <= u.hi) {
                cuts.push(n);
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for (i, lo) in cuts.iter().enumerate() {
            let hi = cuts.get(i + 1).map_or(u.hi, |n| n - 1);
            let atom = Range {
                family: u.family,
                lo: *lo,
                hi,
            };
            let mut value = empty.clone();
            for (_, v) in pieces.iter().filter(|(r, _)| r.contains(&atom)) {
                join(&mut value, v);
            }
            match out.last_mut() {
                Some((last, v))
                    if last.family == atom.family && last.hi.checked_add(1) == Some(atom.lo) && *v == value =>
                {
                    last.hi = atom.hi;
                }
                _ => out.push((atom, value)),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_are_read_and_masked() {
        let r = parse_cidr("10.1.2.3/8").unwrap();
        assert_eq!(r.display(), "10.0.0.0-10.255.255.255");
        assert_eq!(parse_cidr("0.0.0.0/0").unwrap().display(), "0.0.0.0-255.255.255.255");
        assert_eq!(parse_cidr("1.2.3.4/32").unwrap().display(), "1.2.3.4-1.2.3.4");
        assert_eq!(
            parse_cidr("2001:db8::/32").unwrap().display(),
            "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(parse_cidr("::/0").unwrap(), Range::all(Family::V6));
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "x/8",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "::/129",
            "",
        ] {
            assert!(parse_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn except_holes_are_cut_out() {
        let r = parse_cidr("10.0.0.0/8").unwrap();
        let holes = [parse_cidr("10.1.0.0/16").unwrap(), parse_cidr("10.0.0.0/24").unwrap()];
        let left: Vec<String> = subtract(r, &holes).iter().map(Range::display).collect();
        assert_eq!(left, ["10.0.1.0-10.0.255.255", "10.2.0.0-10.255.255.255"]);
        assert!(subtract(r, &[r]).is_empty());
        assert_eq!(
            subtract(Range::all(Family::V6), &[Range::all(Family::V4)]),
            [Range::all(Family::V6)]
        );
    }

    #[test]
    fn sweep_gives_disjoint_ranges_with_joined_values() {
        let all = Range::all(Family::V4);
        let a = parse_cidr("10.0.0.0/8").unwrap();
        let b = parse_cidr("10.0.0.0/16").unwrap();
        let cut = sweep(&[all], &[(a, 1u8), (b, 2u8)], &0, |x, y| *x |= *y);
        let shown: Vec<(String, u8)> = cut.iter().map(|(r, v)| (r.display(), *v)).collect();
        assert_eq!(
            shown,
            [
                ("0.0.0.0-9.255.255.255".to_owned(), 0),
                ("10.0.0.0-10.0.255.255".to_owned(), 3),
                ("10.1.0.0-10.255.255.255".to_owned(), 1),
                ("11.0.0.0-255.255.255.255".to_owned(), 0)
            ]
        );
        // Equal neighbours merge.
        let cut = sweep(
            &[all],
            &[(a, 1u8), (parse_cidr("11.0.0.0/8").unwrap(), 1u8)],
            &0,
            |x, y| *x |= *y,
        );
        assert_eq!(
            cut.get(1).map(|(r, _)| r.display()),
            Some("10.0.0.0-11.255.255.255".to_owned())
        );
    }
}

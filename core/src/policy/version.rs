//! Kubernetes minor versions (`v1.29`) and the ranges policies and rules apply to.

use std::fmt;

/// The newest Kubernetes minor version whose Pod Security checks are known here.
pub const NEWEST_MINOR: u32 = 37;

/// A Kubernetes version `v1.<minor>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub u32);

impl Version {
    /// The newest Kubernetes version Rempart knows.
    pub const LATEST: Version = Version(NEWEST_MINOR);

    /// Reads `v1.N`, `1.N`, `v1.N.P` or `latest`; a version newer than known means the newest.
    pub fn parse(text: &str) -> Result<Version, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("latest") {
            return Ok(Version::LATEST);
        }
        let bad = || format!("`{t}` is not a Kubernetes version; write `v1.N` (for example `v1.29`) or `latest`");
        let rest = t.strip_prefix('v').unwrap_or(t);
        let rest = rest.strip_prefix("1.").ok_or_else(bad)?;
        let minor = rest.split('.').next().unwrap_or_default();
        let minor: u32 = minor.parse().map_err(|_| bad())?;
        Ok(Version(minor.min(NEWEST_MINOR)))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.0)
    }
}

/// `since` (inclusive) and `until` (exclusive); either end may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VersionRange {
    /// The first version in the range, when bounded.
    pub since: Option<Version>,
    /// The first version past the range, when bounded.
    pub until: Option<Version>,
}

impl VersionRange {
    /// Whether `v` is in the range.
    pub fn contains(&self, v: Version) -> bool {
        self.since.is_none_or(|s| v >= s) && self.until.is_none_or(|u| v < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_clamps() {
        assert_eq!(Version::parse("v1.29"), Ok(Version(29)));
        assert_eq!(Version::parse("1.8.3"), Ok(Version(8)));
        assert_eq!(Version::parse("latest"), Ok(Version::LATEST));
        assert_eq!(Version::parse("v1.99"), Ok(Version::LATEST));
        assert!(Version::parse("v2.1").is_err());
        assert!(Version::parse("banana").is_err());
        let r = VersionRange {
            since: Some(Version(19)),
            until: Some(Version(25)),
        };
        assert!(r.contains(Version(19)) && r.contains(Version(24)) && !r.contains(Version(25)));
    }
}

//! Reading the values audit events carry as text: the query parameters of a request URI
//! (`…/exec?command=tar&command=xf`) and the class of an IP address of `sourceIPs`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The classes `ipClass` names.
pub const IP_CLASSES: &[&str] = &["loopback", "private", "link-local", "public", "other"];

/// The decoded values of every `name=` parameter of the URI's query, in order, as Go's
/// `url.ParseQuery` reads them (what the API server reads): parameters split on `&`, `+` is a
/// space, `%XX` is a byte; a parameter that does not decode is left out. Text after `#` is
/// not part of the query.
pub fn query_values(uri: &str, name: &str) -> Vec<String> {
    let Some((_, query)) = uri.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (unescape(k)? == name).then(|| unescape(v)).flatten()
        })
        .collect()
}

fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// The class of an address: `loopback` (127.0.0.0/8, ::1), `private` (RFC 1918, the shared
/// address space of RFC 6598 100.64.0.0/10, unique local fc00::/7 of RFC 4193), `link-local`
/// (169.254.0.0/16, fe80::/10), `public` (every other unicast address, the documentation
/// ranges of RFC 5737 and RFC 3849 included: they stand for internet addresses in examples),
/// `other` (unspecified, multicast, broadcast and reserved ranges). An IPv4 address written in IPv6
/// (`::ffff:10.0.0.1`) is classed as the IPv4 address. `None` for text that is no address.
pub fn ip_class(text: &str) -> Option<&'static str> {
    let ip: IpAddr = text.trim().parse().ok()?;
    Some(match ip {
        IpAddr::V4(v4) => v4_class(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_class(v4),
            None => v6_class(v6),
        },
    })
}

fn v4_class(ip: Ipv4Addr) -> &'static str {
    let [a, b, c, _] = ip.octets();
    if a == 127 {
        "loopback"
    } else if a == 10
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 100 && (64..128).contains(&b))
    {
        "private"
    } else if a == 169 && b == 254 {
        "link-local"
    } else if a == 0 || a >= 224 || (a == 192 && b == 0 && c == 0) {
        // 0/8, multicast, reserved and broadcast (224/3), IETF assignments (192.0.0/24).
        "other"
    } else {
        "public"
    }
}

fn v6_class(ip: Ipv6Addr) -> &'static str {
    let first = ip.segments().first().copied().unwrap_or_default();
    if ip.is_loopback() {
        "loopback"
    } else if first & 0xfe00 == 0xfc00 {
        "private"
    } else if first & 0xffc0 == 0xfe80 {
        "link-local"
    } else if ip.is_unspecified() || first & 0xff00 == 0xff00 {
        "other"
    } else if first & 0xe000 == 0x2000 {
        // Global unicast (2000::/3).
        "public"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_parameters_as_go_does() {
        let uri = "/api/v1/namespaces/web/pods/p/exec?command=tar&command=xf&command=-&command=-C&command=%2Ftmp&container=a&stdin=true";
        assert_eq!(query_values(uri, "command"), vec!["tar", "xf", "-", "-C", "/tmp"]);
        assert_eq!(query_values(uri, "container"), vec!["a"]);
        assert!(query_values(uri, "tty").is_empty());
        assert_eq!(
            query_values("/x?command=cat+%2Fvar%2Frun&bad=%zz", "command"),
            vec!["cat /var/run"]
        );
        assert!(query_values("/x?bad=%zz", "bad").is_empty());
        assert!(query_values("/x#command=a", "command").is_empty());
        assert_eq!(query_values("/x?a&command", "command"), vec![""]);
        assert_eq!(query_values("/x?c%6fmmand=sh", "command"), vec!["sh"]);
    }

    #[test]
    fn classes_addresses_by_their_ranges() {
        for (ip, class) in [
            ("127.0.0.1", "loopback"),
            ("::1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.32.0.1", "public"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "private"),
            ("169.254.169.254", "link-local"),
            ("fe80::1", "link-local"),
            ("fd00::1", "private"),
            ("8.8.8.8", "public"),
            ("2a00:1450:4007:80e::200e", "public"),
            ("::ffff:10.0.0.1", "private"),
            ("::ffff:1.2.3.4", "public"),
            ("0.0.0.0", "other"),
            ("224.0.0.1", "other"),
            ("255.255.255.255", "other"),
            ("203.0.113.7", "public"),
            ("2001:db8::1", "public"),
            ("ff02::1", "other"),
        ] {
            assert_eq!(ip_class(ip), Some(class), "{ip}");
        }
        assert_eq!(ip_class("example.com"), None);
        assert_eq!(ip_class("10.0.0.1/8"), None);
    }
}

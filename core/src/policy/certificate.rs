//! The subject organisations of an X.509 certificate written as kubeconfig writes it: base64
//! of PEM (or of DER). Only the few DER structures on the way to the subject are read; any
//! other input gives no organisation, never an error.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// `2.5.4.10`, the organisation (O) attribute, DER-encoded.
const ORGANIZATION: &[u8] = &[0x55, 0x04, 0x0a];

/// The O= values of the certificate's subject; empty when the text is not a certificate.
pub fn organizations(text: &str) -> Vec<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(bytes) = STANDARD.decode(compact) else {
        return Vec::new();
    };
    let der = match std::str::from_utf8(&bytes) {
        Ok(pem) if pem.contains("-----BEGIN CERTIFICATE-----") => match pem_body(pem) {
            Some(der) => der,
            None => return Vec::new(),
        },
        _ => bytes,
    };
    subject(&der).map(organizations_in).unwrap_or_default()
}

/// The DER bytes of the first certificate in a PEM text.
fn pem_body(pem: &str) -> Option<Vec<u8>> {
    let start = pem.find("-----BEGIN CERTIFICATE-----")?;
    let body = pem
        .get(start..)?
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"));
    let joined: String = body.flat_map(|l| l.trim().chars()).collect();
    STANDARD.decode(joined).ok()
}

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (len_bytes, rest) = (rest.get(..n)?, rest.get(n..)?);
        (
            len_bytes.iter().fold(0usize, |acc, b| (acc << 8) | usize::from(*b)),
            rest,
        )
    };
    Some((tag, rest.get(..len)?, rest.get(len..)?))
}

/// Certificate → tbsCertificate → [version] serial signature issuer validity subject.
fn subject(der: &[u8]) -> Option<&[u8]> {
    let (_, cert, _) = element(der).filter(|e| e.0 == 0x30)?;
    let (_, tbs, _) = element(cert).filter(|e| e.0 == 0x30)?;
    let mut rest = tbs;
    let (tag, _, after) = element(rest)?;
    if tag == 0xa0 {
        rest = after;
    }
    for _ in 0..4 {
        rest = element(rest)?.2;
    }
    let (tag, subject, _) = element(rest)?;
    (tag == 0x30).then_some(subject)
}

/// Name = SEQUENCE OF SET OF { type OID, value }.
fn organizations_in(mut name: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while let Some((_, set, rest)) = element(name) {
        let mut attrs = set;
        while let Some((_, attr, more)) = element(attrs) {
            if let Some((0x06, oid, value)) = element(attr) {
                if oid == ORGANIZATION {
                    if let Some((_, text, _)) = element(value) {
                        out.push(String::from_utf8_lossy(text).into_owned());
                    }
                }
            }
            attrs = more;
        }
        name = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::organizations;

    /// Self-signed test certificates made with `openssl req -x509 -newkey ec …`.
    const MASTERS_PEM: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJ2VENDQVdPZ0F3SUJBZ0lVRU53dDJKQkNZQ2VDOUZ6MVlyU1FtOWtaRE04d0NnWUlLb1pJemowRUF3SXcKTkRFWE1CVUdBMVVFQ2d3T2MzbHpkR1Z0T20xaGMzUmxjbk14R1RBWEJnTlZCQU1NRUd0MVltVnlibVYwWlhNdApZV1J0YVc0d0hoY05Nall4TVRJNE1UVTFOREU1V2hjTk16WXhNVEkxTVRVMU5ERTVXakEwTVJjd0ZRWURWUVFLCkRBNXplWE4wWlcwNmJXRnpkR1Z5Y3pFWk1CY0dBMVVFQXd3UWEzVmlaWEp1WlhSbGN5MWhaRzFwYmpCWk1CTUcKQnlxR1NNNDlBZ0VHQ0NxR1NNNDlBd0VIQTBJQUJKYXpMM2hNVlI3Uzc3c3J3UHVuV0tJYzJqWjlGaGNNSWhIdApLK0FlZ3MwejhGKzBYek9QL2x1TTAxN01zaGU3WU9zWGkra2tVNDcrSXZTRzJMUGlROFdqVXpCUk1CMEdBMVVkCkRnUVdCQlJKbmcxL0lOQmQwOEx6czRvUVpIZ0x3elE4RnpBZkJnTlZIU01FR0RBV2dCUkpuZzEvSU5CZDA4THoKczRvUVpIZ0x3elE4RnpBUEJnTlZIUk1CQWY4RUJUQURBUUgvTUFvR0NDcUdTTTQ5QkFNQ0EwZ0FNRVVDSVFEKwplSm9semdGZDZIWW9TNUtDYnljZTFEbzBpMnQ5alJTSy9zYzVaelNYM1FJZ0JiR3FZYlV1MWlldXllcTRrWHM0CkFhNmtwV2tldEhLY0pFZHh4bHFUYi84PQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";
    const TWO_ORGS_PEM: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUI4akNDQVptZ0F3SUJBZ0lVR1hlVWdQN0ZuZmgvTEhaTkFrN2l3TTBwRkdBd0NnWUlLb1pJemowRUF3SXcKVHpFZk1CMEdBMVVFQ2d3V2EzVmlaV0ZrYlRwamJIVnpkR1Z5TFdGa2JXbHVjekVSTUE4R0ExVUVDZ3dJWkdWMgpMWFJsWVcweEdUQVhCZ05WQkFNTUVHdDFZbVZ5Ym1WMFpYTXRZV1J0YVc0d0hoY05Nall4TVRJNE1UVTFOREU1CldoY05Nell4TVRJMU1UVTFOREU1V2pCUE1SOHdIUVlEVlFRS0RCWnJkV0psWVdSdE9tTnNkWE4wWlhJdFlXUnQKYVc1ek1SRXdEd1lEVlFRS0RBaGtaWFl0ZEdWaGJURVpNQmNHQTFVRUF3d1FhM1ZpWlhKdVpYUmxjeTFoWkcxcApiakJaTUJNR0J5cUdTTTQ5QWdFR0NDcUdTTTQ5QXdFSEEwSUFCTzBVNWFzMDd5MjN3UlBlbSs5QXpPUGVvdVRLCjVRclUwUmV4VHRHNTN5WnZ5OVVsdHRFM1RBYzhHMWt5em5aajk2cHFLVjhESDBpOVEwVmFaQ2NOVHhDalV6QlIKTUIwR0ExVWREZ1FXQkJSVnh4emxTQ1dId1ozYUpHNnBpdDRkUXFQK2F6QWZCZ05WSFNNRUdEQVdnQlJWeHh6bApTQ1dId1ozYUpHNnBpdDRkUXFQK2F6QVBCZ05WSFJNQkFmOEVCVEFEQVFIL01Bb0dDQ3FHU000OUJBTUNBMGNBCk1FUUNJRDJZdWo5dkxvckFVaEUzVlVYdzBYTlRLM010QU13ZWNJelo2elZLZGV4Q0FpQjFxb2tVTm1OMVpKYUEKNE95Mjk4RXVjWTMyRnZtZENNamE4aFRsTmNhbU5nPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
    const MASTERS_DER: &str = "MIIBvTCCAWOgAwIBAgIUENwt2JBCYCeC9Fz1YrSQm9kZDM8wCgYIKoZIzj0EAwIwNDEXMBUGA1UECgwOc3lzdGVtOm1hc3RlcnMxGTAXBgNVBAMMEGt1YmVybmV0ZXMtYWRtaW4wHhcNMjYxMTI4MTU1NDE5WhcNMzYxMTI1MTU1NDE5WjA0MRcwFQYDVQQKDA5zeXN0ZW06bWFzdGVyczEZMBcGA1UEAwwQa3ViZXJuZXRlcy1hZG1pbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABJazL3hMVR7S77srwPunWKIc2jZ9FhcMIhHtK+Aegs0z8F+0XzOP/luM017Mshe7YOsXi+kkU47+IvSG2LPiQ8WjUzBRMB0GA1UdDgQWBBRJng1/INBd08Lzs4oQZHgLwzQ8FzAfBgNVHSMEGDAWgBRJng1/INBd08Lzs4oQZHgLwzQ8FzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0gAMEUCIQD+eJolzgFd6HYoS5KCbyce1Do0i2t9jRSK/sc5ZzSX3QIgBbGqYbUu1ieuyeq4kXs4Aa6kpWketHKcJEdxxlqTb/8=";

    #[test]
    fn reads_the_subject_organisations() {
        assert_eq!(organizations(MASTERS_PEM), ["system:masters"]);
        assert_eq!(organizations(MASTERS_DER), ["system:masters"]);
        assert_eq!(organizations(TWO_ORGS_PEM), ["kubeadm:cluster-admins", "dev-team"]);
    }

    #[test]
    fn anything_else_has_none() {
        for text in [
            "",
            "not base64!",
            "aGVsbG8=",
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
            &MASTERS_DER[..40],
        ] {
            assert!(organizations(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn truncated_or_corrupted_certificates_give_none_and_never_panic() {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::STANDARD;
        let der = engine.decode(MASTERS_DER).unwrap_or_default();
        assert!(der.len() > 100);
        for end in 0..der.len() {
            let cut = engine.encode(der.get(..end).unwrap_or_default());
            assert!(organizations(&cut).is_empty(), "cut at {end}");
        }
        for at in 0..der.len() {
            let mut bad = der.clone();
            if let Some(b) = bad.get_mut(at) {
                *b ^= 0xff;
            }
            let _ = organizations(&engine.encode(&bad));
        }
    }
}

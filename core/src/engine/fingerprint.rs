//! A finding's identity that survives edits around it: policy, object, JSON pointer and
//! message, not the line. Used by SARIF `partialFingerprints` and by baselines. (The message
//! tells apart two findings of one policy on one node, like a missing CPU and a missing
//! memory limit.)

use super::Finding;

/// 64-bit FNV-1a of the finding's policy, object identity, path and message, as 16 hex digits.
pub fn fingerprint(f: &Finding) -> String {
    hash(&identity(f))
}

/// [`fingerprint`] with the file too (`file` as baselines name it, see
/// `engine::baseline::file_key`): the same finding in `staging/web.yaml` and in
/// `prod/web.yaml` are two findings.
pub fn fingerprint_in(f: &Finding, file: &str) -> String {
    let mut parts = identity(f);
    parts.push(file);
    hash(&parts)
}

fn identity(f: &Finding) -> Vec<&str> {
    let o = &f.object;
    vec![
        f.policy.as_str(),
        o.api_version.as_str(),
        o.kind.as_str(),
        o.namespace.as_deref().unwrap_or(""),
        o.name.as_deref().unwrap_or(""),
        f.path.as_str(),
        f.message.as_str(),
    ]
}

fn hash(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

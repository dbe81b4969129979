//! Users as the authorizer sees them: a name and groups.

/// A user: its name and every group it is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// The user name (`system:serviceaccount:NS:NAME` for a ServiceAccount).
    pub name: String,
    /// Every group the user is in.
    pub groups: Vec<String>,
}

/// Every authenticated user is in this group.
pub const AUTHENTICATED: &str = "system:authenticated";
/// The user of requests without credentials (when anonymous requests are allowed).
pub const ANONYMOUS: &str = "system:anonymous";
/// The group of requests without credentials.
pub const UNAUTHENTICATED: &str = "system:unauthenticated";

impl User {
    /// The user of ServiceAccount `name` in `namespace`, with the groups the API server gives
    /// its tokens.
    pub fn service_account(namespace: &str, name: &str) -> User {
        User {
            name: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                AUTHENTICATED.into(),
            ],
        }
    }

    /// The user `name` with `groups`, as `kubectl --as NAME --as-group G…` asks: the
    /// anonymous user is in `system:unauthenticated`; a ServiceAccount's user name
    /// (`system:serviceaccount:NS:NAME`) is in the ServiceAccount groups; every other user is
    /// in `system:authenticated`, as the API server adds when impersonating.
    pub fn named(name: &str, groups: &[String]) -> User {
        let mut user = if name == ANONYMOUS {
            User {
                name: name.to_owned(),
                groups: vec![UNAUTHENTICATED.into()],
            }
        } else if let Some((ns, sa)) = name
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
            .filter(|(ns, sa)| !ns.is_empty() && !sa.is_empty() && !sa.contains(':'))
        {
            User::service_account(ns, sa)
        } else {
            User {
                name: name.to_owned(),
                groups: vec![AUTHENTICATED.into()],
            }
        };
        for g in groups {
            if !user.groups.contains(g) {
                user.groups.push(g.clone());
            }
        }
        user
    }
}

//! The command line: `--listen ADDR:PORT --tls-cert FILE --tls-key FILE [--config FILE]
//! [--policies PATH]… [--request-timeout-ms N] [--reload-interval-ms N]`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "usage: rempart-webhook --listen ADDR:PORT --tls-cert FILE --tls-key FILE [--config FILE] [--policies PATH]... [--request-timeout-ms N] [--reload-interval-ms N] [--shutdown-timeout-ms N]";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    pub listen: SocketAddr,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// A Rempart configuration file (`.rempart.yaml` format, with its `admission:` section).
    pub config: Option<PathBuf>,
    /// More policy files or folders (their `.yaml` and `.yml` files).
    pub policies: Vec<PathBuf>,
    /// How long one review may take; keep it below the webhook's `timeoutSeconds`.
    pub request_timeout: Duration,
    /// How often the certificate, key, configuration and policies are checked for changes.
    pub reload_interval: Duration,
    /// How long a shutdown waits for the requests in flight.
    pub shutdown_timeout: Duration,
}

impl Args {
    /// Reads the arguments (without the program name).
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut listen = None;
        let mut tls_cert = None;
        let mut tls_key = None;
        let mut config = None;
        let mut policies = Vec::new();
        let mut request_timeout = Duration::from_millis(4000);
        let mut reload_interval = Duration::from_millis(2000);
        let mut shutdown_timeout = Duration::from_millis(20_000);
        let mut it = argv.iter();
        while let Some(flag) = it.next() {
            if flag == "--help" || flag == "-h" {
                return Err(USAGE.to_owned());
            }
            let value = it.next().ok_or_else(|| format!("`{flag}` needs a value\n{USAGE}"))?;
            let millis = |v: &str| -> Result<Duration, String> {
                v.parse::<u64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Duration::from_millis)
                    .ok_or_else(|| format!("`{flag}`: `{v}` is not a positive number of milliseconds"))
            };
            match flag.as_str() {
                "--listen" => {
                    listen = Some(
                        value
                            .parse::<SocketAddr>()
                            .map_err(|_| format!("`--listen`: `{value}` is not ADDR:PORT (e.g. `0.0.0.0:8443`)"))?,
                    );
                }
                "--tls-cert" => tls_cert = Some(PathBuf::from(value)),
                "--tls-key" => tls_key = Some(PathBuf::from(value)),
                "--config" => config = Some(PathBuf::from(value)),
                "--policies" => policies.push(PathBuf::from(value)),
                "--request-timeout-ms" => request_timeout = millis(value)?,
                "--reload-interval-ms" => reload_interval = millis(value)?,
                "--shutdown-timeout-ms" => shutdown_timeout = millis(value)?,
                other => return Err(format!("unknown option `{other}`\n{USAGE}")),
            }
        }
        let missing = |name: &str| format!("`{name}` is required\n{USAGE}");
        Ok(Args {
            listen: listen.ok_or_else(|| missing("--listen"))?,
            tls_cert: tls_cert.ok_or_else(|| missing("--tls-cert"))?,
            tls_key: tls_key.ok_or_else(|| missing("--tls-key"))?,
            config,
            policies,
            request_timeout,
            reload_interval,
            shutdown_timeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Result<Args, String> {
        Args::parse(&s.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
    }

    #[test]
    fn reads_every_option_and_refuses_mistakes() {
        let a =
            args("--listen 127.0.0.1:8443 --tls-cert c --tls-key k --policies a --policies b --request-timeout-ms 900")
                .unwrap();
        assert_eq!(a.policies, vec![PathBuf::from("a"), PathBuf::from("b")]);
        assert_eq!(a.request_timeout, Duration::from_millis(900));
        assert!(args("--listen nowhere --tls-cert c --tls-key k")
            .unwrap_err()
            .contains("not ADDR:PORT"));
        assert!(args("--listen 127.0.0.1:1 --tls-cert c")
            .unwrap_err()
            .contains("`--tls-key` is required"));
        assert!(args("--listen 127.0.0.1:1 --tls-cert c --tls-key k --bogus 1")
            .unwrap_err()
            .contains("unknown option"));
        assert!(args("--listen").unwrap_err().contains("needs a value"));
    }
}

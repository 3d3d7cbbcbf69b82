//! The command line in process: its definition, `kcost config check|show` with the output
//! captured (secrets redacted, problems named by key), and `serve` as the default command.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use kcost_server::cli::{Cli, Context, run};

#[test]
fn cli_definition_is_consistent() {
    Cli::command().debug_assert();
}

fn run_with(args: &[&str], vars: &[(&str, &str)]) -> (u8, String, String) {
    let cli = Cli::try_parse_from(args).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ctx = Context {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        out: &mut out,
        err: &mut err,
    };
    let code = run(cli, ctx).unwrap();
    let code = if code == ExitCode::SUCCESS {
        0
    } else if code == ExitCode::FAILURE {
        1
    } else {
        2
    };
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn config_check_and_show() {
    let dir = tempfile::tempdir().unwrap();
    let dir_s = dir.path().to_str().unwrap();
    let pepper = "pepper-value-that-must-not-leak";
    let token = "admin-token-that-must-not-leak-0123456789";
    let vars = [
        ("KCOST_CONFIG_DIR", dir_s),
        ("KCOST_ENV", "production"),
        ("KCOST_SECURITY__API_KEY_PEPPER", pepper),
        ("KCOST_SECURITY__ADMIN_TOKEN", token),
        (
            "KCOST_DATABASE__URL",
            "postgres://kcost:db-password-x@db/kcost",
        ),
    ];

    let (code, out, _) = run_with(&["kcost", "config", "check"], &vars);
    assert_eq!((code, out.as_str()), (0, "configuration OK (production)\n"));

    let (code, out, _) = run_with(&["kcost", "config", "show"], &vars);
    assert_eq!(code, 0);
    for secret in [pepper, token, "db-password-x"] {
        assert!(!out.contains(secret), "leaked {secret}:\n{out}");
    }
    assert!(out.contains("api_key_pepper = \"[redacted]\""), "{out}");
    assert!(
        out.contains("url = \"postgres://kcost:[redacted]@db/kcost\""),
        "{out}"
    );
    assert!(out.contains("KCOST_ENV=production"), "{out}");
}

#[test]
fn config_check_reports_errors() {
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("KCOST_CONFIG_DIR", dir.path().to_str().unwrap()),
        ("KCOST_ENV", "production"),
    ];
    let (code, out, err) = run_with(&["kcost", "config", "check"], &vars);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.starts_with("invalid configuration: security.api_key_pepper: required"),
        "{err}"
    );
}

#[test]
fn no_command_means_serve_and_bad_config_stops_it_before_binding() {
    assert!(Cli::try_parse_from(["kcost"]).unwrap().command.is_none());
    let dir = tempfile::tempdir().unwrap();
    let vars = [
        ("KCOST_CONFIG_DIR", dir.path().to_str().unwrap()),
        ("KCOST_ENV", "production"),
    ];
    let (code, _, err) = run_with(&["kcost"], &vars);
    assert_eq!(code, 1);
    assert!(err.contains("security.api_key_pepper: required"), "{err}");
}

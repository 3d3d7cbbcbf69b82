//! The compiled `kcost` binary's `config check` / `config show` against a temp config
//! dir, run from an unrelated working directory with a clean environment; loading through
//! the library in [`loading`].

mod loading;

use std::path::Path;
use std::process::{Command, Output};

fn kcost(cwd: &Path, vars: &[(&str, &str)], args: &[&str]) -> std::io::Result<Output> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kcost"));
    cmd.env_clear().current_dir(cwd).args(args);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn config_check_and_show_through_the_binary() {
    let config_dir = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let dir = config_dir.path().to_str().unwrap();
    std::fs::write(
        config_dir.path().join("staging.toml"),
        "[server]\nport = 9000\n[security]\nadmin_token = \"admin-token-from-file-xyz-0123456789\"\n",
    )
    .unwrap();

    // Embedded defaults only: works from a directory with no config/ at all.
    let out = kcost(cwd.path(), &[], &["config", "check"]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "configuration OK (development)\n");

    let staging = [("KCOST_CONFIG_DIR", dir), ("KCOST_ENV", "staging")];
    let out = kcost(cwd.path(), &staging, &["config", "check"]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "configuration OK (staging)\n");

    let out = kcost(cwd.path(), &staging, &["config", "show"]).unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(shown.contains("port = 9000"), "{shown}");
    assert!(shown.contains("admin_token = \"[redacted]\""), "{shown}");
    assert!(
        !shown.contains("admin-token-from-file-xyz-0123456789"),
        "{shown}"
    );

    // Environment variables beat files.
    let mut vars = staging.to_vec();
    vars.push(("KCOST_SERVER__PORT", "9090"));
    let out = kcost(cwd.path(), &vars, &["config", "show"]).unwrap();
    assert!(text(&out.stdout).contains("port = 9090"));

    // --config adds a layer after the env file.
    let extra = config_dir.path().join("extra.toml");
    std::fs::write(&extra, "[server]\nport = 9100\n").unwrap();
    let out = kcost(
        cwd.path(),
        &staging,
        &["config", "show", "--config", extra.to_str().unwrap()],
    )
    .unwrap();
    assert!(
        text(&out.stdout).contains("port = 9100"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn config_check_fails_with_the_key_named() {
    let config_dir = tempfile::tempdir().unwrap();
    let dir = config_dir.path().to_str().unwrap();

    let out = kcost(
        config_dir.path(),
        &[("KCOST_CONFIG_DIR", dir), ("KCOST_ENV", "production")],
        &["config", "check"],
    )
    .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains(
            "invalid configuration: security.api_key_pepper: required when KCOST_ENV=production"
        ),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(
        config_dir.path().join("development.toml"),
        "[server]\nport = \"abc\"\n",
    )
    .unwrap();
    let out = kcost(
        config_dir.path(),
        &[("KCOST_CONFIG_DIR", dir)],
        &["config", "check"],
    )
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("server.port: invalid type"), "{err}");
    assert!(err.contains("development.toml"), "{err}");
}

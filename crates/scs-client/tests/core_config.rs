//! Configuration resolution: precedence, clouds.yaml + secure.yaml, auth
//! types, and error messages. The environment and file locations are
//! injected; the process environment is never read or changed.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use scs_client::config::{
    AuthMethod, CloudConfig, ConfigError, DomainRef, Interface, Overrides, ProjectScope, Secret,
    Sources, UserRef,
};

const CLOUDS: &str = r#"
clouds:
  pw:
    auth:
      auth_url: https://keystone.example:5000/v3
      username: fileuser
      project_name: fileproject
      user_domain_name: FileDomain
      project_domain_name: FileDomain
    region_name: FileRegion
    interface: internal
    verify: false
    network_endpoint_override: https://neutron.example:9696
  ac:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example:5000
      application_credential_id: ac-id
      application_credential_secret: ac-secret-in-clouds
    regions:
      - RegionA
      - RegionB
  acname:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example:5000
      application_credential_name: mycred
      username: bob
      user_domain_name: Default
      application_credential_secret: s
"#;

const SECURE: &str = r#"
clouds:
  pw:
    auth:
      password: from-secure-yaml
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn sources(dir: &Path) -> Sources {
    Sources::default()
        .with_clouds_file(dir.join("missing-clouds.yaml"))
        .with_clouds_file(write(dir, "clouds.yaml", CLOUDS))
        .with_secure_file(write(dir, "secure.yaml", SECURE))
}

fn named(cloud: &str) -> Overrides {
    Overrides {
        cloud: Some(cloud.into()),
        ..Overrides::default()
    }
}

#[test]
fn clouds_yaml_with_secure_yaml() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CloudConfig::resolve_with(named("pw"), &sources(dir.path())).unwrap();
    assert_eq!(cfg.auth_url.as_str(), "https://keystone.example:5000/v3");
    assert_eq!(cfg.region.as_deref(), Some("FileRegion"));
    assert_eq!(cfg.interface, Interface::Internal);
    assert!(cfg.tls.insecure);
    assert_eq!(
        cfg.endpoint_overrides.get("network").map(|u| u.as_str()),
        Some("https://neutron.example:9696/")
    );
    match &cfg.auth {
        AuthMethod::Password {
            user,
            password,
            project,
        } => {
            assert_eq!(
                user,
                &UserRef::Name {
                    name: "fileuser".into(),
                    domain: DomainRef::Name("FileDomain".into())
                }
            );
            assert_eq!(password.expose(), "from-secure-yaml");
            assert_eq!(
                project,
                &Some(ProjectScope::Name {
                    name: "fileproject".into(),
                    domain: DomainRef::Name("FileDomain".into())
                })
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(cfg.max_retries, scs_client::config::DEFAULT_MAX_RETRIES);
}

#[test]
fn precedence_overrides_then_env_then_file() {
    let dir = tempfile::tempdir().unwrap();
    let src = sources(dir.path())
        .with_env("OS_CLOUD", "pw")
        .with_env("OS_REGION_NAME", "EnvRegion")
        .with_env("OS_USERNAME", "envuser")
        .with_env("OS_INTERFACE", "publicURL");
    let cfg = CloudConfig::resolve_with(Overrides::default(), &src).unwrap();
    assert_eq!(
        cfg.cloud.as_deref(),
        Some("pw"),
        "OS_CLOUD selects the cloud"
    );
    assert_eq!(cfg.region.as_deref(), Some("EnvRegion"), "env beats file");
    assert_eq!(cfg.interface, Interface::Public);
    assert!(
        matches!(&cfg.auth, AuthMethod::Password { user: UserRef::Name { name, .. }, .. } if name == "envuser")
    );

    let cfg = CloudConfig::resolve_with(
        Overrides {
            region: Some("BlockRegion".into()),
            password: Some(Secret::new("block-pw")),
            max_retries: Some(2),
            ..Overrides::default()
        },
        &src,
    )
    .unwrap();
    assert_eq!(
        cfg.region.as_deref(),
        Some("BlockRegion"),
        "provider block beats env"
    );
    assert_eq!(cfg.max_retries, 2);
    assert!(
        matches!(&cfg.auth, AuthMethod::Password { password, .. } if password.expose() == "block-pw")
    );

    // The provider block's `cloud` beats OS_CLOUD.
    let cfg = CloudConfig::resolve_with(named("ac"), &src).unwrap();
    assert_eq!(cfg.cloud.as_deref(), Some("ac"));
}

#[test]
fn application_credential_by_id_and_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CloudConfig::resolve_with(named("ac"), &sources(dir.path())).unwrap();
    assert_eq!(cfg.region.as_deref(), Some("RegionA"), "first of `regions`");
    match &cfg.auth {
        AuthMethod::ApplicationCredential { id, secret, .. } => {
            assert_eq!(id.as_deref(), Some("ac-id"));
            assert_eq!(secret.expose(), "ac-secret-in-clouds");
        }
        other => panic!("{other:?}"),
    }
    let cfg = CloudConfig::resolve_with(named("acname"), &sources(dir.path())).unwrap();
    match &cfg.auth {
        AuthMethod::ApplicationCredential { id, name, user, .. } => {
            assert_eq!(id, &None);
            assert_eq!(name.as_deref(), Some("mycred"));
            assert_eq!(
                user,
                &Some(UserRef::Name {
                    name: "bob".into(),
                    domain: DomainRef::Name("Default".into())
                })
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_highest_source_with_a_credential_decides_the_auth_type() {
    let dir = tempfile::tempdir().unwrap();
    // The clouds.yaml entry has an application credential; the env adds a
    // password (as `openstack` CLI users with a sourced openrc have). Env
    // outranks the file, so password auth is chosen, and its missing user
    // is reported rather than silently using the file's credential.
    let src = sources(dir.path()).with_env("OS_PASSWORD", "x");
    let e = CloudConfig::resolve_with(named("ac"), &src).unwrap_err();
    assert!(e.to_string().contains("user_name"), "{e}");
    // An explicit application credential in the provider block wins over both.
    let cfg = CloudConfig::resolve_with(
        Overrides {
            cloud: Some("ac".into()),
            application_credential_secret: Some(Secret::new("block")),
            ..Overrides::default()
        },
        &src,
    )
    .unwrap();
    assert_eq!(cfg.auth.kind(), "v3applicationcredential");
}

#[test]
fn env_only_token_auth() {
    let src = Sources::default()
        .with_env("OS_AUTH_URL", "http://k:5000")
        .with_env("OS_TOKEN", "tok")
        .with_env("OS_PROJECT_ID", "p1")
        .with_env("OS_INSECURE", "true")
        .with_env("OS_ENDPOINT_TYPE", "adminURL");
    let cfg = CloudConfig::resolve_with(Overrides::default(), &src).unwrap();
    assert_eq!(cfg.interface, Interface::Admin);
    assert!(cfg.tls.insecure);
    assert!(
        matches!(&cfg.auth, AuthMethod::Token { project: Some(ProjectScope::Id(p)), .. } if p == "p1")
    );
}

#[test]
fn missing_auth_url_names_the_places_looked_at() {
    let src = Sources::default().with_env("OS_PASSWORD", "x");
    let e = CloudConfig::resolve_with(Overrides::default(), &src).unwrap_err();
    let s = e.to_string();
    assert!(matches!(e, ConfigError::Missing { .. }));
    assert!(s.contains("auth_url") && s.contains("OS_AUTH_URL"), "{s}");
    assert!(s.contains("neither `cloud` nor OS_CLOUD"), "{s}");
}

#[test]
fn without_a_cloud_name_the_error_lists_the_clouds_on_offer() {
    let dir = tempfile::tempdir().unwrap();
    let e = CloudConfig::resolve_with(Overrides::default(), &sources(dir.path())).unwrap_err();
    let s = e.to_string();
    assert!(
        s.contains("pw, ac, acname") && s.contains("OS_CLOUD"),
        "{s}"
    );
}

#[test]
fn missing_credentials() {
    let src = Sources::default().with_env("OS_AUTH_URL", "http://k:5000/v3");
    let e = CloudConfig::resolve_with(Overrides::default(), &src).unwrap_err();
    assert!(e.to_string().contains("missing credentials"), "{e}");
}

#[test]
fn unknown_cloud_lists_the_defined_ones() {
    let dir = tempfile::tempdir().unwrap();
    let e = CloudConfig::resolve_with(named("nope"), &sources(dir.path())).unwrap_err();
    let s = e.to_string();
    assert!(s.contains("'nope'") && s.contains("pw, ac, acname"), "{s}");
}

#[test]
fn no_clouds_file_lists_files_tried() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a/clouds.yaml");
    let src = Sources::default().with_clouds_file(&a);
    let e = CloudConfig::resolve_with(named("pw"), &src).unwrap_err();
    assert!(matches!(e, ConfigError::NoCloudsFile { .. }));
    assert!(e.to_string().contains(&a.display().to_string()), "{e}");
}

#[test]
fn standard_locations_order() {
    let mut env = BTreeMap::new();
    env.insert("OS_CLIENT_CONFIG_FILE".to_owned(), "/x/my.yaml".to_owned());
    let s = Sources::standard(env, Some(Path::new("/cwd")), Some(Path::new("/home/u")));
    let files: Vec<String> = s
        .clouds_files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(files[0], "/x/my.yaml");
    let pos = |f: &str| files.iter().position(|x| x == f).unwrap();
    assert!(pos("/cwd/clouds.yaml") < pos("/home/u/.config/openstack/clouds.yaml"));
    assert!(pos("/home/u/.config/openstack/clouds.yaml") < pos("/etc/openstack/clouds.yaml"));
}

#[test]
fn bad_values_are_reported() {
    let src = Sources::default()
        .with_env("OS_AUTH_URL", "http://k:5000")
        .with_env("OS_TOKEN", "t")
        .with_env("OS_INSECURE", "maybe");
    let e = CloudConfig::resolve_with(Overrides::default(), &src).unwrap_err();
    assert!(e.to_string().contains("OS_INSECURE"), "{e}");

    let src = Sources::default()
        .with_env("OS_AUTH_URL", "keystone:5000")
        .with_env("OS_TOKEN", "t");
    let e = CloudConfig::resolve_with(Overrides::default(), &src).unwrap_err();
    assert!(e.to_string().contains("auth_url"), "{e}");

    let e = CloudConfig::resolve_with(
        Overrides {
            endpoint_type: Some("sideways".into()),
            ..Overrides::default()
        },
        &Sources::default()
            .with_env("OS_AUTH_URL", "http://k")
            .with_env("OS_TOKEN", "t"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("endpoint_type"), "{e}");
}

#[test]
fn secrets_do_not_show_in_debug() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = CloudConfig::resolve_with(named("pw"), &sources(dir.path())).unwrap();
    let dbg = format!("{cfg:?}");
    assert!(!dbg.contains("from-secure-yaml"), "{dbg}");
}

#[test]
fn tokens_are_kept_only_when_clouds_yaml_asks() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("tokens");
    let with_cache = |text: &str| {
        let mut src = Sources::default().with_clouds_file(write(dir.path(), "c.yaml", text));
        src.token_cache_dir = Some(keep.clone());
        CloudConfig::resolve_with(named("pw"), &src)
    };
    let entry = "clouds:\n  pw:\n    auth:\n      auth_url: https://k:5000/v3\n      username: u\n      password: p\n      project_name: x\n";

    let plain = with_cache(entry).unwrap();
    assert_eq!(plain.token_cache_dir, None);
    let asked = with_cache(&format!("cache:\n  auth: true\n{entry}")).unwrap();
    assert_eq!(asked.token_cache_dir.as_deref(), Some(keep.as_path()));
    let spelled = with_cache(&format!("cache:\n  auth: 'yes'\n{entry}")).unwrap();
    assert_eq!(spelled.token_cache_dir.as_deref(), Some(keep.as_path()));
    let off = with_cache(&format!("cache:\n  auth: false\n{entry}")).unwrap();
    assert_eq!(off.token_cache_dir, None);

    let e = with_cache(&format!("cache:\n  auth: sometimes\n{entry}")).unwrap_err();
    assert!(e.to_string().contains("cache: {auth: sometimes}"), "{e}");
}

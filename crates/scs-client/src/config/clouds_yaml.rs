//! clouds.yaml (+ secure.yaml) as a configuration layer.

use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use super::layer::{Layer, parse_bool};
use super::{ConfigError, Secret, Sources};

/// The named cloud's entry, with secure.yaml merged in, as a layer.
pub(crate) struct LoadedCloud {
    pub layer: Layer,
    pub clouds_file: PathBuf,
    pub secure_file: Option<PathBuf>,
}

pub(crate) fn load_cloud(src: &Sources, name: &str) -> Result<LoadedCloud, ConfigError> {
    let Some((clouds_path, clouds_doc)) = first_existing(&src.clouds_files)? else {
        return Err(ConfigError::NoCloudsFile {
            cloud: name.to_owned(),
            files_tried: src.clouds_files.clone(),
        });
    };
    let Some(mut entry) = cloud_entry(&clouds_doc, name) else {
        return Err(ConfigError::CloudNotFound {
            cloud: name.to_owned(),
            file: clouds_path,
            available: cloud_names(&clouds_doc),
        });
    };
    let mut secure_file = None;
    if let Some((secure_path, secure_doc)) = first_existing(&src.secure_files)?
        && let Some(sec) = cloud_entry(&secure_doc, name)
    {
        deep_merge(&mut entry, sec);
        secure_file = Some(secure_path);
    }
    let mut layer = entry_to_layer(&entry, &clouds_path)?;
    layer.cache_auth = cache_auth(&clouds_doc, &clouds_path)?;
    Ok(LoadedCloud {
        layer,
        clouds_file: clouds_path,
        secure_file,
    })
}

/// The first clouds.yaml that exists and the clouds it defines (for hints
/// when no cloud was named). Unreadable files count as absent here.
pub(crate) fn available_clouds(src: &Sources) -> Option<(PathBuf, Vec<String>)> {
    first_existing(&src.clouds_files)
        .ok()
        .flatten()
        .map(|(p, doc)| (p, cloud_names(&doc)))
}

fn first_existing(paths: &[PathBuf]) -> Result<Option<(PathBuf, Value)>, ConfigError> {
    for p in paths {
        match std::fs::read_to_string(p) {
            Ok(text) => {
                let doc: Value = serde_yaml::from_str(&text).map_err(|e| ConfigError::File {
                    path: p.clone(),
                    message: format!("not valid YAML: {e}"),
                })?;
                return Ok(Some((p.clone(), doc)));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                return Err(ConfigError::File {
                    path: p.clone(),
                    message: e.to_string(),
                });
            }
        }
    }
    Ok(None)
}

fn cloud_entry(doc: &Value, name: &str) -> Option<Value> {
    doc.get("clouds")?.get(name).cloned()
}

fn cloud_names(doc: &Value) -> Vec<String> {
    doc.get("clouds")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.keys()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn deep_merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Mapping(b), Value::Mapping(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The file's top-level `cache: {auth: ...}`, as openstacksdk reads it (for every cloud in the
/// file).
fn cache_auth(doc: &Value, path: &Path) -> Result<Option<bool>, ConfigError> {
    match doc.get("cache").and_then(|c| c.get("auth")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if parse_bool(s).is_some() => Ok(parse_bool(s)),
        Some(other) => Err(ConfigError::File {
            path: path.to_path_buf(),
            message: format!(
                "'cache: {{auth: {}}}' is not a boolean; use true or false",
                serde_yaml::to_string(other).unwrap_or_default().trim()
            ),
        }),
    }
}

fn entry_to_layer(entry: &Value, path: &Path) -> Result<Layer, ConfigError> {
    let empty = Value::Mapping(Mapping::new());
    let auth = entry.get("auth").unwrap_or(&empty);
    let a = |k: &str| scalar(auth.get(k));
    let top = |k: &str| scalar(entry.get(k));

    let insecure = match entry.get("verify") {
        None => None,
        Some(Value::Bool(b)) => Some(!b),
        Some(Value::String(s)) => match parse_bool(s) {
            Some(b) => Some(!b),
            None => {
                return Err(ConfigError::File {
                    path: path.to_path_buf(),
                    message: format!("'verify: {s}' is not a boolean"),
                });
            }
        },
        Some(_) => None,
    };

    let region = top("region_name").or_else(|| {
        // `regions: [a, b]` or `regions: [{name: a}]`: the first is the default.
        entry
            .get("regions")
            .and_then(Value::as_sequence)
            .and_then(|s| s.first())
            .and_then(|r| scalar(Some(r)).or_else(|| scalar(r.get("name"))))
    });

    let mut endpoint_overrides = std::collections::BTreeMap::new();
    if let Some(m) = entry.as_mapping() {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            if let Some(service) = k.strip_suffix("_endpoint_override")
                && let Some(url) = scalar(Some(v))
            {
                endpoint_overrides.insert(service.replace('_', "-"), url);
            }
        }
    }

    Ok(Layer {
        auth_type: top("auth_type"),
        auth_url: a("auth_url"),
        user_name: a("username").or_else(|| a("user_name")),
        user_id: a("user_id"),
        password: a("password").map(Secret::from),
        project_name: a("project_name").or_else(|| a("tenant_name")),
        project_id: a("project_id").or_else(|| a("tenant_id")),
        user_domain_name: a("user_domain_name"),
        user_domain_id: a("user_domain_id"),
        project_domain_name: a("project_domain_name"),
        project_domain_id: a("project_domain_id"),
        domain_name: a("domain_name"),
        domain_id: a("domain_id"),
        application_credential_id: a("application_credential_id"),
        application_credential_name: a("application_credential_name"),
        application_credential_secret: a("application_credential_secret").map(Secret::from),
        token: a("token").map(Secret::from),
        region,
        interface: top("interface").or_else(|| top("endpoint_type")),
        insecure,
        cacert: top("cacert"),
        cert: top("cert"),
        key: top("key"),
        endpoint_overrides,
        max_retries: None,
        max_concurrency: None,
        cache_auth: None,
    })
}

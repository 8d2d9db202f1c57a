//! Checks of a configuration that need no cloud: run when Terraform
//! validates, so mistakes show before any plan.

use tfplugin::diagnostics::{AttributePath, Diagnostics};
use tfplugin::value::Value;

use super::model::ServerModel;

/// The most Base64 Nova takes as `user_data` (its request schema's `maxLength`).
const NOVA_USER_DATA_MAX: usize = 65_535;

/// Schema validator: `user_data` fits Nova's limit once Base64-encoded, as
/// the client sends it. The value is sensitive: the message gives sizes only.
pub(super) fn user_data_validator(v: &Value, path: &AttributePath, diags: &mut Diagnostics) {
    let Some(text) = v.as_str() else {
        return;
    };
    let encoded = text.len().div_ceil(3) * 4;
    if encoded > NOVA_USER_DATA_MAX {
        diags.error_at(
            path.clone(),
            "User data too large",
            format!(
                "The user data is {} bytes, {encoded} bytes once Base64-encoded as Nova receives it. \
                 Nova accepts at most {NOVA_USER_DATA_MAX} bytes of Base64, that is {} bytes of user \
                 data; let cloud-init fetch the larger parts (for example with #include).",
                text.len(),
                NOVA_USER_DATA_MAX / 4 * 3
            ),
        );
    }
}

pub(super) fn validate_config(config: &ServerModel) -> Diagnostics {
    let mut d = Diagnostics::new();
    if config.flavor_id.is_null() && config.flavor_name.is_null() {
        d.error_at(
            AttributePath::attr("flavor_name"),
            "Missing flavor",
            "Set flavor_id or flavor_name.",
        );
    }
    let blocks = config.block_device.known().cloned().unwrap_or_default();
    if config.image_id.is_null()
        && config.image_name.is_null()
        && config.block_device.is_known()
        && blocks.is_empty()
    {
        d.error_at(
            AttributePath::attr("image_name"),
            "Nothing to boot from",
            "Set image_id or image_name, or describe the boot volume in block_device blocks.",
        );
    }
    if !blocks.is_empty() {
        for attr in ["root_volume_size", "root_volume_type"] {
            let set = match attr {
                "root_volume_size" => !config.root_volume_size.is_null(),
                _ => !config.root_volume_type.is_null(),
            };
            if set {
                d.error_at(
                    AttributePath::attr(attr),
                    "Conflicting arguments",
                    format!("{attr} describes the implicit root volume; with block_device blocks, give the boot block its volume_size/volume_type instead."),
                );
            }
        }
    }
    for (i, b) in blocks.iter().enumerate() {
        let path = AttributePath::attr("block_device").join_index(i as i64);
        let source = b.source_type.known().map(String::as_str);
        if matches!(source, Some("image" | "volume")) && b.uuid.is_null() {
            d.error_at(
                path.clone().join_attr("uuid"),
                "Missing uuid",
                "A block device from an image or a volume needs its uuid.",
            );
        }
        if matches!(source, Some("image" | "blank")) && b.volume_size.is_null() {
            d.error_at(
                path.join_attr("volume_size"),
                "Missing volume_size",
                "A new volume (source image or blank) needs volume_size in GiB.",
            );
        }
    }
    for (i, n) in config
        .network
        .known()
        .cloned()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let path = AttributePath::attr("network").join_index(i as i64);
        let given = [&n.uuid, &n.name, &n.port]
            .iter()
            .filter(|a| !a.is_null())
            .count();
        if given != 1 {
            d.error_at(
                path.clone(),
                "Network block needs exactly one network",
                "Set exactly one of uuid, name or port in each network block.",
            );
        }
        if !n.port.is_null() && !n.fixed_ip_v4.is_null() {
            d.error_at(
                path.join_attr("fixed_ip_v4"),
                "Conflicting arguments",
                "A network block with a port takes the port's address; set fixed_ip_v4 on the port instead.",
            );
        }
    }
    d
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use tfplugin::value::Attr;

    use super::super::model::{BlockDevice, NetworkBlock};
    use super::*;

    #[test]
    fn user_data_is_measured_as_nova_receives_it() {
        let path = AttributePath::attr("user_data");
        let check = |len: usize| {
            let mut d = Diagnostics::new();
            user_data_validator(&Value::from("#".repeat(len)), &path, &mut d);
            d
        };
        // 49,149 bytes are 65,532 bytes of Base64; one byte more needs 65,536.
        assert!(check(49_149).is_empty());
        let d = check(49_150);
        assert_eq!(d.attribute_paths(), ["user_data"]);
        let detail = &d.iter().next().unwrap().detail;
        assert!(
            detail.contains("49150 bytes") && detail.contains("65536"),
            "{detail}"
        );
        assert!(!detail.contains("###"), "the value itself is never shown");
    }

    fn valid() -> ServerModel {
        ServerModel {
            name: Attr::from("x"),
            flavor_name: Attr::from("SCS-1V-4-10"),
            image_name: Attr::from("Ubuntu 24.04"),
            ..Default::default()
        }
    }

    fn paths(m: &ServerModel) -> Vec<AttributePath> {
        validate_config(m)
            .iter()
            .filter_map(|d| d.attribute.clone())
            .collect()
    }

    #[test]
    fn a_complete_configuration_passes() {
        assert!(validate_config(&valid()).is_empty());
    }

    #[test]
    fn each_network_block_names_one_network_and_a_port_takes_no_address() {
        let net = AttributePath::attr("network");
        let m = ServerModel {
            network: Attr::Known(vec![
                NetworkBlock {
                    uuid: Attr::from("u"),
                    name: Attr::from("n"),
                    ..Default::default()
                },
                NetworkBlock::default(),
                NetworkBlock {
                    port: Attr::from("p"),
                    fixed_ip_v4: Attr::from("10.0.0.5"),
                    ..Default::default()
                },
                NetworkBlock {
                    name: Attr::from("n"),
                    fixed_ip_v4: Attr::from("10.0.0.6"),
                    ..Default::default()
                },
            ]),
            ..valid()
        };
        assert_eq!(
            paths(&m),
            [
                net.clone().join_index(0),
                net.clone().join_index(1),
                net.join_index(2).join_attr("fixed_ip_v4"),
            ]
        );
    }

    #[test]
    fn block_devices_need_their_source_and_size_and_exclude_the_root_volume_settings() {
        let bd = AttributePath::attr("block_device");
        let from = |source: &str| BlockDevice {
            source_type: Attr::from(source),
            ..Default::default()
        };
        let m = ServerModel {
            image_name: Attr::Null,
            root_volume_size: Attr::Known(20),
            block_device: Attr::Known(vec![
                from("image"),
                BlockDevice {
                    uuid: Attr::from("v"),
                    ..from("volume")
                },
                BlockDevice {
                    volume_size: Attr::Known(5),
                    ..from("blank")
                },
            ]),
            ..valid()
        };
        assert_eq!(
            paths(&m),
            [
                AttributePath::attr("root_volume_size"),
                bd.clone().join_index(0).join_attr("uuid"),
                bd.join_index(0).join_attr("volume_size"),
            ]
        );
    }

    #[test]
    fn a_server_needs_a_flavor_and_something_to_boot_from() {
        let m = ServerModel {
            flavor_name: Attr::Null,
            image_name: Attr::Null,
            block_device: Attr::Known(Vec::new()),
            ..valid()
        };
        assert_eq!(
            paths(&m),
            [
                AttributePath::attr("flavor_name"),
                AttributePath::attr("image_name"),
            ]
        );
    }
}

//! The schema of `scs_server`.

use tfplugin::schema::{Attribute, Block, NestedBlock, Schema, validators};
use tfplugin::value::Type;

use super::super::shared::{id_attribute, region_attribute, tags_attribute, timeouts};
use super::model::{ACTIVE, SHUTOFF};

pub(super) fn schema() -> Schema {
    let network = Block::new()
        .description("A NIC. Adding or removing a block attaches or detaches a NIC in place.")
        .attribute(
            Attribute::string("uuid")
                .optional()
                .computed()
                .description("The network's ID."),
        )
        .attribute(
            Attribute::string("name")
                .optional()
                .computed()
                .description("The network's name."),
        )
        .attribute(
            Attribute::string("port")
                .optional()
                .computed()
                .description("A port to attach (ID); computed for NICs on a network."),
        )
        .attribute(
            Attribute::string("fixed_ip_v4")
                .optional()
                .computed()
                .description("The NIC's IPv4 address; optionally fixed."),
        )
        .attribute(
            Attribute::string("fixed_ip_v6")
                .computed()
                .description("The NIC's IPv6 address, if any."),
        )
        .attribute(
            Attribute::string("mac")
                .computed()
                .description("The NIC's MAC address."),
        );
    let block_device = Block::new()
        .description("A volume mapped at boot (boot from volume). Any change replaces the server.")
        .attribute(
            Attribute::string("source_type")
                .required()
                .validator(validators::one_of(&["image", "volume", "blank"])),
        )
        .attribute(
            Attribute::string("uuid")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::number("volume_size")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::string("volume_type")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(
            Attribute::number("boot_index")
                .optional()
                .computed()
                .use_state_for_unknown(),
        )
        .attribute(Attribute::bool("delete_on_termination").default(false));
    Schema::new(
        Block::new()
            .description("A Nova server (virtual machine).")
            .attribute(id_attribute("server"))
            .attribute(region_attribute())
            .attribute(
                Attribute::string("name")
                    .required()
                    .description("The server's name."),
            )
            .attribute(Attribute::string("flavor_id").optional().computed())
            .attribute(Attribute::string("flavor_name").optional().computed())
            .attribute(Attribute::string("image_id").optional().computed())
            .attribute(Attribute::string("image_name").optional().computed())
            .attribute(Attribute::string("key_pair").optional().requires_replace())
            .attribute(
                Attribute::set("security_groups", Type::String)
                    .optional()
                    .computed()
                    .use_state_for_unknown(),
            )
            .attribute(
                Attribute::string("user_data")
                    .optional()
                    .sensitive()
                    .requires_replace(),
            )
            .attribute(Attribute::map("metadata", Type::String).optional())
            .attribute(tags_attribute())
            .attribute(
                Attribute::string("availability_zone")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("server_group_id")
                    .optional()
                    .requires_replace(),
            )
            .attribute(
                Attribute::bool("config_drive")
                    .optional()
                    .computed()
                    .use_state_for_unknown()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("power_state")
                    .default(ACTIVE)
                    .validator(validators::one_of(&[ACTIVE, SHUTOFF])),
            )
            .attribute(Attribute::bool("stop_before_destroy").default(false))
            .attribute(
                Attribute::number("root_volume_size")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(
                Attribute::string("root_volume_type")
                    .optional()
                    .computed()
                    .requires_replace(),
            )
            .attribute(Attribute::string("root_volume_id").computed())
            .attribute(Attribute::string("access_ip_v4").computed())
            .attribute(Attribute::string("access_ip_v6").computed())
            .attribute(Attribute::string("status").computed())
            .attribute(Attribute::map("all_metadata", Type::String).computed())
            .block(NestedBlock::list("network", network))
            .block(NestedBlock::list("block_device", block_device).requires_replace())
            .block(timeouts()),
    )
}

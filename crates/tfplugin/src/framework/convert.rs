//! Conversions between the framework's types and the generated protobuf types.

use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::proto::tfplugin6 as pb;
use crate::schema::{Attribute, AttributeType, Block, NestedBlock, NestingMode, Schema};
use crate::value::{Type, Value, decode_json, decode_msgpack, encode_msgpack};

use super::function::{FunctionError, FunctionSignature, Parameter};

pub fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    pb::Diagnostic {
        severity: match d.severity {
            Severity::Error => pb::diagnostic::Severity::Error,
            Severity::Warning => pb::diagnostic::Severity::Warning,
        } as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().map(attribute_path),
    }
}

pub fn diagnostics(d: &Diagnostics) -> Vec<pb::Diagnostic> {
    d.iter().map(diagnostic).collect()
}

pub fn attribute_path(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    pb::AttributePath {
        steps: path
            .steps()
            .iter()
            .map(|s| Step {
                selector: Some(match s {
                    PathStep::Attribute(n) => Selector::AttributeName(n.clone()),
                    PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                    PathStep::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect(),
    }
}

/// Decodes a request's DynamicValue; an absent or empty one is null.
pub fn decode(dv: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(dv) = dv else {
        return Ok(Value::Null);
    };
    let decoded = if !dv.msgpack.is_empty() {
        decode_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        decode_json(&dv.json, ty)
    } else {
        return Ok(Value::Null);
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!(
                "Could not decode the {what}: {e}. This is a bug in the provider or the client."
            ),
        )
        .into()
    })
}

/// Encodes a response value as msgpack.
pub fn encode(value: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    let msgpack = encode_msgpack(value, ty).map_err(|e| {
        Diagnostics::from(Diagnostic::error(
            "Provider produced an invalid value",
            format!("Could not encode the {what}: {e}. This is a bug in the provider."),
        ))
    })?;
    Ok(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

fn string_kind(text: &str) -> i32 {
    if text.is_empty() {
        pb::StringKind::Plain as i32
    } else {
        pb::StringKind::Markdown as i32
    }
}

pub fn identity_schema(s: &super::IdentitySchema) -> pb::ResourceIdentitySchema {
    let mut identity_attributes: Vec<_> = s
        .attributes
        .iter()
        .map(|a| pb::resource_identity_schema::IdentityAttribute {
            name: a.name.clone(),
            r#type: a.ty.to_json(),
            required_for_import: a.required_for_import,
            optional_for_import: !a.required_for_import,
            description: a.description.clone(),
        })
        .collect();
    identity_attributes.sort_by(|x, y| x.name.cmp(&y.name));
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes,
    }
}

pub fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    // Terraform sorts by name itself; sorting here keeps GetProviderSchema
    // output byte-stable for golden tests.
    let mut attributes: Vec<_> = b.attributes.iter().map(attribute).collect();
    attributes.sort_by(|x, y| x.name.cmp(&y.name));
    let mut block_types: Vec<_> = b.blocks.iter().map(nested_block).collect();
    block_types.sort_by(|x, y| x.type_name.cmp(&y.type_name));
    pb::schema::Block {
        version,
        attributes,
        block_types,
        description: b.description.clone(),
        description_kind: string_kind(&b.description),
        deprecated: b.deprecated,
        deprecation_message: String::new(),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (ty, nested_type) = match &a.ty {
        AttributeType::Type(t) => (t.to_json(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => {
            use pb::schema::object::NestingMode as M;
            let mut attrs: Vec<_> = attributes.iter().map(attribute).collect();
            attrs.sort_by(|x, y| x.name.cmp(&y.name));
            let mode = match nesting {
                NestingMode::Single | NestingMode::Group => M::Single,
                NestingMode::List => M::List,
                NestingMode::Set => M::Set,
                NestingMode::Map => M::Map,
            };
            #[allow(deprecated)]
            let object = pb::schema::Object {
                attributes: attrs,
                nesting: mode as i32,
                min_items: 0,
                max_items: 0,
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type: ty,
        description: a.description.clone(),
        required: a.required,
        optional: a.optional,
        computed: a.computed,
        sensitive: a.sensitive,
        description_kind: string_kind(&a.description),
        deprecated: a.deprecated,
        nested_type,
        write_only: a.write_only,
        deprecation_message: a.deprecation_message.clone(),
    }
}

fn nested_block(nb: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as M;
    let mode = match nb.nesting {
        NestingMode::Single => M::Single,
        NestingMode::Group => M::Group,
        NestingMode::List => M::List,
        NestingMode::Set => M::Set,
        NestingMode::Map => M::Map,
    };
    pb::schema::NestedBlock {
        type_name: nb.name.clone(),
        block: Some(block(&nb.block, 0)),
        nesting: mode as i32,
        min_items: nb.min_items,
        max_items: nb.max_items,
    }
}

fn parameter(p: &Parameter) -> pb::function::Parameter {
    pb::function::Parameter {
        name: p.name.clone(),
        r#type: p.ty.to_json(),
        allow_null_value: p.allow_null,
        allow_unknown_values: p.allow_unknown,
        description: p.description.clone(),
        description_kind: string_kind(&p.description),
    }
}

pub fn function(s: &FunctionSignature) -> pb::Function {
    pb::Function {
        parameters: s.parameters.iter().map(parameter).collect(),
        variadic_parameter: s.variadic.as_ref().map(parameter),
        r#return: Some(pb::function::Return {
            r#type: s.return_type.to_json(),
        }),
        summary: s.summary.clone(),
        description: s.description.clone(),
        description_kind: string_kind(&s.description),
        deprecation_message: s.deprecation_message.clone(),
    }
}

pub fn function_error(e: &FunctionError) -> pb::FunctionError {
    pb::FunctionError {
        text: e.text.clone(),
        function_argument: e.argument.and_then(|i| i64::try_from(i).ok()),
    }
}

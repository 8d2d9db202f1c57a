//! Registry-style markdown documentation rendered from a [`Schema`], and the
//! generated regions of hand-written docs pages.
//!
//! A page keeps its prose and examples by hand and marks the parts that come
//! from the schema with HTML comments, which registry markdown does not show:
//!
//! ```markdown
//! ## Argument Reference
//!
//! Hand-written notes stay here.
//!
//! <!-- schema:arguments:begin (generated from the schema) -->
//! - `name` - (Required, String) The network's name.
//! <!-- schema:arguments:end -->
//! ```
//!
//! [`fill_regions`] replaces what is between such markers with freshly
//! rendered text and leaves everything else as it is; a page is up to date
//! when that changes nothing.
//!
//! [`arguments`] lists what a configuration may set (required and optional
//! attributes, nested blocks, each with its type, flags such as "Forces
//! replacement", "Sensitive" and defaults, and its description), followed by
//! one section per nested block or object; [`attributes`] lists the
//! read-only (computed-only) attributes.

use std::fmt::{self, Write as _};

use crate::schema::{Attribute, AttributeType, NestedBlock, NestingMode, Schema};
use crate::value::{Type, Value};

/// Name of the region that [`arguments`] renders.
pub const ARGUMENTS: &str = "arguments";
/// Name of the region that [`attributes`] renders.
pub const ATTRIBUTES: &str = "attributes";

/// Name of the region that [`function_signature`] renders.
pub const SIGNATURE: &str = "signature";

/// A provider function's call as configuration writes it, with a list of its parameters and its
/// result type.
pub fn function_signature(
    provider: &str,
    name: &str,
    signature: &crate::framework::FunctionSignature,
) -> String {
    let mut params: Vec<String> = signature
        .parameters
        .iter()
        .map(|p| p.name.clone())
        .collect();
    if let Some(v) = &signature.variadic {
        params.push(format!("{}...", v.name));
    }
    let mut out = format!(
        "```text\nprovider::{provider}::{name}({}) -> {}\n```\n\n",
        params.join(", "),
        type_name(&signature.return_type)
    );
    for (i, p) in signature
        .parameters
        .iter()
        .chain(&signature.variadic)
        .enumerate()
    {
        let _ = writeln!(
            out,
            "{}. `{}` - ({}) {}",
            i + 1,
            p.name,
            type_name(&p.ty).replace("Dynamic", "Any type"),
            p.description
        );
    }
    let _ = writeln!(
        out,
        "\nReturns: {}.",
        type_name(&signature.return_type).replace("Dynamic", "Any type")
    );
    out
}

/// The markdown list of everything a configuration may set, with a section
/// per nested block (and per object-typed or nested attribute) below it.
/// Read-only attributes of nested blocks appear in their block's section.
pub fn arguments(schema: &Schema) -> String {
    let mut out = Markdown::default();
    let block = &schema.block;
    let top: Vec<Item<'_>> = block
        .attributes
        .iter()
        .filter(|a| !read_only(a))
        .map(Item::Attribute)
        .chain(block.blocks.iter().map(Item::Block))
        .collect();
    out.list(&top, Role::Argument);
    out.sections(&top, "");
    out.finish()
}

/// The markdown list of the read-only attributes (set by the provider, never
/// by configuration), with a section per object-typed attribute below it.
pub fn attributes(schema: &Schema) -> String {
    let mut out = Markdown::default();
    let top: Vec<Item<'_>> = schema
        .block
        .attributes
        .iter()
        .filter(|a| read_only(a))
        .map(Item::Attribute)
        .collect();
    out.list(&top, Role::Exported);
    out.sections(&top, "");
    out.finish()
}

/// Set by the provider only: belongs to the attribute reference.
fn read_only(attribute: &Attribute) -> bool {
    attribute.computed && !attribute.optional && !attribute.required
}

/// One entry of a rendered list.
#[derive(Clone, Copy)]
enum Item<'a> {
    Attribute(&'a Attribute),
    Block(&'a NestedBlock),
}

/// Whether a list documents arguments (flags say Required/Optional/Read-only)
/// or exported attributes (every entry is read-only, so no such flag).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Argument,
    Exported,
}

#[derive(Default)]
struct Markdown {
    text: String,
}

impl Markdown {
    fn finish(self) -> String {
        self.text.trim_end().to_owned()
    }

    fn paragraph_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    fn list(&mut self, items: &[Item<'_>], role: Role) {
        if items.is_empty() {
            return;
        }
        self.paragraph_break();
        for item in items {
            let (name, flags, description) = match item {
                Item::Attribute(a) => (&a.name, attribute_flags(a, role), describe(a)),
                Item::Block(b) => (&b.name, block_flags(b), block_description(b)),
            };
            let _ = write!(self.text, "- `{name}` - ({})", flags.join(", "));
            let description = description.trim();
            if !description.is_empty() {
                self.text.push(' ');
                self.text.push_str(&indent_continuation(description));
            }
            self.text.push('\n');
        }
    }

    /// A section for each item that has parts of its own (nested blocks,
    /// nested attributes, object fields), depth first, named by its path.
    fn sections(&mut self, items: &[Item<'_>], parent: &str) {
        for item in items {
            match item {
                Item::Block(b) => {
                    let path = join(parent, &b.name);
                    let inner: Vec<Item<'_>> = b
                        .block
                        .attributes
                        .iter()
                        .map(Item::Attribute)
                        .chain(b.block.blocks.iter().map(Item::Block))
                        .collect();
                    self.heading(&format!("The `{path}` block supports:"));
                    self.list(&inner, Role::Argument);
                    self.sections(&inner, &path);
                }
                Item::Attribute(a) => self.attribute_sections(a, parent),
            }
        }
    }

    fn attribute_sections(&mut self, attribute: &Attribute, parent: &str) {
        let path = join(parent, &attribute.name);
        match &attribute.ty {
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let inner: Vec<Item<'_>> = attributes.iter().map(Item::Attribute).collect();
                let role = if read_only(attribute) {
                    Role::Exported
                } else {
                    Role::Argument
                };
                self.heading(&object_heading(&path, *nesting));
                self.list(&inner, role);
                self.sections(&inner, &path);
            }
            AttributeType::Type(ty) => self.object_fields(ty, &path),
        }
    }

    /// Object types carry no descriptions: their fields are listed with
    /// their types, so that every name a value can have is on the page.
    fn object_fields(&mut self, ty: &Type, path: &str) {
        let (nesting, object) = match ty {
            Type::Object { .. } => (NestingMode::Single, ty),
            Type::List(element) => (NestingMode::List, element.as_ref()),
            Type::Set(element) => (NestingMode::Set, element.as_ref()),
            Type::Map(element) => (NestingMode::Map, element.as_ref()),
            _ => return,
        };
        let Type::Object { attributes, .. } = object else {
            return;
        };
        self.heading(&object_heading(path, nesting));
        for (name, field) in attributes {
            let _ = writeln!(self.text, "- `{name}` - ({})", type_name(field));
        }
        for (name, field) in attributes {
            self.object_fields(field, &join(path, name));
        }
    }

    fn heading(&mut self, text: &str) {
        self.paragraph_break();
        self.text.push_str(text);
        self.text.push_str("\n\n");
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

fn object_heading(path: &str, nesting: NestingMode) -> String {
    match nesting {
        NestingMode::Single | NestingMode::Group => format!("The `{path}` object has:"),
        NestingMode::List | NestingMode::Set => format!("Each object in `{path}` has:"),
        NestingMode::Map => format!("Each value in the `{path}` map is an object with:"),
    }
}

/// Continuation lines of a multi-line description are indented so that they
/// stay inside the list item; blank lines stay blank.
fn indent_continuation(text: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    out
}

fn describe(attribute: &Attribute) -> String {
    let description = attribute.description.trim();
    if attribute.deprecated && !attribute.deprecation_message.trim().is_empty() {
        let message = attribute.deprecation_message.trim();
        if description.is_empty() {
            format!("Deprecated: {message}")
        } else {
            format!("{description} Deprecated: {message}")
        }
    } else {
        description.to_owned()
    }
}

fn block_description(block: &NestedBlock) -> String {
    block.block.description.trim().to_owned()
}

fn attribute_flags(attribute: &Attribute, role: Role) -> Vec<String> {
    let mut flags = Vec::new();
    if role == Role::Argument {
        flags.push(
            if attribute.required {
                "Required"
            } else if read_only(attribute) {
                "Read-only"
            } else {
                "Optional"
            }
            .to_owned(),
        );
    }
    flags.push(match &attribute.ty {
        AttributeType::Type(ty) => type_name(ty),
        AttributeType::Nested { nesting, .. } => nested_type_name(*nesting),
    });
    if attribute.sensitive {
        flags.push("Sensitive".to_owned());
    }
    if attribute.write_only {
        flags.push("Write-only".to_owned());
    }
    if attribute.deprecated {
        flags.push("Deprecated".to_owned());
    }
    if attribute.requires_replace {
        flags.push("Forces replacement".to_owned());
    }
    if let Some(default) = &attribute.default {
        flags.push(format!("Default `{}`", Hcl(default)));
    }
    flags
}

fn block_flags(block: &NestedBlock) -> Vec<String> {
    let mut flags = vec![
        if block.min_items > 0 {
            "Required"
        } else {
            "Optional"
        }
        .to_owned(),
        match block.nesting {
            NestingMode::Single | NestingMode::Group => "Block",
            NestingMode::List => "Block list",
            NestingMode::Set => "Block set",
            NestingMode::Map => "Block map",
        }
        .to_owned(),
    ];
    match block.nesting {
        NestingMode::List | NestingMode::Set => {
            if block.min_items > 1 {
                flags.push(format!("at least {}", block.min_items));
            }
            if block.max_items > 0 {
                flags.push(format!("at most {}", block.max_items));
            }
        }
        NestingMode::Single | NestingMode::Group | NestingMode::Map => {}
    }
    if block.block.deprecated {
        flags.push("Deprecated".to_owned());
    }
    if block.requires_replace {
        flags.push("Forces replacement".to_owned());
    }
    flags
}

fn nested_type_name(nesting: NestingMode) -> String {
    match nesting {
        NestingMode::Single | NestingMode::Group => "Object",
        NestingMode::List => "List of Object",
        NestingMode::Set => "Set of Object",
        NestingMode::Map => "Map of Object",
    }
    .to_owned()
}

/// "String", "List of String", "Map of Object", ...
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Bool => "Bool".to_owned(),
        Type::Number => "Number".to_owned(),
        Type::String => "String".to_owned(),
        Type::Dynamic => "Dynamic".to_owned(),
        Type::List(element) => format!("List of {}", type_name(element)),
        Type::Set(element) => format!("Set of {}", type_name(element)),
        Type::Map(element) => format!("Map of {}", type_name(element)),
        Type::Object { .. } => "Object".to_owned(),
        Type::Tuple(_) => "Tuple".to_owned(),
    }
}

/// A value as it would be written in a configuration.
struct Hcl<'a>(&'a Value);

impl fmt::Display for Hcl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::Null => f.write_str("null"),
            Value::Unknown => f.write_str("(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}", Hcl(item))?;
                }
                f.write_str("]")
            }
            Value::Map(entries) | Value::Object(entries) => {
                f.write_str("{")?;
                for (i, (key, item)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{key} = {}", Hcl(item))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A page's generated regions could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionError {
    /// No `<!-- schema:NAME:begin -->` line.
    MissingBegin(String),
    /// A begin line without a matching `<!-- schema:NAME:end -->` line after it.
    MissingEnd(String),
    /// The begin line appears more than once.
    Duplicate(String),
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionError::MissingBegin(name) => {
                write!(f, "no `{}` line", begin_marker(name))
            }
            RegionError::MissingEnd(name) => write!(
                f,
                "`{}` has no `{}` line after it",
                begin_marker(name),
                end_marker(name)
            ),
            RegionError::Duplicate(name) => {
                write!(f, "`{}` appears more than once", begin_marker(name))
            }
        }
    }
}

impl std::error::Error for RegionError {}

/// The line that opens region `name`. Text may follow the name before the
/// closing `-->` (a note for people editing the page).
pub fn begin_marker(name: &str) -> String {
    format!("<!-- schema:{name}:begin -->")
}

/// The line that closes region `name`.
pub fn end_marker(name: &str) -> String {
    format!("<!-- schema:{name}:end -->")
}

fn is_marker(line: &str, name: &str, which: &str) -> bool {
    let line = line.trim();
    line.strip_prefix(&format!("<!-- schema:{name}:{which}"))
        .is_some_and(|rest| rest.ends_with("-->") && (rest == " -->" || rest.starts_with(' ')))
}

/// The page with the content between each region's markers replaced by the
/// given text (one blank line after the begin marker and before the end
/// marker; nothing between them when the text is empty). The marker lines
/// and everything outside them are kept byte for byte.
pub fn fill_regions(page: &str, regions: &[(&str, String)]) -> Result<String, RegionError> {
    let mut out = String::with_capacity(page.len());
    let mut filled = vec![false; regions.len()];
    let mut lines = page.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(index) = regions
            .iter()
            .position(|(name, _)| is_marker(line, name, "begin"))
        else {
            continue;
        };
        let (name, content) = &regions[index];
        if filled[index] {
            return Err(RegionError::Duplicate((*name).to_owned()));
        }
        filled[index] = true;
        if !line.ends_with('\n') {
            out.push('\n');
        }
        let end = lines
            .by_ref()
            .find(|l| is_marker(l, name, "end"))
            .ok_or_else(|| RegionError::MissingEnd((*name).to_owned()))?;
        if !content.trim().is_empty() {
            out.push('\n');
            out.push_str(content.trim_end());
            out.push_str("\n\n");
        }
        out.push_str(end);
    }
    match filled.iter().position(|done| !done) {
        Some(missing) => Err(RegionError::MissingBegin(regions[missing].0.to_owned())),
        None => Ok(out),
    }
}

/// Where two texts first differ: the 1-based line number and that line in
/// each (empty past the end), for messages about stale pages.
pub fn first_difference(old: &str, new: &str) -> Option<(usize, String, String)> {
    if old == new {
        return None;
    }
    let mut old_lines = old.lines();
    let mut new_lines = new.lines();
    let mut number = 0;
    loop {
        number += 1;
        match (old_lines.next(), new_lines.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => {
                // Only line endings differ.
                return Some((number, String::new(), String::new()));
            }
            (a, b) => {
                return Some((
                    number,
                    a.unwrap_or_default().to_owned(),
                    b.unwrap_or_default().to_owned(),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::schema::{Block, TimeoutKind, timeouts_block};

    fn network() -> Schema {
        Schema::new(
            Block::new()
                .attribute(
                    Attribute::string("id")
                        .computed()
                        .description("The network's ID."),
                )
                .attribute(
                    Attribute::string("region")
                        .optional_computed()
                        .requires_replace()
                        .description("The region."),
                )
                .attribute(
                    Attribute::string("name")
                        .required()
                        .description("The name.\n\nNames need not be unique."),
                )
                .attribute(Attribute::bool("admin_state_up").default(true))
                .attribute(Attribute::string("secret").optional().sensitive())
                .attribute(Attribute::set("tags", Type::String).optional())
                .attribute(
                    Attribute::list(
                        "pools",
                        Type::object([("start", Type::String), ("end", Type::String)]),
                    )
                    .computed(),
                )
                .attribute(
                    Attribute::nested(
                        "options",
                        NestingMode::Single,
                        vec![
                            Attribute::number("size").required().description("Size."),
                            Attribute::string("kind").computed(),
                        ],
                    )
                    .optional(),
                )
                .block(
                    NestedBlock::list(
                        "segment",
                        Block::new()
                            .description("A segment.")
                            .attribute(Attribute::number("vlan").required())
                            .attribute(Attribute::string("mac").computed().description("MAC.")),
                    )
                    .max_items(4)
                    .requires_replace(),
                )
                .block(timeouts_block(&[TimeoutKind::Create])),
        )
    }

    #[test]
    fn arguments_list_flags_types_defaults_and_sections() {
        let expected = "\
- `region` - (Optional, String, Forces replacement) The region.
- `name` - (Required, String) The name.

  Names need not be unique.
- `admin_state_up` - (Optional, Bool, Default `true`)
- `secret` - (Optional, String, Sensitive)
- `tags` - (Optional, Set of String)
- `options` - (Optional, Object)
- `segment` - (Optional, Block list, at most 4, Forces replacement) A segment.
- `timeouts` - (Optional, Block) Per-operation time limits, such as \"10m\".

The `options` object has:

- `size` - (Required, Number) Size.
- `kind` - (Read-only, String)

The `segment` block supports:

- `vlan` - (Required, Number)
- `mac` - (Read-only, String) MAC.

The `timeouts` block supports:

- `create` - (Optional, String) How long create may take, as a duration such as \"30s\", \"10m\" or \"1h30m\".";
        assert_eq!(arguments(&network()), expected);
    }

    #[test]
    fn attributes_list_read_only_attributes_and_object_fields() {
        let expected = "\
- `id` - (String) The network's ID.
- `pools` - (List of Object)

Each object in `pools` has:

- `end` - (String)
- `start` - (String)";
        assert_eq!(attributes(&network()), expected);
    }

    fn page(arguments: &str, attributes: &str) -> String {
        format!(
            "# Title\n\nProse.\n\n## Argument Reference\n\nA note.\n\n\
             <!-- schema:arguments:begin (generated) -->\n{arguments}<!-- schema:arguments:end -->\n\n\
             ## Attribute Reference\n\n<!-- schema:attributes:begin -->\n{attributes}<!-- schema:attributes:end -->\n\n\
             ## Import\n"
        )
    }

    fn regions(schema: &Schema) -> Vec<(&'static str, String)> {
        vec![
            (ARGUMENTS, arguments(schema)),
            (ATTRIBUTES, attributes(schema)),
        ]
    }

    #[test]
    fn fill_regions_replaces_only_the_regions() {
        let schema = network();
        let stale = page("- `old` - (Optional) Gone.\n", "");
        let filled = fill_regions(&stale, &regions(&schema)).unwrap();
        assert_eq!(
            filled,
            page(
                &format!("\n{}\n\n", arguments(&schema)),
                &format!("\n{}\n\n", attributes(&schema))
            )
        );
        // A filled page is up to date: filling again changes nothing.
        assert_eq!(fill_regions(&filled, &regions(&schema)).unwrap(), filled);
    }

    #[test]
    fn a_changed_schema_makes_a_filled_page_stale() {
        let schema = network();
        let fresh = fill_regions(&page("", ""), &regions(&schema)).unwrap();
        let mut changed = schema.clone();
        changed.block.attributes[2].description = "Another name.".to_owned();
        let refilled = fill_regions(&fresh, &regions(&changed)).unwrap();
        assert_ne!(refilled, fresh);
        let (line, old, new) = first_difference(&fresh, &refilled).unwrap();
        assert!(old.contains("The name."), "{line}: {old}");
        assert!(new.contains("Another name."), "{line}: {new}");
        // A hand edit inside a region is also undone.
        let edited = fresh.replace("The region.", "The region, edited by hand.");
        assert_ne!(fill_regions(&edited, &regions(&schema)).unwrap(), edited);
    }

    #[test]
    fn empty_content_leaves_the_markers_adjacent() {
        let schema = Schema::new(Block::new().attribute(Attribute::string("name").required()));
        let filled = fill_regions(&page("\n- stale\n\n", "- stale\n"), &regions(&schema)).unwrap();
        assert!(
            filled.contains("<!-- schema:attributes:begin -->\n<!-- schema:attributes:end -->\n")
        );
    }

    #[test]
    fn broken_markers_are_reported() {
        let regions = regions(&network());
        assert_eq!(
            fill_regions("no markers\n", &regions),
            Err(RegionError::MissingBegin("arguments".to_owned()))
        );
        let unclosed = "<!-- schema:arguments:begin -->\n- x\n<!-- schema:attributes:begin -->\n";
        assert_eq!(
            fill_regions(unclosed, &regions),
            Err(RegionError::MissingEnd("arguments".to_owned()))
        );
        let twice = format!("{}{}", page("", ""), page("", ""));
        assert_eq!(
            fill_regions(&twice, &regions),
            Err(RegionError::Duplicate("arguments".to_owned()))
        );
        // A marker must be the whole name, not a prefix of another word.
        let prefix = "<!-- schema:arguments:beginning -->\n<!-- schema:arguments:end -->\n";
        assert_eq!(
            fill_regions(prefix, &regions[..1]),
            Err(RegionError::MissingBegin("arguments".to_owned()))
        );
    }

    #[test]
    fn first_difference_names_the_line() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\n", "a\nc\n"),
            Some((2, "b".to_owned(), "c".to_owned()))
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n"),
            Some((2, String::new(), "b".to_owned()))
        );
    }
}

//! Schemas for providers, resources and data sources, built with small
//! builders:
//!
//! ```
//! use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
//! let schema = Schema::new(
//!     Block::new()
//!         .description("A network.")
//!         .attribute(Attribute::string("id").computed().use_state_for_unknown())
//!         .attribute(Attribute::string("name").required())
//!         .attribute(Attribute::string("region").optional().computed().requires_replace())
//!         .attribute(Attribute::bool("admin_state_up").optional().default(true))
//!         .block(NestedBlock::list(
//!             "segment",
//!             Block::new().attribute(Attribute::number("segmentation_id").optional()),
//!         ).max_items(4)),
//! )
//! .version(1);
//! # let _ = schema;
//! ```
//!
//! Attributes and blocks keep the order they were added in; Terraform sorts
//! them by name anyway, so the order only matters for documentation.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::diagnostics::{AttributePath, Diagnostics};
use crate::value::{Type, Value};

/// A resource, data source or provider schema.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    /// Resource schema version; state written with an older version is
    /// passed to the resource's `upgrade_state`.
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(block: Block) -> Self {
        Self { version: 0, block }
    }

    pub fn version(mut self, version: i64) -> Self {
        self.version = version;
        self
    }

    /// The object type of the whole configuration/state value.
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }
}

impl Schema {
    /// Checks the schema for mistakes Terraform rejects when it loads the
    /// provider (or that make plans fail later): bad names, duplicates,
    /// contradictory flags, item limits the nesting mode does not allow.
    /// The dispatcher reports these on GetProviderSchema; call it in a unit
    /// test of each resource to catch them without a client.
    pub fn validate(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        validate_block(&self.block, &AttributePath::root(), &mut diags);
        diags
    }
}

fn schema_error(diags: &mut Diagnostics, path: &AttributePath, detail: impl Into<String>) {
    diags.error(
        "Invalid provider schema",
        format!("{path}: {}; this is a bug in the provider.", detail.into()),
    );
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn validate_block(block: &Block, path: &AttributePath, diags: &mut Diagnostics) {
    let mut seen = std::collections::BTreeSet::new();
    let names = block
        .attributes
        .iter()
        .map(|a| &a.name)
        .chain(block.blocks.iter().map(|b| &b.name));
    for name in names {
        if !seen.insert(name.as_str()) {
            schema_error(diags, path, format!("{name:?} is defined twice"));
        }
    }
    validate_attributes(&block.attributes, path, diags);
    for nb in &block.blocks {
        let p = path.clone().join_attr(nb.name.clone());
        if !valid_name(&nb.name) {
            schema_error(diags, &p, "block names use lowercase letters, digits and _");
        }
        let (min, max) = (nb.min_items, nb.max_items);
        let limits_ok = match nb.nesting {
            NestingMode::Single => min == max && (0..=1).contains(&min),
            NestingMode::Group | NestingMode::Map => min == 0 && max == 0,
            NestingMode::List | NestingMode::Set => {
                min >= 0 && max >= 0 && (max == 0 || min <= max)
            }
        };
        if !limits_ok {
            schema_error(
                diags,
                &p,
                format!(
                    "min_items {min} / max_items {max} do not fit {:?} nesting",
                    nb.nesting
                ),
            );
        }
        validate_block(&nb.block, &p, diags);
    }
}

fn validate_attributes(attrs: &[Attribute], path: &AttributePath, diags: &mut Diagnostics) {
    for a in attrs {
        let p = path.clone().join_attr(a.name.clone());
        if !valid_name(&a.name) {
            schema_error(
                diags,
                &p,
                "attribute names use lowercase letters, digits and _",
            );
        }
        if !(a.required || a.optional || a.computed) {
            schema_error(diags, &p, "must be required, optional or computed");
        }
        if a.required && (a.optional || a.computed) {
            schema_error(
                diags,
                &p,
                "required cannot be combined with optional or computed",
            );
        }
        if a.default.is_some() && !a.computed {
            schema_error(diags, &p, "an attribute with a default must be computed");
        }
        if a.write_only && a.computed {
            schema_error(diags, &p, "write-only attributes cannot be computed");
        }
        if a.write_only && (a.requires_replace || a.use_state_for_unknown || a.default.is_some()) {
            schema_error(
                diags,
                &p,
                "write-only attributes are never in plan or state, so plan flags cannot apply",
            );
        }
        if a.use_state_for_unknown && !a.computed {
            schema_error(
                diags,
                &p,
                "use_state_for_unknown needs a computed attribute",
            );
        }
        if let AttributeType::Nested { attributes, .. } = &a.ty {
            validate_attributes(attributes, &p, diags);
        }
    }
}

/// A block: attributes plus nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Markdown.
    pub description: String,
    pub deprecated: bool,
    /// Checks across the block's attributes, run at validate time.
    pub rules: Vec<BlockRule>,
}

/// A check across several attributes of one block, run on configuration
/// before the resource's own `validate`. Only known values count as set:
/// an unknown value may still turn out null.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockRule {
    /// At most one of these may be set.
    ConflictsWith(Vec<&'static str>),
    /// Exactly one of these must be set.
    ExactlyOneOf(Vec<&'static str>),
    /// At least one of these must be set.
    AtLeastOneOf(Vec<&'static str>),
    /// When the first is set, the others must be set too.
    RequiredWith(Vec<&'static str>),
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    /// Markdown description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// Adds a check across attributes.
    pub fn rule(mut self, rule: BlockRule) -> Self {
        self.rules.push(rule);
        self
    }

    pub fn get_attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn get_block(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The object type of values of this block.
    pub fn value_type(&self) -> Type {
        let attrs = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .chain(self.blocks.iter().map(|b| (b.name.clone(), b.value_type())));
        Type::object(attrs)
    }
}

/// How a nested block or nested attribute repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestingMode {
    /// At most one; absent is null.
    Single,
    /// Exactly one; absent means all attributes null (blocks only).
    Group,
    List,
    Set,
    /// Keyed by label (blocks) or map key (nested attributes).
    Map,
}

impl NestingMode {
    fn wrap(self, object: Type) -> Type {
        match self {
            NestingMode::Single | NestingMode::Group => object,
            NestingMode::List => Type::list(object),
            NestingMode::Set => Type::set(object),
            NestingMode::Map => Type::map(object),
        }
    }
}

/// A nested block such as `timeouts { ... }` or repeated `rule { ... }`.
#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: NestingMode,
    pub block: Block,
    /// 0 means no minimum.
    pub min_items: i64,
    /// 0 means no maximum.
    pub max_items: i64,
    /// Any change to the block's content replaces the resource.
    pub requires_replace: bool,
}

impl NestedBlock {
    pub fn new(name: impl Into<String>, nesting: NestingMode, block: Block) -> Self {
        Self {
            name: name.into(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
            requires_replace: false,
        }
    }

    pub fn single(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::Single, block)
    }

    pub fn list(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::List, block)
    }

    pub fn set(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::Set, block)
    }

    pub fn map(name: impl Into<String>, block: Block) -> Self {
        Self::new(name, NestingMode::Map, block)
    }

    pub fn min_items(mut self, n: i64) -> Self {
        self.min_items = n;
        self
    }

    pub fn max_items(mut self, n: i64) -> Self {
        self.max_items = n;
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn value_type(&self) -> Type {
        self.nesting.wrap(self.block.value_type())
    }
}

/// Checks one attribute's known, non-null configuration value.
///
/// Closures `Fn(&Value, &AttributePath, &mut Diagnostics)` implement it.
pub trait Validator: Send + Sync {
    fn validate(&self, value: &Value, path: &AttributePath, diagnostics: &mut Diagnostics);
}

impl<F> Validator for F
where
    F: Fn(&Value, &AttributePath, &mut Diagnostics) + Send + Sync,
{
    fn validate(&self, value: &Value, path: &AttributePath, diagnostics: &mut Diagnostics) {
        self(value, path, diagnostics)
    }
}

/// The value type of an attribute: a cty type or nested attributes.
#[derive(Clone, Debug)]
pub enum AttributeType {
    Type(Type),
    Nested {
        nesting: NestingMode,
        attributes: Vec<Attribute>,
    },
}

/// An attribute, with its plan behaviour and validators.
#[derive(Clone)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    /// Markdown.
    pub description: String,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    /// Never stored in plan or state (protocol 6.8+, Terraform 1.11+).
    pub write_only: bool,
    pub deprecated: bool,
    pub deprecation_message: String,
    /// A change replaces the resource (only when a prior state exists).
    pub requires_replace: bool,
    /// An unknown planned value takes the prior state's value instead.
    pub use_state_for_unknown: bool,
    /// Planned when the configuration leaves the attribute null.
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
    /// Whether `optional()` was called, so `computed()` keeps it.
    optional_chosen: bool,
}

impl fmt::Debug for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attribute")
            .field("name", &self.name)
            .field("ty", &self.ty)
            .field("required", &self.required)
            .field("optional", &self.optional)
            .field("computed", &self.computed)
            .field("sensitive", &self.sensitive)
            .field("write_only", &self.write_only)
            .field("requires_replace", &self.requires_replace)
            .field("use_state_for_unknown", &self.use_state_for_unknown)
            .field("default", &self.default)
            .field("validators", &self.validators.len())
            .finish_non_exhaustive()
    }
}

impl Attribute {
    /// An attribute of any cty type. Until one of `required`, `optional` or
    /// `computed` is called it is optional.
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self::with_type(name, AttributeType::Type(ty))
    }

    fn with_type(name: impl Into<String>, ty: AttributeType) -> Self {
        Self {
            name: name.into(),
            ty,
            description: String::new(),
            required: false,
            optional: true,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            deprecation_message: String::new(),
            requires_replace: false,
            use_state_for_unknown: false,
            default: None,
            validators: Vec::new(),
            optional_chosen: false,
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }

    pub fn list(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::list(element))
    }

    pub fn set(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::set(element))
    }

    pub fn map(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::map(element))
    }

    /// Nested attributes (`attr = { ... }` / `attr = [{ ... }]` syntax; protocol 6 only).
    pub fn nested(
        name: impl Into<String>,
        nesting: NestingMode,
        attributes: Vec<Attribute>,
    ) -> Self {
        Self::with_type(
            name,
            AttributeType::Nested {
                nesting,
                attributes,
            },
        )
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self.computed = false;
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self.optional = true;
        self.optional_chosen = true;
        self
    }

    /// Set by the provider. Combine with `optional()` for "optional, else
    /// the cloud decides".
    pub fn computed(mut self) -> Self {
        self.required = false;
        self.computed = true;
        // A bare `.computed()` means read-only; `.optional().computed()` keeps optional.
        if !self.optional_chosen {
            self.optional = false;
        }
        self
    }

    /// Optional in configuration, computed by the provider when absent;
    /// the same as `.optional().computed()`.
    pub fn optional_computed(self) -> Self {
        self.optional().computed()
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    pub fn deprecated(mut self, message: impl Into<String>) -> Self {
        self.deprecated = true;
        self.deprecation_message = message.into();
        self
    }

    /// Markdown description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// The value planned when configuration leaves the attribute null. Makes
    /// the attribute optional and computed, as Terraform requires for a
    /// planned value that differs from configuration.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self.optional_computed()
    }

    pub fn validator(mut self, validator: impl Validator + 'static) -> Self {
        self.validators.push(Arc::new(validator));
        self
    }

    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Type(t) => t.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let object = Type::Object {
                    attributes: attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.value_type()))
                        .collect(),
                    optional: attributes
                        .iter()
                        .filter(|a| !a.required)
                        .map(|a| a.name.clone())
                        .collect(),
                };
                nesting.wrap(object)
            }
        }
    }
}

/// Ready-made validators.
pub mod validators {
    use super::Validator;
    use crate::diagnostics::{AttributePath, Diagnostics};
    use crate::value::Value;

    /// The string must be one of `allowed`.
    pub fn one_of(allowed: &'static [&'static str]) -> impl Validator {
        move |v: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if let Some(s) = v.as_str()
                && !allowed.contains(&s)
            {
                diags.error_at(
                    path.clone(),
                    "Invalid value",
                    format!("{s:?} is not one of: {}", allowed.join(", ")),
                );
            }
        }
    }

    /// The number must be an integer within `min..=max`.
    pub fn int_between(min: i64, max: i64) -> impl Validator {
        move |v: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if let Some(n) = v.as_number() {
                match n.to_i64() {
                    Some(i) if (min..=max).contains(&i) => {}
                    _ => diags.error_at(
                        path.clone(),
                        "Invalid value",
                        format!("{n} is not a whole number between {min} and {max}"),
                    ),
                }
            }
        }
    }

    /// The string must not be empty.
    pub fn non_empty() -> impl Validator {
        |v: &Value, path: &AttributePath, diags: &mut Diagnostics| {
            if v.as_str() == Some("") {
                diags.error_at(path.clone(), "Invalid value", "must not be empty");
            }
        }
    }
}

/// Operations a `timeouts` block may configure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    Create,
    Read,
    Update,
    Delete,
}

impl TimeoutKind {
    pub fn name(self) -> &'static str {
        match self {
            TimeoutKind::Create => "create",
            TimeoutKind::Read => "read",
            TimeoutKind::Update => "update",
            TimeoutKind::Delete => "delete",
        }
    }
}

/// The name of the standard timeouts block.
pub const TIMEOUTS: &str = "timeouts";

/// The standard `timeouts { create = "10m" }` block for the given operations.
/// Values use Go duration syntax ("30s", "10m", "1h30m") and are checked at
/// validate time.
pub fn timeouts_block(kinds: &[TimeoutKind]) -> NestedBlock {
    let mut block = Block::new().description("Per-operation time limits, such as \"10m\".");
    for kind in kinds {
        block = block.attribute(
            Attribute::string(kind.name())
                .optional()
                .description(format!(
                    "How long {} may take, as a duration such as \"30s\", \"10m\" or \"1h30m\".",
                    kind.name()
                ))
                .validator(|v: &Value, path: &AttributePath, diags: &mut Diagnostics| {
                    if let Some(s) = v.as_str()
                        && parse_duration(s).is_none()
                    {
                        diags.error_at(
                            path.clone(),
                            "Invalid duration",
                            format!(
                                "{s:?} is not a duration such as \"30s\", \"10m\" or \"1h30m\""
                            ),
                        );
                    }
                }),
        );
    }
    NestedBlock::single(TIMEOUTS, block)
}

/// Timeouts read from a resource's configuration, plan or state object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub read: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

impl Timeouts {
    /// Reads the `timeouts` block of a resource object. A missing, null or
    /// unknown block, or null entries, mean "use the default".
    pub fn from_resource(object: &Value) -> Result<Timeouts, Diagnostics> {
        let mut out = Timeouts::default();
        let Some(block) = object.attr(TIMEOUTS) else {
            return Ok(out);
        };
        let mut diags = Diagnostics::new();
        for kind in [
            TimeoutKind::Create,
            TimeoutKind::Read,
            TimeoutKind::Update,
            TimeoutKind::Delete,
        ] {
            let Some(text) = block.attr(kind.name()).and_then(Value::as_str) else {
                continue;
            };
            match parse_duration(text) {
                Some(d) => *out.slot(kind) = Some(d),
                None => diags.error_at(
                    AttributePath::attr(TIMEOUTS).join_attr(kind.name()),
                    "Invalid duration",
                    format!("{text:?} is not a duration such as \"30s\", \"10m\" or \"1h30m\""),
                ),
            }
        }
        diags.into_result().map(|()| out)
    }

    fn slot(&mut self, kind: TimeoutKind) -> &mut Option<Duration> {
        match kind {
            TimeoutKind::Create => &mut self.create,
            TimeoutKind::Read => &mut self.read,
            TimeoutKind::Update => &mut self.update,
            TimeoutKind::Delete => &mut self.delete,
        }
    }

    pub fn create_or(&self, default: Duration) -> Duration {
        self.create.unwrap_or(default)
    }

    pub fn read_or(&self, default: Duration) -> Duration {
        self.read.unwrap_or(default)
    }

    pub fn update_or(&self, default: Duration) -> Duration {
        self.update.unwrap_or(default)
    }

    pub fn delete_or(&self, default: Duration) -> Duration {
        self.delete.unwrap_or(default)
    }
}

/// Parses a Go-style duration: a sequence of decimal numbers with units
/// `ns`, `us`/`µs`, `ms`, `s`, `m`, `h` ("1h30m", "1.5s", "0"). Negative
/// durations are rejected.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let s = text.trim();
    if s == "0" {
        return Some(Duration::ZERO);
    }
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return None;
        }
        let value: f64 = num.parse().ok()?;
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * scale;
        rest = next;
    }
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10m"), Some(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        for bad in ["", "10", "m", "10x", "-5m", "1h-1m", "ten minutes"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn timeouts_from_resource_names_the_attribute() {
        let obj = Value::object([(
            TIMEOUTS,
            Value::object([
                ("create", Value::from("soon")),
                ("delete", Value::from("5m")),
            ]),
        )]);
        let err = Timeouts::from_resource(&obj).unwrap_err();
        let diag = err.iter().next().unwrap();
        assert_eq!(
            diag.attribute.as_ref().unwrap().to_string(),
            "timeouts.create"
        );
        let ok = Value::object([(TIMEOUTS, Value::object([("delete", Value::from("5m"))]))]);
        let t = Timeouts::from_resource(&ok).unwrap();
        assert_eq!(t.delete_or(Duration::ZERO), Duration::from_secs(300));
        assert_eq!(t.create_or(Duration::from_secs(7)), Duration::from_secs(7));
    }

    #[test]
    fn validate_finds_schema_mistakes() {
        let good = Schema::new(
            Block::new()
                .attribute(Attribute::string("id").computed().use_state_for_unknown())
                .attribute(Attribute::string("name").required())
                .block(timeouts_block(&[TimeoutKind::Create]))
                .block(NestedBlock::list("rule", Block::new()).max_items(3)),
        );
        assert!(good.validate().is_empty(), "{}", good.validate());
        let bad = Schema::new(
            Block::new()
                .attribute(Attribute::string("Name").required())
                .attribute(Attribute::string("x").use_state_for_unknown())
                .attribute(Attribute::string("pw").write_only().requires_replace())
                .attribute(Attribute::string("x"))
                .block(NestedBlock::single("one", Block::new()).min_items(1))
                .block(
                    NestedBlock::list("many", Block::new())
                        .min_items(3)
                        .max_items(2),
                ),
        );
        let text = bad.validate().to_string();
        for expected in [
            "Name: attribute names",
            "x: use_state_for_unknown",
            "pw: write-only",
            "\"x\" is defined twice",
            "one: min_items 1 / max_items 0",
            "many: min_items 3 / max_items 2",
        ] {
            assert!(text.contains(expected), "{expected} missing in:\n{text}");
        }
    }

    #[test]
    fn flags() {
        let a = Attribute::string("x").computed();
        assert!(a.computed && !a.optional && !a.required);
        let a = Attribute::string("x").optional_computed();
        assert!(a.computed && a.optional);
        let a = Attribute::string("x").optional().computed();
        assert!(a.computed && a.optional);
        let a = Attribute::string("x").computed().optional();
        assert!(a.computed && a.optional);
        let a = Attribute::bool("x").default(true);
        assert!(a.computed && a.optional);
        let a = Attribute::string("x").required();
        assert!(a.required && !a.optional);
    }
}

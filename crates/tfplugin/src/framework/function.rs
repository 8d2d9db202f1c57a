//! Provider-defined functions (`provider::NAME::FUNCTION(...)` in configuration; Terraform 1.8 and
//! later, OpenTofu 1.7 and later).
//!
//! Functions are pure: Terraform may call them before the provider is configured, during
//! validation, any number of times, and expects the same answer for the same arguments. They get
//! no [`super::Ctx`] and no provider data.
//!
//! Write a [`TypedFunction`]: its parameter and return types come from the Rust types of its
//! arguments and result ([`TfType`]), and its arguments arrive decoded. Register it with
//! [`typed_function`] in [`super::Provider::functions`].
//!
//! ```
//! use tfplugin::framework::{FunctionError, TypedFunction};
//!
//! struct Shout;
//!
//! impl TypedFunction for Shout {
//!     const NAME: &'static str = "shout";
//!     const SUMMARY: &'static str = "Upper-cases a text.";
//!     const DESCRIPTION: &'static str = "Returns `text` in capitals; an empty text is an error.";
//!     const PARAMETERS: &'static [(&'static str, &'static str)] = &[("text", "What to shout.")];
//!     type Args = (String,);
//!     type Output = String;
//!
//!     fn call(&self, (text,): (String,)) -> Result<String, FunctionError> {
//!         if text.is_empty() {
//!             return Err(FunctionError::argument(0, "text is empty; give at least one character."));
//!         }
//!         Ok(text.to_uppercase())
//!     }
//! }
//! ```

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::TfType;
use crate::value::{Type, Value, from_value, to_value};

/// Why a call failed. Terraform shows `text`; with `argument` it points at that argument
/// (0-based) in the calling expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<usize>,
}

impl FunctionError {
    /// An error that is not about one argument.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: None,
        }
    }

    /// An error about argument `index` (0-based).
    pub fn argument(index: usize, text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            argument: Some(index),
        }
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.argument {
            Some(i) => write!(f, "argument {}: {}", i + 1, self.text),
            None => f.write_str(&self.text),
        }
    }
}

impl std::error::Error for FunctionError {}

/// One parameter of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Whether null may be passed; otherwise Terraform refuses a null argument itself.
    pub allow_null: bool,
    /// Whether the function is called with unknown values; otherwise Terraform answers
    /// unknown itself without calling it.
    pub allow_unknown: bool,
}

impl Parameter {
    pub fn new(name: impl Into<String>, ty: Type, description: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ty,
            description: description.into(),
            allow_null: false,
            allow_unknown: false,
        }
    }
}

/// What Terraform is told about a function: its parameters, its result type and its docs.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSignature {
    pub summary: String,
    pub description: String,
    pub parameters: Vec<Parameter>,
    /// A last parameter that takes any number of arguments.
    pub variadic: Option<Parameter>,
    pub return_type: Type,
    pub deprecation_message: String,
}

/// A function as the protocol sees it: decoded argument values in, a value out.
pub trait Function: Send + Sync + 'static {
    /// The name after `provider::NAME::`.
    fn name(&self) -> &str;

    fn signature(&self) -> FunctionSignature;

    /// Calls the function with one value per parameter (decoded with its type), then the
    /// variadic ones.
    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}

/// The arguments of a [`TypedFunction`]: a tuple of types that stand for Terraform types.
pub trait FunctionArgs: Sized {
    /// The parameter types, in order.
    fn types() -> Vec<Type>;

    /// Decodes the argument values; an error names the argument.
    fn from_values(values: &[Value]) -> Result<Self, FunctionError>;
}

fn argument<T: DeserializeOwned>(values: &[Value], index: usize) -> Result<T, FunctionError> {
    let value = values.get(index).ok_or_else(|| {
        FunctionError::argument(
            index,
            "missing; the client sent fewer arguments than declared",
        )
    })?;
    from_value(value).map_err(|e| FunctionError::argument(index, e.to_string()))
}

macro_rules! function_args {
    ($(($($t:ident $i:tt),+))+) => {$(
        impl<$($t: TfType + DeserializeOwned),+> FunctionArgs for ($($t,)+) {
            fn types() -> Vec<Type> {
                vec![$($t::tf_type()),+]
            }

            fn from_values(values: &[Value]) -> Result<Self, FunctionError> {
                Ok(($(argument::<$t>(values, $i)?,)+))
            }
        }
    )+};
}

function_args! {
    (A 0)
    (A 0, B 1)
    (A 0, B 1, C 2)
    (A 0, B 1, C 2, D 3)
}

/// A function written against Rust types. The parameter types are those of `Args`, the return
/// type that of `Output`.
pub trait TypedFunction: Send + Sync + 'static {
    /// The name after `provider::NAME::`.
    const NAME: &'static str;
    /// One line, shown by editors.
    const SUMMARY: &'static str;
    /// Markdown.
    const DESCRIPTION: &'static str;
    /// Name and description of each parameter, in the order of `Args`.
    const PARAMETERS: &'static [(&'static str, &'static str)];

    type Args: FunctionArgs;
    type Output: Serialize + TfType;

    fn call(&self, args: Self::Args) -> Result<Self::Output, FunctionError>;
}

struct Typed<F>(F);

impl<F: TypedFunction> Function for Typed<F> {
    fn name(&self) -> &str {
        F::NAME
    }

    fn signature(&self) -> FunctionSignature {
        Self::signature_of()
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let args = F::Args::from_values(&args)?;
        let output = self.0.call(args)?;
        to_value(&output, &F::Output::tf_type()).map_err(|e| {
            FunctionError::new(format!(
                "the result does not match the declared type: {e}; this is a bug in the provider"
            ))
        })
    }
}

/// A [`TypedFunction`] as a [`Function`], for [`super::Provider::functions`].
pub fn typed_function<F: TypedFunction>(function: F) -> Arc<dyn Function> {
    Arc::new(Typed(function))
}

/// Problems with a function's declaration: a parameter count that does not match its
/// descriptions, an unnamed or repeated parameter, a name Terraform would refuse.
pub fn signature_problems(name: &str, signature: &FunctionSignature) -> Vec<String> {
    let mut problems = Vec::new();
    let valid_name = |n: &str| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !valid_name(name) {
        problems.push(format!(
            "function name {name:?} must be letters, digits and underscores, starting with a letter"
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for p in signature.parameters.iter().chain(&signature.variadic) {
        if !valid_name(&p.name) {
            problems.push(format!("{name}: parameter name {:?} is not valid", p.name));
        }
        if !seen.insert(p.name.as_str()) {
            problems.push(format!("{name}: parameter {:?} appears twice", p.name));
        }
        if p.description.is_empty() {
            problems.push(format!("{name}: parameter {:?} has no description", p.name));
        }
    }
    if signature.summary.is_empty() {
        problems.push(format!("{name}: no summary"));
    }
    problems
}

/// Checks a typed function's parameter descriptions against its argument types.
pub fn typed_signature_problems<F: TypedFunction>() -> Vec<String> {
    let mut problems = signature_problems(F::NAME, &Typed::<F>::signature_of());
    let declared = F::Args::types().len();
    if F::PARAMETERS.len() != declared {
        problems.push(format!(
            "{}: {} parameter descriptions for {declared} arguments",
            F::NAME,
            F::PARAMETERS.len()
        ));
    }
    problems
}

impl<F: TypedFunction> Typed<F> {
    fn signature_of() -> FunctionSignature {
        // The signature does not depend on the function's value.
        let types = F::Args::types();
        FunctionSignature {
            summary: F::SUMMARY.to_owned(),
            description: F::DESCRIPTION.to_owned(),
            parameters: types
                .into_iter()
                .enumerate()
                .map(|(i, ty)| {
                    let (name, description) = F::PARAMETERS.get(i).copied().unwrap_or(("", ""));
                    Parameter::new(name, ty, description)
                })
                .collect(),
            variadic: None,
            return_type: F::Output::tf_type(),
            deprecation_message: String::new(),
        }
    }
}

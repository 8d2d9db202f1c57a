//! `#[derive(Model)]`: a Terraform schema from one typed struct; `#[derive(TfObject)]`: the object
//! type of a plain struct that an attribute holds.
//!
//! The struct's fields are the attributes (and nested blocks) of the
//! resource; their doc comments are the descriptions; `#[tf(...)]` says how
//! each one plans. Deriving the schema from the same struct that
//! (de)serializes the values means a field can no longer be forgotten in
//! one of the two. The generated code only calls `tfplugin::schema`
//! builders and `tfplugin::model` traits, so what it means is documented
//! there (`tfplugin::model`).

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{
    Data, DeriveInput, Expr, Fields, FieldsNamed, Ident, LitStr, Path, Token, parse_macro_input,
};

/// Derives `tfplugin::model::Model` (and the traits that let the struct be
/// used as a nested block or object attribute of another model).
///
/// Struct attributes: `#[tf(conflicts_with(a, b))]`, `#[tf(exactly_one_of(a, b))]`,
/// `#[tf(at_least_one_of(a, b))]`, `#[tf(required_with(a, b, ...))]` (when `a`
/// is set, the others must be). Field attributes: `required`, `optional`,
/// `computed`, `sensitive`, `write_only`, `requires_replace`,
/// `use_state_for_unknown`, `default = expr`, `validator = expr` (repeatable),
/// `set` (a `Vec` is a set), `ty = expr` (an explicit `Type`),
/// `schema = path` (a `fn(&str) -> Attribute` that builds the attribute
/// before the flags are applied), `block` (a nested block; with `set` a set
/// of blocks), `min_items = n`, `max_items = n`, `timeouts(create, update, ...)`,
/// `deprecated = "message"`. A field named `id` without `#[tf(...)]` is
/// `computed, use_state_for_unknown`.
#[proc_macro_derive(Model, attributes(tf))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Derives `tfplugin::model::TfType` for a plain struct: an object type with
/// one attribute per field, of the field's type, named as serde names it
/// (`#[serde(rename = "...")]`). For attributes whose value is a list or map
/// of such objects, so that the type is written once, by the struct itself.
#[proc_macro_derive(TfObject)]
pub fn derive_tf_object(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand_object(&input) {
        Ok(t) => t.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The name serde gives a field: its `#[serde(rename = "...")]`, else its own.
/// Serde attributes that would make the object differ from one attribute per
/// field under that name (`skip`, `flatten`) are refused rather than followed.
fn serde_name(field: &syn::Field, ident: &Ident) -> syn::Result<String> {
    let mut name = ident.to_string().trim_start_matches("r#").to_owned();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                name = meta.value()?.parse::<LitStr>()?.value();
            } else if ["skip", "skip_serializing", "skip_deserializing", "flatten"]
                .iter()
                .any(|refused| meta.path.is_ident(refused))
            {
                return Err(meta.error("TfObject needs every field as one attribute"));
            } else if meta.input.peek(Token![=]) {
                meta.value()?.parse::<Expr>()?;
            }
            Ok(())
        })?;
    }
    Ok(name)
}

/// The named fields of the struct a derive is on; `derive` names the derive in the error for
/// anything else.
fn named_fields<'a>(input: &'a DeriveInput, derive: &str) -> syn::Result<&'a FieldsNamed> {
    let ident = &input.ident;
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            ident,
            format!("{derive} is derived for structs"),
        ));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            ident,
            format!("{derive} needs a struct with named fields"),
        ));
    };
    Ok(fields)
}

fn expand_object(input: &DeriveInput) -> syn::Result<Tokens> {
    let ident = &input.ident;
    let fields = named_fields(input, "TfObject")?;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename_all") {
                return Err(meta.error("TfObject follows field renames only: rename each field"));
            }
            if meta.input.peek(Token![=]) {
                meta.value()?.parse::<Expr>()?;
            }
            Ok(())
        })?;
    }
    let krate: Path = syn::parse_quote!(::tfplugin);
    let mut attributes = Vec::new();
    for field in &fields.named {
        let Some(fident) = &field.ident else { continue };
        let name = serde_name(field, fident)?;
        let fty = &field.ty;
        attributes.push(quote! { (#name, <#fty as #krate::model::TfType>::tf_type()) });
    }
    Ok(quote! {
        impl #krate::model::TfType for #ident {
            fn tf_type() -> #krate::value::Type {
                #krate::value::Type::object([#(#attributes),*])
            }
        }
    })
}

/// One item of a `#[tf(...)]` list.
enum Item {
    Flag(Ident),
    Value(Ident, Expr),
    List(Ident, Vec<Ident>),
}

impl Parse for Item {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = if input.peek(Token![type]) {
            let t: Token![type] = input.parse()?;
            Ident::new("ty", t.span)
        } else {
            input.parse()?
        };
        if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Ok(Item::Value(name, input.parse()?))
        } else if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let items = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
            Ok(Item::List(name, items.into_iter().collect()))
        } else {
            Ok(Item::Flag(name))
        }
    }
}

fn tf_items(attrs: &[syn::Attribute]) -> syn::Result<Vec<Item>> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("tf")) {
        let items = attr.parse_args_with(Punctuated::<Item, Token![,]>::parse_terminated)?;
        out.extend(items);
    }
    Ok(out)
}

/// The doc comment, lines joined as Markdown paragraphs would read them.
fn doc(attrs: &[syn::Attribute]) -> String {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value().trim().to_owned()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut text = String::new();
    for line in lines {
        if line.is_empty() {
            if !text.ends_with("\n\n") && !text.is_empty() {
                text.push_str("\n\n");
            }
        } else {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push(' ');
            }
            text.push_str(&line);
        }
    }
    text.trim().to_owned()
}

#[derive(Default)]
struct FieldSpec {
    required: bool,
    optional: bool,
    computed: bool,
    sensitive: bool,
    write_only: bool,
    requires_replace: bool,
    use_state_for_unknown: bool,
    set: bool,
    block: bool,
    default: Option<Expr>,
    validators: Vec<Expr>,
    ty: Option<Expr>,
    schema: Option<Expr>,
    min_items: Option<Expr>,
    max_items: Option<Expr>,
    timeouts: Option<Vec<Ident>>,
    deprecated: Option<Expr>,
}

fn field_spec(items: Vec<Item>) -> syn::Result<FieldSpec> {
    let mut s = FieldSpec::default();
    for item in items {
        match item {
            Item::Flag(f) => match f.to_string().as_str() {
                "required" => s.required = true,
                "optional" => s.optional = true,
                "computed" => s.computed = true,
                "sensitive" => s.sensitive = true,
                "write_only" => s.write_only = true,
                "requires_replace" => s.requires_replace = true,
                "use_state_for_unknown" => s.use_state_for_unknown = true,
                "set" => s.set = true,
                "block" => s.block = true,
                other => {
                    return Err(syn::Error::new(
                        f.span(),
                        format!("unknown tf flag `{other}`"),
                    ));
                }
            },
            Item::Value(name, value) => match name.to_string().as_str() {
                "default" => s.default = Some(value),
                "validator" => s.validators.push(value),
                "ty" => s.ty = Some(value),
                "schema" => s.schema = Some(value),
                "min_items" => s.min_items = Some(value),
                "max_items" => s.max_items = Some(value),
                "deprecated" => s.deprecated = Some(value),
                other => {
                    return Err(syn::Error::new(
                        name.span(),
                        format!("unknown tf setting `{other}`"),
                    ));
                }
            },
            Item::List(name, idents) => match name.to_string().as_str() {
                "timeouts" => s.timeouts = Some(idents),
                other => {
                    return Err(syn::Error::new(
                        name.span(),
                        format!("unknown tf list `{other}`"),
                    ));
                }
            },
        }
    }
    Ok(s)
}

fn names(idents: &[Ident]) -> Vec<LitStr> {
    idents
        .iter()
        .map(|i| LitStr::new(&i.to_string(), i.span()))
        .collect()
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let ident = &input.ident;
    let fields = named_fields(input, "Model")?;
    let krate: Path = syn::parse_quote!(::tfplugin);
    let description = doc(&input.attrs);

    let mut rules = Vec::new();
    for item in tf_items(&input.attrs)? {
        let Item::List(kind, idents) = item else {
            return Err(syn::Error::new(
                Span::call_site(),
                "struct-level tf settings are conflicts_with(..), exactly_one_of(..), \
                 at_least_one_of(..) and required_with(..)",
            ));
        };
        let variant = match kind.to_string().as_str() {
            "conflicts_with" => quote!(ConflictsWith),
            "exactly_one_of" => quote!(ExactlyOneOf),
            "at_least_one_of" => quote!(AtLeastOneOf),
            "required_with" => quote!(RequiredWith),
            other => {
                return Err(syn::Error::new(
                    kind.span(),
                    format!("unknown struct-level tf rule `{other}`"),
                ));
            }
        };
        let names = names(&idents);
        rules.push(quote! {
            block = block.rule(#krate::schema::BlockRule::#variant(vec![#(#names),*]));
        });
    }

    let mut parts = Vec::new();
    let mut nested_checks = Vec::new();
    let mut accessors = Vec::new();
    for field in &fields.named {
        let Some(fident) = &field.ident else { continue };
        let name = fident.to_string().trim_start_matches("r#").to_owned();
        let fty = &field.ty;
        let items = tf_items(&field.attrs)?;
        // A resource's `id` is the cloud's to choose and keeps its value across plans: that is
        // what a field named `id` means unless its own `#[tf(...)]` says otherwise.
        let conventional_id = name == "id" && items.is_empty();
        let mut spec = field_spec(items)?;
        if conventional_id {
            spec.computed = true;
            spec.use_state_for_unknown = true;
        }
        let text = doc(&field.attrs);

        match name.as_str() {
            "id" => accessors.push(quote! {
                fn id(&self) -> ::core::option::Option<&#krate::value::Attr<::std::string::String>> {
                    ::core::option::Option::Some(&self.id)
                }
                fn set_id(&mut self, id: #krate::value::Attr<::std::string::String>) {
                    self.id = id;
                }
            }),
            "region" => accessors.push(quote! {
                fn region(&self) -> ::core::option::Option<&#krate::value::Attr<::std::string::String>> {
                    ::core::option::Option::Some(&self.region)
                }
                fn set_region(&mut self, region: #krate::value::Attr<::std::string::String>) {
                    self.region = region;
                }
            }),
            "tags" => accessors.push(quote! {
                fn tags(&self) -> ::core::option::Option<&#krate::value::Attr<::std::vec::Vec<::std::string::String>>> {
                    ::core::option::Option::Some(&self.tags)
                }
                fn set_tags(&mut self, tags: #krate::value::Attr<::std::vec::Vec<::std::string::String>>) {
                    self.tags = tags;
                }
            }),
            _ => {}
        }

        if let Some(kinds) = &spec.timeouts {
            let kinds = kinds.iter().map(|k| {
                let variant = match k.to_string().as_str() {
                    "create" => quote!(Create),
                    "read" => quote!(Read),
                    "update" => quote!(Update),
                    "delete" => quote!(Delete),
                    _ => quote!(compile_error!(
                        "timeouts take create, read, update and delete"
                    )),
                };
                quote!(#krate::schema::TimeoutKind::#variant)
            });
            parts.push(quote! {
                block = block.block(#krate::schema::timeouts_block(&[#(#kinds),*]));
            });
            accessors.push(quote! {
                fn timeouts(&self) -> ::core::option::Option<&#krate::value::Attr<#krate::model::Timeouts>> {
                    ::core::option::Option::Some(&self.#fident)
                }
                fn set_timeouts(&mut self, timeouts: #krate::value::Attr<#krate::model::Timeouts>) {
                    self.#fident = timeouts;
                }
            });
            continue;
        }

        if spec.block {
            let nesting = if spec.set {
                quote!(#krate::schema::NestingMode::Set)
            } else {
                quote!(<#fty as #krate::model::BlockType>::NESTING)
            };
            let mut nb = quote! {
                #krate::schema::NestedBlock::new(#name, #nesting, <#fty as #krate::model::BlockType>::nested_block())
            };
            if let Some(n) = &spec.min_items {
                nb = quote!(#nb.min_items(#n));
            }
            if let Some(n) = &spec.max_items {
                nb = quote!(#nb.max_items(#n));
            }
            if spec.requires_replace {
                nb = quote!(#nb.requires_replace());
            }
            let set_description = (!text.is_empty()).then(|| {
                quote! { nested.block.description = ::std::string::String::from(#text); }
            });
            parts.push(quote! {
                block = block.block({
                    #[allow(unused_mut)]
                    let mut nested = #nb;
                    #set_description
                    nested
                });
            });
            nested_checks.push(quote! {
                <#fty as #krate::model::BlockType>::check(&#name, problems);
            });
            continue;
        }

        let mut attr = if let Some(builder) = &spec.schema {
            quote!((#builder)(#name))
        } else {
            let ty = match &spec.ty {
                Some(t) => quote!(#t),
                None => quote!(<#fty as #krate::model::TfType>::tf_type()),
            };
            let ty = if spec.set {
                quote!(#krate::model::as_set(#ty))
            } else {
                ty
            };
            quote!(#krate::schema::Attribute::new(#name, #ty))
        };
        if spec.required {
            attr = quote!(#attr.required());
        }
        if spec.optional {
            attr = quote!(#attr.optional());
        }
        if spec.computed {
            attr = quote!(#attr.computed());
        }
        if spec.sensitive {
            attr = quote!(#attr.sensitive());
        }
        if spec.write_only {
            attr = quote!(#attr.write_only());
        }
        if spec.requires_replace {
            attr = quote!(#attr.requires_replace());
        }
        if spec.use_state_for_unknown {
            attr = quote!(#attr.use_state_for_unknown());
        }
        if let Some(d) = &spec.default {
            attr = quote!(#attr.default(#d));
        }
        if let Some(m) = &spec.deprecated {
            attr = quote!(#attr.deprecated(#m));
        }
        for v in &spec.validators {
            attr = quote!(#attr.validator(#v));
        }
        if !text.is_empty() {
            attr = quote!(#attr.description(#text));
        }
        parts.push(quote! { block = block.attribute(#attr); });
    }

    let set_description = (!description.is_empty()).then(|| quote!(.description(#description)));
    Ok(quote! {
        impl #krate::model::Model for #ident {
            fn block() -> #krate::schema::Block {
                #[allow(unused_mut)]
                let mut block = #krate::schema::Block::new() #set_description;
                #(#parts)*
                #(#rules)*
                block
            }

            fn check_nested(problems: &mut ::std::vec::Vec<::std::string::String>) {
                let _ = &problems;
                #(#nested_checks)*
            }

            #(#accessors)*
        }

        impl #krate::model::BlockType for #ident {
            const NESTING: #krate::schema::NestingMode = #krate::schema::NestingMode::Single;

            fn nested_block() -> #krate::schema::Block {
                <#ident as #krate::model::Model>::block()
            }

            fn check(path: &str, problems: &mut ::std::vec::Vec<::std::string::String>) {
                #krate::model::check_model_at::<#ident>(path, problems);
            }
        }

        impl #krate::model::TfType for #ident {
            fn tf_type() -> #krate::value::Type {
                <#ident as #krate::model::Model>::block().value_type()
            }
        }
    })
}

//! Rewrites a directory of terraform-provider-openstack configuration into this provider's: resource
//! and data source types, attribute and nested block names, references anywhere in the directory,
//! `moved` blocks for the state, and the `provider "scs"` and `required_providers` entries.
//!
//! The files are parsed with `hcl-edit` only to find where things are; the output is the original
//! text with byte-range edits applied, so comments, blank lines and alignment stay exactly as the user
//! wrote them. What has no counterpart is commented out in place (the comment says why) and reported
//! with its file and line. Running it again on its own output changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{Attribute, Block, Body, Structure};
use hcl_edit::visit::{Visit, visit_block, visit_traversal};
use tfplugin::schema::Block as SchemaBlock;

/// The provider's address in `required_providers`.
pub const SOURCE: &str = "sovereigncloudstack/scs";

/// What becomes of one attribute or nested block of a terraform-provider-openstack type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Same name, same meaning.
    Same,
    /// Same meaning under another name (the last path segment's new name).
    Rename(String),
    /// No counterpart; the sentence says why.
    Drop(String),
    /// A counterpart of another shape: attribute `to`, reached through `how`.
    Transform { to: String, how: Transform },
}

pub use super::openstack::Transform;

/// One terraform-provider-openstack resource or data source type and its counterpart here.
#[derive(Debug, Clone)]
pub struct TypeRule {
    pub from: String,
    pub to: String,
    pub data_source: bool,
    /// Attribute and nested block paths (`name`, `network.uuid`) and what becomes of them. A path not
    /// listed is kept as it is.
    pub entries: BTreeMap<String, Action>,
    /// Whether `entries` lists every top-level attribute and block of the source type, so that an
    /// unlisted one is worth a word to the user.
    pub complete: bool,
    /// What a user must know about the type beyond its attributes (empty when nothing); reported
    /// at each block of the type.
    pub note: String,
    /// The target type's schema, when known: arguments the mapping keeps but that are not
    /// arguments there (computed-only attributes, or missing) are commented out rather than written.
    pub schema: Option<SchemaBlock>,
}

impl TypeRule {
    fn action(&self, path: &str) -> Option<&Action> {
        self.entries.get(path)
    }
}

/// Every type the tool translates.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    resources: HashMap<String, TypeRule>,
    data_sources: HashMap<String, TypeRule>,
}

impl Rules {
    pub fn new(rules: impl IntoIterator<Item = TypeRule>) -> Rules {
        let mut out = Rules::default();
        for rule in rules {
            let map = if rule.data_source {
                &mut out.data_sources
            } else {
                &mut out.resources
            };
            map.insert(rule.from.clone(), rule);
        }
        out
    }

    /// The rule of a resource type.
    pub fn resource(&self, from: &str) -> Option<&TypeRule> {
        self.resources.get(from)
    }

    /// The rule of a data source type.
    pub fn data_source(&self, from: &str) -> Option<&TypeRule> {
        self.data_sources.get(from)
    }

    fn get(&self, data_source: bool, from: &str) -> Option<&TypeRule> {
        if data_source {
            self.data_sources.get(from)
        } else {
            self.resources.get(from)
        }
    }
}

/// Something the user has to look at, at a place in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub file: PathBuf,
    /// The line in the file as it was.
    pub line: usize,
    /// The line in the migrated file (where a commented-out construct's comment starts).
    pub new_line: usize,
    /// Whether it was left untranslated (true) or is only information about what the tool did.
    pub untranslated: bool,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.untranslated {
            "not translated"
        } else {
            "note"
        };
        write!(
            f,
            "{}:{}: {kind}: {}",
            self.file.display(),
            self.line,
            self.message
        )
    }
}

/// One `*.tf` file before and after.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

impl FileChange {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// A unified diff of the change (empty if nothing changed).
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        let name = self.path.display().to_string();
        similar::TextDiff::from_lines(&self.before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&name, &name)
            .to_string()
    }
}

/// The result of migrating a directory: every file (changed or not), and the findings in file and
/// line order.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub files: Vec<FileChange>,
    pub findings: Vec<Finding>,
    /// Resources that were renamed, as (`openstack_...`, `scs_...`) addresses.
    pub moves: Vec<(String, String)>,
}

impl Outcome {
    pub fn changed(&self) -> impl Iterator<Item = &FileChange> {
        self.files.iter().filter(|f| f.changed())
    }

    pub fn untranslated(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.untranslated)
    }
}

/// Why a directory could not be migrated at all.
#[derive(Debug)]
pub enum Error {
    Io(PathBuf, std::io::Error),
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    NoFiles(PathBuf),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(path, e) => write!(f, "{}: {e}", path.display()),
            Error::Parse {
                file,
                line,
                column,
                message,
            } => write!(
                f,
                "{}:{line}:{column}: cannot parse: {message}",
                file.display()
            ),
            Error::NoFiles(dir) => write!(f, "{}: no *.tf files", dir.display()),
        }
    }
}

impl std::error::Error for Error {}

/// Reads every `*.tf` file directly in `dir` (not in subdirectories: those are other modules) and
/// migrates them together, so that references across files are rewritten too. Writes nothing.
pub fn migrate_dir(dir: &Path, rules: &Rules) -> Result<Outcome, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::Io(dir.to_path_buf(), e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::Io(dir.to_path_buf(), e))?;
        let path = entry.path();
        if path.is_file() && path.extension().is_some_and(|e| e == "tf") {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(Error::NoFiles(dir.to_path_buf()));
    }
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io(path.clone(), e))?;
        sources.push((path, text));
    }
    migrate_sources(sources, rules)
}

/// Writes every changed file of `outcome` in place.
pub fn write(outcome: &Outcome) -> Result<(), Error> {
    for file in outcome.changed() {
        std::fs::write(&file.path, &file.after).map_err(|e| Error::Io(file.path.clone(), e))?;
    }
    Ok(())
}

/// Migrates the given files (path and contents) as one directory.
pub fn migrate_sources(sources: Vec<(PathBuf, String)>, rules: &Rules) -> Result<Outcome, Error> {
    let mut parsed = Vec::with_capacity(sources.len());
    for (path, text) in sources {
        let body = hcl_edit::parser::parse_body(&text).map_err(|e| Error::Parse {
            file: path.clone(),
            line: e.location().line(),
            column: e.location().column(),
            message: e.message().to_owned(),
        })?;
        parsed.push(Parsed { path, text, body });
    }
    let has_scs_provider = parsed.iter().any(|p| {
        p.body
            .get_blocks("provider")
            .any(|b| b.has_exact_labels(&["scs"]))
    });
    let has_scs_requirement = parsed
        .iter()
        .any(|p| required_providers(&p.body).any(|(key, _)| key == "scs"));

    let merges = find_merges(&parsed);
    let merged: HashMap<String, String> = merges
        .iter()
        .map(|m| (m.association.clone(), m.floating_ip.clone()))
        .collect();
    let mut outcome = Outcome::default();
    let mut wrote_requirement = false;
    let mut openstack_provider_seen = false;
    let mut migrations = Vec::with_capacity(parsed.len());
    for file in &parsed {
        let mut m = FileMigration::new(file, rules, &merged);
        m.run();
        if !has_scs_provider {
            for block in file.body.get_blocks("provider") {
                if block.has_exact_labels(&["openstack"]) {
                    openstack_provider_seen = true;
                    m.copy_provider_block(block);
                }
            }
        }
        if !has_scs_requirement && !wrote_requirement {
            wrote_requirement = m.add_requirement();
        }
        migrations.push(m);
    }
    for merge in &merges {
        // The association's arguments, with their references already rewritten.
        let mut lines = String::new();
        for (key, span) in &merge.arguments {
            let value = rewritten(&migrations[merge.association_file], span.clone());
            lines.push_str(&format!("{}  {key} = {value}\n", merge.indent));
        }
        let target = &mut migrations[merge.floating_ip_file];
        target.replace(merge.insert_at..merge.insert_at, lines);
    }
    for m in migrations {
        let (after, applied) = apply_marked(&m.file.text, m.edits);
        let marks: Vec<Range<usize>> = applied.iter().map(|(_, out)| out.clone()).collect();
        let mut findings = m.findings;
        for (finding, &offset) in findings.iter_mut().zip(&m.offsets) {
            finding.new_line = line_of(&after, map_offset(&applied, offset));
        }
        // Realigning changes lengths within lines, never the lines themselves.
        let after = realign(&after, &marks);
        outcome.findings.extend(findings);
        outcome.moves.extend(m.moves);
        outcome.files.push(FileChange {
            path: m.file.path.clone(),
            before: m.file.text.clone(),
            after,
        });
    }
    let anything_moved = !outcome.moves.is_empty();
    if !has_scs_requirement && !wrote_requirement && anything_moved {
        outcome.findings.push(Finding {
            file: parsed.first().map(|p| p.path.clone()).unwrap_or_default(),
            line: 1,
            new_line: 1,
            untranslated: true,
            message: format!(
                "no `required_providers` block names `openstack`; add `scs = {{ source = \"{SOURCE}\" }}` \
                 to the `required_providers` of your `terraform` block"
            ),
        });
    }
    if !has_scs_provider && !openstack_provider_seen && anything_moved {
        outcome.findings.push(Finding {
            file: parsed.first().map(|p| p.path.clone()).unwrap_or_default(),
            line: 1,
            new_line: 1,
            untranslated: false,
            message: "no `provider \"openstack\"` block: `scs` reads the same OS_* variables and clouds.yaml; \
                      add a `provider \"scs\"` block only if you need to set arguments"
                .to_owned(),
        });
    }
    outcome
        .findings
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    // A type's note is said once, at its first block.
    let mut said = std::collections::HashSet::new();
    outcome
        .findings
        .retain(|f| f.untranslated || !f.message.contains(" → ") || said.insert(f.message.clone()));
    Ok(outcome)
}

/// terraform-provider-openstack's association of a floating IP with a port; here `scs_floating_ip`
/// holds the association itself.
const ASSOCIATION: &str = "openstack_networking_floatingip_associate_v2";
const FLOATING_IP: &str = "openstack_networking_floatingip_v2";

/// An association whose floating IP is managed in the same directory: its `port_id` and `fixed_ip`
/// go into that floating IP's block, and the association leaves the state without being destroyed.
struct Merge {
    association: String,
    association_file: usize,
    floating_ip: String,
    floating_ip_file: usize,
    /// `port_id`, `fixed_ip` and `depends_on` of the association, as spans of their values.
    arguments: Vec<(String, Range<usize>)>,
    /// Where in the floating IP's file the arguments go (the start of the line of its closing brace).
    insert_at: usize,
    indent: String,
}

fn find_merges(parsed: &[Parsed]) -> Vec<Merge> {
    let resources = |ty: &'static str| {
        parsed.iter().enumerate().flat_map(move |(i, p)| {
            p.body
                .get_blocks("resource")
                .filter(move |b| b.labels.first().is_some_and(|l| l.as_str() == ty))
                .filter_map(move |b| b.labels.get(1).map(|name| (i, name.as_str().to_owned(), b)))
        })
    };
    let repeated = |b: &Block| b.body.has_attribute("count") || b.body.has_attribute("for_each");
    let mut merges = Vec::new();
    for (file, name, block) in resources(ASSOCIATION) {
        let Some(Expression::Traversal(t)) =
            block.body.get_attribute("floating_ip").map(|a| &a.value)
        else {
            continue;
        };
        let target = match (
            &t.expr,
            t.operators
                .iter()
                .map(|o| o.value())
                .collect::<Vec<_>>()
                .as_slice(),
        ) {
            (
                Expression::Variable(root),
                [
                    TraversalOperator::GetAttr(fip),
                    TraversalOperator::GetAttr(attr),
                ],
            ) if root.as_str() == FLOATING_IP && attr.as_str() == "address" => {
                fip.as_str().to_owned()
            }
            _ => continue,
        };
        let Some((fip_file, _, fip_block)) = resources(FLOATING_IP).find(|(_, n, _)| *n == target)
        else {
            continue;
        };
        if repeated(block)
            || repeated(fip_block)
            || fip_block.body.has_attribute("port_id")
            || merges.iter().any(|m: &Merge| m.floating_ip == target)
        {
            continue;
        }
        let text = &parsed[fip_file].text;
        let Some(span) = fip_block.span() else {
            continue;
        };
        let close = span.end.saturating_sub(1);
        let Some(indent) = indent_at(text, close) else {
            continue;
        };
        let carried: &[&str] = if fip_block.body.has_attribute("depends_on") {
            &["port_id", "fixed_ip"]
        } else {
            &["port_id", "fixed_ip", "depends_on"]
        };
        let arguments = carried
            .iter()
            .filter_map(|k| {
                block
                    .body
                    .get_attribute(k)
                    .and_then(|a| a.value.span())
                    .map(|s| ((*k).to_owned(), s))
            })
            .collect();
        merges.push(Merge {
            association: name,
            association_file: file,
            floating_ip: target,
            floating_ip_file: fip_file,
            arguments,
            insert_at: line_start(text, close),
            indent: indent.to_owned(),
        });
    }
    merges
}

/// The text of `span` in `m`'s file with the edits inside it applied.
fn rewritten(m: &FileMigration<'_>, span: Range<usize>) -> String {
    let inside = m
        .edits
        .iter()
        .filter(|e| !e.covering && span.start <= e.range.start && e.range.end <= span.end)
        .map(|e| Edit {
            range: e.range.start - span.start..e.range.end - span.start,
            text: e.text.clone(),
            covering: false,
        })
        .collect();
    apply(&m.file.text[span], inside)
}

struct Parsed {
    path: PathBuf,
    text: String,
    body: Body,
}

/// A replacement of `range` in the original text; an empty range inserts.
#[derive(Debug, Clone)]
struct Edit {
    range: Range<usize>,
    text: String,
    /// Commented-out regions swallow every other edit inside them.
    covering: bool,
}

/// Applies the edits: covering edits win over edits inside them; the rest must not overlap (the
/// walk produces each range once), and an overlapping one is dropped rather than corrupting text.
fn apply(text: &str, edits: Vec<Edit>) -> String {
    apply_marked(text, edits).0
}

/// An applied edit: its range in the original text and in the output.
type Applied = (Range<usize>, Range<usize>);

/// Where `offset` of the original text is in the output of [`apply_marked`]: a place inside a
/// replaced range goes to the start of its replacement.
fn map_offset(applied: &[Applied], offset: usize) -> usize {
    match applied.iter().rev().find(|(orig, _)| orig.start <= offset) {
        None => offset,
        Some((orig, out)) if offset < orig.end || (orig.is_empty() && offset == orig.start) => {
            if orig.is_empty() {
                out.end
            } else {
                out.start
            }
        }
        Some((orig, out)) => out.end + (offset - orig.end),
    }
}

/// [`apply`], also returning each applied edit's range in the original and in the output.
fn apply_marked(text: &str, mut edits: Vec<Edit>) -> (String, Vec<Applied>) {
    let covers: Vec<Range<usize>> = edits
        .iter()
        .filter(|e| e.covering)
        .map(|e| e.range.clone())
        .collect();
    let inside = |e: &Edit, c: &Range<usize>| {
        c.start <= e.range.start
            && e.range.end <= c.end
            && !(e.range.is_empty() && e.range.start == c.end)
    };
    edits.retain(|e| e.covering || !covers.iter().any(|c| inside(e, c)));
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut marks = Vec::with_capacity(edits.len());
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        let start = out.len();
        out.push_str(&edit.text);
        marks.push((edit.range.clone(), start..out.len()));
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    (out, marks)
}

/// One `key = value` line: (indentation, key, column of `=`).
fn assignment(line: &str) -> Option<(&str, &str, usize)> {
    let indent_len = line.len() - line.trim_start().len();
    let rest = &line[indent_len..];
    let key_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if key_len == 0 {
        return None;
    }
    let after = &rest[key_len..];
    let spaces = after.len() - after.trim_start_matches(' ').len();
    let eq = &after[spaces..];
    if !eq.starts_with('=') || eq.starts_with("==") {
        return None;
    }
    Some((
        &line[..indent_len],
        &rest[..key_len],
        indent_len + key_len + spaces,
    ))
}

/// Aligns the `=` of the runs of `key = value` lines that contain an edited line, as `fmt` does,
/// when the run's other lines were aligned that way already (a layout of the user's own is kept).
fn realign(text: &str, marks: &[Range<usize>]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    // Edits in a line's key (renames, inserted lines); a rewritten value leaves the layout alone.
    let mut touched = std::collections::BTreeSet::new();
    for mark in marks {
        let first = line_of(text, mark.start) - 1;
        let last = line_of(text, mark.end) - 1;
        for line in first..=last {
            let Some((indent, key, _)) = lines.get(line).and_then(|l| assignment(l)) else {
                continue;
            };
            let key_start = offset_of_line(text, line) + indent.len();
            let key_end = key_start + key.len();
            if mark.start < key_end && key_start < mark.end.max(mark.start + 1) {
                touched.insert(line);
            }
        }
    }
    let mut done = std::collections::BTreeSet::new();
    for &t in &touched {
        if done.contains(&t) || t >= lines.len() {
            continue;
        }
        let Some((indent, _, _)) = assignment(&lines[t]) else {
            continue;
        };
        let indent = indent.to_owned();
        let same = |l: &str| assignment(l).is_some_and(|(i, _, _)| i == indent);
        let mut first = t;
        while first > 0 && same(&lines[first - 1]) {
            first -= 1;
        }
        let mut last = t;
        while last + 1 < lines.len() && same(&lines[last + 1]) {
            last += 1;
        }
        let run: Vec<usize> = (first..=last).collect();
        done.extend(run.iter().copied());
        if run.len() < 2 {
            continue;
        }
        let untouched: Vec<(usize, usize)> = run
            .iter()
            .filter(|i| !touched.contains(i))
            .filter_map(|&i| assignment(&lines[i]).map(|(ind, k, eq)| (ind.len() + k.len(), eq)))
            .collect();
        let aligned = match untouched.first() {
            None => true,
            Some(&(_, col)) => {
                untouched.iter().all(|&(_, c)| c == col)
                    && (untouched.len() < 2 || untouched.iter().any(|&(end, c)| c == end + 1))
            }
        };
        if !aligned {
            continue;
        }
        let width = run
            .iter()
            .filter_map(|&i| assignment(&lines[i]).map(|(ind, k, _)| ind.len() + k.len()))
            .max()
            .unwrap_or(0);
        for i in run {
            if let Some((ind, key, eq)) = assignment(&lines[i]) {
                let rest = lines[i][eq..].to_owned();
                let head = format!("{ind}{key}");
                lines[i] = format!("{head:<width$} {rest}");
            }
        }
    }
    lines.join("\n")
}

/// The byte offset where 0-based line `line` starts.
fn offset_of_line(text: &str, line: usize) -> usize {
    if line == 0 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 1)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

/// The whitespace before `offset` on its line, if only whitespace is there.
fn indent_at(text: &str, offset: usize) -> Option<&str> {
    let start = line_start(text, offset);
    let before = &text[start..offset];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// Meta-arguments and blocks every resource has; the mapping is not asked about them.
const META_ATTRIBUTES: &[&str] = &["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// Marks the comments the tool writes, so that a reader (and a search) finds them.
const MARK: &str = "scs migrate:";

struct FileMigration<'a> {
    file: &'a Parsed,
    rules: &'a Rules,
    /// Associations merged into floating IPs: association name -> floating IP name.
    merged: &'a HashMap<String, String>,
    edits: Vec<Edit>,
    findings: Vec<Finding>,
    /// The byte offset of each finding in the original text.
    offsets: Vec<usize>,
    moves: Vec<(String, String)>,
}

impl<'a> FileMigration<'a> {
    fn new(file: &'a Parsed, rules: &'a Rules, merged: &'a HashMap<String, String>) -> Self {
        FileMigration {
            file,
            rules,
            merged,
            edits: Vec::new(),
            findings: Vec::new(),
            offsets: Vec::new(),
            moves: Vec::new(),
        }
    }

    fn text(&self) -> &'a str {
        &self.file.text
    }

    fn report(&mut self, offset: usize, untranslated: bool, message: String) {
        let line = line_of(self.text(), offset);
        self.findings.push(Finding {
            file: self.file.path.clone(),
            line,
            new_line: line,
            untranslated,
            message,
        });
        self.offsets.push(offset);
    }

    fn replace(&mut self, range: Range<usize>, text: impl Into<String>) {
        self.edits.push(Edit {
            range,
            text: text.into(),
            covering: false,
        });
    }

    fn run(&mut self) {
        let body = &self.file.body;
        // References first: the blocks below copy expressions with their references rewritten.
        let mut refs = References { m: self };
        refs.visit_body(body);
        for structure in body.iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            match block.ident.as_str() {
                "resource" => self.typed_block(block, false),
                "data" => self.typed_block(block, true),
                _ => {}
            }
        }
    }

    /// A `resource` or `data` block: its type label, its body, and a `moved` block after it.
    fn typed_block(&mut self, block: &Block, data_source: bool) {
        let (Some(type_label), Some(name_label)) = (block.labels.first(), block.labels.get(1))
        else {
            return;
        };
        let from = type_label.as_str();
        if !from.starts_with("openstack_") {
            return;
        }
        let start = block.span().map_or(0, |s| s.start);
        if !data_source
            && from == ASSOCIATION
            && let (Some(fip), Some(span)) = (self.merged.get(name_label.as_str()), block.span())
        {
            let name = name_label.as_str();
            let why = format!(
                "{from}.{name} merged into scs_floating_ip.{fip}: `scs_floating_ip` holds its association \
                 in `port_id`; the `removed` block below takes the association out of the state without \
                 touching the cloud"
            );
            self.comment_out(span.clone(), &why);
            if let Some(last) = self.findings.last_mut() {
                last.untranslated = false;
            }
            let removed = format!(
                "\n\nremoved {{\n  from = {from}.{name}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}"
            );
            let end = line_end(self.text(), span.end);
            self.replace(end..end, removed);
            return;
        }
        let kind = if data_source {
            "data source"
        } else {
            "resource"
        };
        let Some(rule) = self.rules.get(data_source, from) else {
            self.report(
                start,
                true,
                format!("{kind} type {from} has no counterpart in this provider; left unchanged"),
            );
            return;
        };
        if let Some(span) = type_label.span() {
            let quoted = self.text()[span.clone()].starts_with('"');
            let text = if quoted {
                format!("\"{}\"", rule.to)
            } else {
                rule.to.clone()
            };
            self.replace(span, text);
        }
        if !rule.note.is_empty() {
            self.report(start, false, format!("{from} → {}: {}", rule.to, rule.note));
        }
        self.body(rule, &block.body, "", true, rule.schema.as_ref());
        if !data_source {
            let name = name_label.as_str();
            let from_addr = format!("{from}.{name}");
            let to_addr = format!("{}.{name}", rule.to);
            if let Some(span) = block.span() {
                let moved = format!("\n\nmoved {{\n  from = {from_addr}\n  to   = {to_addr}\n}}");
                self.replace(span.end..span.end, moved);
            }
            self.moves.push((from_addr, to_addr));
        }
    }

    /// The attributes and nested blocks of a translated block, `prefix` being the path to it.
    fn body(
        &mut self,
        rule: &TypeRule,
        body: &Body,
        prefix: &str,
        top: bool,
        schema: Option<&SchemaBlock>,
    ) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => self.attribute(rule, attr, prefix, top, schema),
                Structure::Block(block) => self.nested_block(rule, block, prefix, top, schema),
            }
        }
    }

    /// Whether `name` can be written in a block of `schema`; if not, comments `span` out and says
    /// why. Without a schema everything can.
    fn settable(
        &mut self,
        rule: &TypeRule,
        schema: Option<&SchemaBlock>,
        path: &str,
        name: &str,
        span: Range<usize>,
    ) -> bool {
        let Some(schema) = schema else { return true };
        if schema.get_block(name).is_some() {
            return true;
        }
        let why = match schema.get_attribute(name) {
            Some(a) if a.required || a.optional => return true,
            Some(_) => format!(
                "{} `{path}` becomes `{name}` of {}, which is computed there: it is reported, not set",
                rule.from, rule.to
            ),
            None => format!(
                "{} `{path}`: {} has no argument `{name}`",
                rule.from, rule.to
            ),
        };
        self.comment_out(span, &why);
        false
    }

    fn attribute(
        &mut self,
        rule: &TypeRule,
        attr: &Attribute,
        prefix: &str,
        top: bool,
        schema: Option<&SchemaBlock>,
    ) {
        let key = attr.key.as_str();
        if top && META_ATTRIBUTES.contains(&key) {
            if key == "provider" {
                self.provider_reference(attr);
            }
            return;
        }
        let path = format!("{prefix}{key}");
        let Some(span) = attr.span() else { return };
        match rule.action(&path) {
            None if top && rule.complete && schema.is_none() => {
                let message = format!(
                    "`{key}` is not an argument of {} as this tool knows it; left as it is",
                    rule.from
                );
                self.report(span.start, true, message);
            }
            None | Some(Action::Same) => {
                self.settable(rule, schema, &path, key, span);
            }
            Some(Action::Rename(to)) => {
                if self.settable(rule, schema, &path, to, span)
                    && let Some(key_span) = attr.key.span()
                {
                    self.replace(key_span, to.clone());
                }
            }
            Some(Action::Drop(why)) => {
                let why = format!(
                    "{} `{path}` has no counterpart in {}: {why}",
                    rule.from, rule.to
                );
                self.comment_out(span, &why);
            }
            Some(Action::Transform { to, how }) => {
                self.transform_attribute(rule, attr, &path, to, *how)
            }
        }
    }

    fn transform_attribute(
        &mut self,
        rule: &TypeRule,
        attr: &Attribute,
        path: &str,
        to: &str,
        how: Transform,
    ) {
        let Some(span) = attr.span() else { return };
        let text = self.text();
        let value = attr.value.span().map(|v| text[v].to_owned());
        match (how, value) {
            (Transform::FirstElement, _) => {
                let single = match &attr.value {
                    Expression::Array(items) if items.len() == 1 => {
                        items.iter().next().and_then(|e| e.span())
                    }
                    _ => None,
                };
                if let (Some(key), Some(value_span), Some(element)) =
                    (attr.key.span(), attr.value.span(), single)
                {
                    let element = rewritten(self, element);
                    self.replace(key, to.to_owned());
                    self.replace(value_span, element);
                } else {
                    let why = format!(
                        "{} `{path}` must be a list of exactly one value written out to become `{to}` of {}",
                        rule.from, rule.to
                    );
                    self.comment_out(span, &why);
                }
            }
            (Transform::UserDataToWriteOnly, Some(_)) => {
                let Some(key) = attr.key.span() else { return };
                let Some(indent) = indent_at(text, span.start).map(str::to_owned) else {
                    self.comment_out(
                        span,
                        &format!("{} `{path}`: {}", rule.from, how.description()),
                    );
                    return;
                };
                self.replace(key, "user_data_wo");
                let end = line_end(text, span.end);
                self.replace(end..end, format!("\n{indent}{to} = 1"));
                self.report(
                    span.start,
                    false,
                    format!(
                        "`user_data` became the write-only `user_data_wo` with `{to} = 1`: \
                         raise `{to}` whenever you change the text (needs Terraform 1.11 or OpenTofu 1.11 or later)"
                    ),
                );
            }
            (Transform::MebibytesToGibibytes, _) => {
                let mib = match &attr.value {
                    Expression::Number(n) => n.as_u64(),
                    _ => None,
                };
                match (mib, attr.key.span(), attr.value.span()) {
                    (Some(mib), Some(key), Some(value)) if mib % 1024 == 0 => {
                        self.replace(key, to.to_owned());
                        self.replace(value, (mib / 1024).to_string());
                    }
                    _ => {
                        let why = format!(
                            "{} `{path}` must be a number of MiB divisible by 1024 to become `{to}` of {} in GiB",
                            rule.from, rule.to
                        );
                        self.comment_out(span, &why);
                    }
                }
            }
            (Transform::PropertiesToAttributes, _) => self.properties(rule, attr, path),
            (_, _) => {
                let why = format!(
                    "{} `{path}` needs rewriting for {}: {}",
                    rule.from,
                    rule.to,
                    how.description()
                );
                self.comment_out(span, &why);
            }
        }
    }

    /// An image filter `properties = { os_distro = "ubuntu", ... }` becomes one attribute per
    /// entry that has one here; the other entries are reported.
    fn properties(&mut self, rule: &TypeRule, attr: &Attribute, path: &str) {
        const ATTRIBUTES: [&str; 4] = ["os_distro", "os_version", "os_purpose", "architecture"];
        let Some(span) = attr.span() else { return };
        let text = self.text();
        let Expression::Object(object) = &attr.value else {
            let why = format!(
                "{} `{path}` must be written out as an object to become attributes of {}: {}",
                rule.from,
                rule.to,
                Transform::PropertiesToAttributes.description()
            );
            self.comment_out(span, &why);
            return;
        };
        let Some(indent) = indent_at(text, span.start).map(str::to_owned) else {
            return;
        };
        let mut lines = Vec::new();
        let mut others = Vec::new();
        for (key, value) in object.iter() {
            let name = match key {
                hcl_edit::expr::ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                hcl_edit::expr::ObjectKey::Expression(e) => match e.as_str() {
                    Some(s) => s.to_owned(),
                    None => e.span().map(|r| text[r].to_owned()).unwrap_or_default(),
                },
            };
            match value.expr().span() {
                Some(v) if ATTRIBUTES.contains(&name.as_str()) => {
                    lines.push(format!("{name} = {}", rewritten(self, v)));
                }
                _ => others.push(name),
            }
        }
        let end = line_end(text, span.end);
        if others.is_empty() && line_start(text, span.start) + indent.len() == span.start {
            let joined = lines.join(&format!("\n{indent}"));
            self.edits.push(Edit {
                range: span,
                text: joined,
                covering: true,
            });
            return;
        }
        let why = format!(
            "{} `{path}` entries without a counterpart in {} (only {} filter there): {}",
            rule.from,
            rule.to,
            ATTRIBUTES.join(", "),
            others.join(", ")
        );
        self.comment_out(span, &why);
        for line in lines {
            self.replace(end..end, format!("\n{indent}{line}"));
        }
    }

    /// `scheduler_hints { group = X, ... }` becomes `server_group_id = X`; other hints are reported.
    fn scheduler_hints(&mut self, rule: &TypeRule, block: &Block, path: &str, to: &str) {
        let Some(span) = block.span() else { return };
        let text = self.text();
        let group = block
            .body
            .get_attribute("group")
            .and_then(|a| a.value.span());
        let others: Vec<&str> = block
            .body
            .iter()
            .filter_map(|s| match s {
                Structure::Attribute(a) if a.key.as_str() != "group" => Some(a.key.as_str()),
                Structure::Attribute(_) => None,
                Structure::Block(b) => Some(b.ident.as_str()),
            })
            .collect();
        let (Some(group), Some(indent)) = (group, indent_at(text, span.start)) else {
            let why = format!(
                "{} block `{path}` needs rewriting for {}: {}",
                rule.from,
                rule.to,
                Transform::SchedulerHintGroup.description()
            );
            self.comment_out(span, &why);
            return;
        };
        let group = rewritten(self, group);
        let indent = indent.to_owned();
        if others.is_empty() {
            self.edits.push(Edit {
                range: span,
                text: format!("{to} = {group}"),
                covering: true,
            });
        } else {
            let why = format!(
                "{} `{path}` hints other than `group` have no counterpart in {}: {}",
                rule.from,
                rule.to,
                others.join(", ")
            );
            let end = line_end(text, span.end);
            self.comment_out(span, &why);
            self.replace(end..end, format!("\n{indent}{to} = {group}"));
        }
    }

    fn nested_block(
        &mut self,
        rule: &TypeRule,
        block: &Block,
        prefix: &str,
        top: bool,
        schema: Option<&SchemaBlock>,
    ) {
        let ident = block.ident.as_str();
        if top && META_BLOCKS.contains(&ident) {
            if ident == "lifecycle" {
                self.lifecycle(rule, block);
            }
            return;
        }
        let Some(span) = block.span() else { return };
        if ident == "dynamic" {
            let Some(label) = block.labels.first() else {
                return;
            };
            let path = format!("{prefix}{}", label.as_str());
            let target = match rule.action(&path) {
                Some(Action::Rename(to)) => to.as_str(),
                _ => label.as_str(),
            };
            let inner = schema.and_then(|b| b.get_block(target)).map(|b| &b.block);
            if schema.is_some() && inner.is_none() {
                let why = format!(
                    "{} `{path}` (dynamic block): {} has no block `{target}`",
                    rule.from, rule.to
                );
                self.comment_out(span, &why);
                return;
            }
            match rule.action(&path) {
                None | Some(Action::Same) => {}
                Some(Action::Rename(to)) => {
                    if let Some(label_span) = label.span() {
                        let quoted = self.text()[label_span.clone()].starts_with('"');
                        let text = if quoted {
                            format!("\"{to}\"")
                        } else {
                            to.clone()
                        };
                        self.replace(label_span, text);
                    }
                }
                Some(action @ (Action::Drop(_) | Action::Transform { .. })) => {
                    let why = match action {
                        Action::Transform { how, .. } => how.description().to_owned(),
                        Action::Drop(why) => why.clone(),
                        _ => String::new(),
                    };
                    let why = format!(
                        "{} `{path}` (dynamic block) has no direct counterpart in {}: {why}",
                        rule.from, rule.to
                    );
                    self.comment_out(span, &why);
                    return;
                }
            }
            for content in block.body.get_blocks("content") {
                self.body(rule, &content.body, &format!("{path}."), false, inner);
            }
            return;
        }
        let path = format!("{prefix}{ident}");
        let target = match rule.action(&path) {
            Some(Action::Rename(to)) => to.as_str(),
            _ => ident,
        };
        let inner = schema.and_then(|b| b.get_block(target)).map(|b| &b.block);
        match rule.action(&path) {
            None if top && rule.complete && schema.is_none() => {
                let message = format!(
                    "block `{ident}` is not part of {} as this tool knows it; left as it is",
                    rule.from
                );
                self.report(span.start, true, message);
            }
            None | Some(Action::Same) | Some(Action::Rename(_)) => {
                if inner.is_none() && !self.settable(rule, schema, &path, target, span) {
                    return;
                }
                if let (Some(Action::Rename(to)), Some(ident_span)) =
                    (rule.action(&path), block.ident.span())
                {
                    self.replace(ident_span, to.clone());
                }
            }
            Some(Action::Drop(why)) => {
                let why = format!(
                    "{} block `{path}` has no counterpart in {}: {why}",
                    rule.from, rule.to
                );
                self.comment_out(span, &why);
                return;
            }
            Some(Action::Transform {
                to,
                how: Transform::SchedulerHintGroup,
            }) => {
                self.scheduler_hints(rule, block, &path, to);
                return;
            }
            Some(Action::Transform { how, .. }) => {
                let why = format!(
                    "{} block `{path}` needs rewriting for {}: {}",
                    rule.from,
                    rule.to,
                    how.description()
                );
                self.comment_out(span, &why);
                return;
            }
        }
        self.body(rule, &block.body, &format!("{path}."), false, inner);
    }

    /// `ignore_changes` names the resource's own attributes: they are renamed like the arguments.
    fn lifecycle(&mut self, rule: &TypeRule, block: &Block) {
        let Some(Expression::Array(items)) =
            block.body.get_attribute("ignore_changes").map(|a| &a.value)
        else {
            return;
        };
        for item in items.iter() {
            let root = match item {
                Expression::Variable(root) => root,
                Expression::Traversal(t) => match &t.expr {
                    Expression::Variable(root) => root,
                    _ => continue,
                },
                _ => continue,
            };
            let Some(span) = root.span() else { continue };
            let name = root.as_str();
            match rule.action(name) {
                None | Some(Action::Same) => {}
                Some(Action::Rename(to)) => self.replace(span, to.clone()),
                Some(Action::Transform { to, how }) => {
                    let message = format!(
                        "`ignore_changes` names `{name}`, which became `{to}` ({}); it now names `{to}`",
                        how.description()
                    );
                    self.replace(span.clone(), to.clone());
                    self.report(span.start, false, message);
                }
                Some(Action::Drop(why)) => {
                    let message = format!(
                        "`ignore_changes` names `{name}`, which {} does not have ({why}); remove it from the list",
                        rule.to
                    );
                    self.report(span.start, true, message);
                }
            }
        }
    }

    /// `provider = openstack.alias` becomes `scs.alias`; the copied provider block keeps the alias.
    fn provider_reference(&mut self, attr: &Attribute) {
        let root = match &attr.value {
            Expression::Variable(root) => root,
            Expression::Traversal(traversal) => match &traversal.expr {
                Expression::Variable(root) => root,
                _ => return,
            },
            _ => return,
        };
        if root.as_str() == "openstack"
            && let Some(span) = root.span()
        {
            self.replace(span, "scs");
        }
    }

    /// Comments out whole lines of `span`, with a line above saying why. When the construct shares a
    /// line with other code (a one-line block), it is removed instead; the finding keeps its text.
    fn comment_out(&mut self, span: Range<usize>, why: &str) {
        let text = self.text();
        let original = text[span.clone()].to_owned();
        let start = line_start(text, span.start);
        let end = line_end(text, span.end);
        let before_ok = text[start..span.start].trim().is_empty();
        let after = text[span.end..end].trim();
        let after_ok = after.is_empty() || after.starts_with('#') || after.starts_with("//");
        self.report(span.start, true, why.to_owned());
        if !(before_ok && after_ok) {
            let one_line = original
                .lines()
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            self.findings
                .last_mut()
                .into_iter()
                .for_each(|f| f.message.push_str(&format!(" (removed: {one_line})")));
            self.edits.push(Edit {
                range: span,
                text: String::new(),
                covering: true,
            });
            return;
        }
        let indent = &text[start..span.start];
        let mut out = format!("{indent}# {MARK} {why}\n");
        for line in text[start..end].lines() {
            let rest = line.strip_prefix(indent).unwrap_or(line);
            if rest.trim().is_empty() {
                out.push_str(&format!("{indent}#\n"));
            } else {
                out.push_str(&format!("{indent}# {rest}\n"));
            }
        }
        out.pop();
        self.edits.push(Edit {
            range: start..end,
            text: out,
            covering: true,
        });
    }

    /// Adds a `provider "scs"` block after `block` (a `provider "openstack"` block) with the same
    /// arguments, which mean the same here; the ones this provider lacks are commented out.
    fn copy_provider_block(&mut self, block: &Block) {
        let Some(span) = block.span() else { return };
        let text = self.text();
        let mut edits = Vec::new();
        if let Some(label) = block.labels.first().and_then(|l| l.span()) {
            edits.push(Edit {
                range: label,
                text: "\"scs\"".to_owned(),
                covering: false,
            });
        }
        let known: Vec<&str> = crate::config::ARGUMENTS.iter().map(|a| a.name).collect();
        let mut dropped = Vec::new();
        for structure in block.body.iter() {
            let (key, node_span) = match structure {
                Structure::Attribute(a) => (a.key.as_str(), a.span()),
                Structure::Block(b) => (b.ident.as_str(), b.span()),
            };
            if key == "alias" || known.contains(&key) {
                continue;
            }
            let Some(node_span) = node_span else { continue };
            // The older names of the project arguments mean the same.
            let renamed = match key {
                "tenant_name" => Some("project_name"),
                "tenant_id" => Some("project_id"),
                _ => None,
            };
            if let (Some(new), Structure::Attribute(a)) = (renamed, structure)
                && let Some(key_span) = a.key.span()
            {
                edits.push(Edit {
                    range: key_span,
                    text: new.to_owned(),
                    covering: false,
                });
                continue;
            }
            dropped.push(key.to_owned());
            let start = line_start(text, node_span.start).max(span.start);
            let end = line_end(text, node_span.end).min(span.end);
            let indent = &text[start..node_span.start];
            let lines: Vec<String> = text[start..end]
                .lines()
                .map(|l| format!("{indent}# {}", l.strip_prefix(indent).unwrap_or(l)))
                .collect();
            edits.push(Edit {
                range: start..end,
                text: lines.join("\n"),
                covering: true,
            });
        }
        // The copy is the block's own text with these edits, shifted to start at 0.
        let shifted = edits
            .into_iter()
            .map(|e| Edit {
                range: e.range.start - span.start..e.range.end - span.start,
                ..e
            })
            .collect();
        let copy = apply(&text[span.clone()], shifted);
        let mut note = "added `provider \"scs\"` with the arguments of `provider \"openstack\"`; \
                        keep `provider \"openstack\"` until `apply` has moved every resource"
            .to_owned();
        if !dropped.is_empty() {
            note.push_str(&format!(
                "; commented out in the copy (this provider has no such argument): {}",
                dropped.join(", ")
            ));
        }
        self.report(span.start, false, note);
        self.replace(
            span.end..span.end,
            format!("\n\n# {MARK} the same cloud for the scs provider\n{copy}"),
        );
    }

    /// Adds `scs` to a `required_providers` block that names `openstack`. Returns whether it did.
    fn add_requirement(&mut self) -> bool {
        let text = self.text();
        let found = required_providers(&self.file.body)
            .find(|(key, _)| key == "openstack")
            .and_then(|(_, attr)| attr.span());
        let Some(span) = found else { return false };
        let Some(indent) = indent_at(text, span.start) else {
            return false;
        };
        let end = line_end(text, span.end);
        let entry = format!("\n{indent}scs = {{\n{indent}  source = \"{SOURCE}\"\n{indent}}}");
        self.report(
            span.start,
            false,
            format!("added `scs = {{ source = \"{SOURCE}\" }}` to required_providers"),
        );
        self.replace(end..end, entry);
        true
    }
}

/// `(key, attribute)` of every `terraform { required_providers { ... } }` entry.
fn required_providers(body: &Body) -> impl Iterator<Item = (String, &Attribute)> {
    body.get_blocks("terraform")
        .flat_map(|t| t.body.get_blocks("required_providers"))
        .flat_map(|r| r.body.attributes())
        .map(|a| (a.key.as_str().to_owned(), a))
}

/// Rewrites references (`openstack_x.name.attr`, `data.openstack_x.name.attr`) anywhere in a file,
/// except in `moved` and `removed` blocks, which speak of the addresses as they were.
struct References<'m, 'a> {
    m: &'m mut FileMigration<'a>,
}

impl Visit for References<'_, '_> {
    fn visit_block(&mut self, node: &Block) {
        if node.has_ident("moved") || node.has_ident("removed") {
            return;
        }
        visit_block(self, node);
    }

    fn visit_traversal(&mut self, node: &Traversal) {
        self.traversal(node);
        visit_traversal(self, node);
    }
}

impl References<'_, '_> {
    fn traversal(&mut self, node: &Traversal) {
        let Expression::Variable(root) = &node.expr else {
            return;
        };
        let mut ops = node.operators.iter().map(|o| o.value());
        let (rule, type_span, data_source) = if root.as_str() == "data" {
            let Some(TraversalOperator::GetAttr(ty)) = ops.next() else {
                return;
            };
            (self.m.rules.get(true, ty.as_str()), ty.span(), true)
        } else {
            (self.m.rules.get(false, root.as_str()), root.span(), false)
        };
        let Some(rule) = rule else {
            return;
        };
        let Some(type_span) = type_span else { return };
        self.m.replace(type_span, rule.to.clone());
        // The resource name, then attributes and nested blocks with indexes and splats between them.
        let Some(TraversalOperator::GetAttr(name)) = ops.next() else {
            return;
        };
        if !data_source
            && rule.from == ASSOCIATION
            && let (Some(fip), Some(span)) = (self.m.merged.get(name.as_str()), name.span())
        {
            self.m.replace(span, fip.clone());
        }
        let address = if data_source {
            format!("data.{}.{}", rule.from, name.as_str())
        } else {
            format!("{}.{}", rule.from, name.as_str())
        };
        let mut path = String::new();
        for op in ops {
            let TraversalOperator::GetAttr(attr) = op else {
                continue;
            };
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(attr.as_str());
            match rule.action(&path) {
                None => return,
                Some(Action::Same) => {}
                Some(Action::Rename(to)) => {
                    // The path stays in the old names: the mapping is keyed by them.
                    if let Some(span) = attr.span() {
                        self.m.replace(span, to.clone());
                    }
                }
                // As an output, `properties` still reports the image's properties.
                Some(Action::Transform {
                    how: Transform::PropertiesToAttributes,
                    ..
                }) => {}
                Some(Action::Transform { to, how }) => {
                    let start = node.span().map_or(0, |s| s.start);
                    let message = format!(
                        "reference to {address}.{path}: in {} this is `{to}` ({})",
                        rule.to,
                        how.description()
                    );
                    self.m.report(start, true, message);
                    return;
                }
                Some(Action::Drop(why)) => {
                    let start = node.span().map_or(0, |s| s.start);
                    let message = format!(
                        "reference to {address}.{path}: {} has no such attribute ({why})",
                        rule.to
                    );
                    self.m.report(start, true, message);
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rule(from: &str, to: &str, data_source: bool, entries: &[(&str, Action)]) -> TypeRule {
        TypeRule {
            from: from.to_owned(),
            to: to.to_owned(),
            data_source,
            entries: entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            complete: false,
            note: String::new(),
            schema: None,
        }
    }

    fn rename(to: &str) -> Action {
        Action::Rename(to.to_owned())
    }

    fn drop(why: &str) -> Action {
        Action::Drop(why.to_owned())
    }

    /// A small table of the same shape as the real one.
    fn rules() -> Rules {
        Rules::new([
            rule(
                "openstack_networking_network_v2",
                "scs_network",
                false,
                &[
                    ("name", Action::Same),
                    ("tenant_id", drop("the project is the credentials'")),
                ],
            ),
            rule("openstack_networking_network_v2", "scs_network", true, &[]),
            rule(
                "openstack_blockstorage_volume_v3",
                "scs_volume",
                false,
                &[
                    ("source_vol_id", rename("source_volume_id")),
                    ("attachment", rename("attachments")),
                    ("attachment.instance_id", rename("server_id")),
                ],
            ),
            rule(
                "openstack_compute_instance_v2",
                "scs_server",
                false,
                &[
                    ("network", Action::Same),
                    ("network.access_network", drop("no access network")),
                    (
                        "block_device.disk_bus",
                        drop("the cloud picks the disk bus"),
                    ),
                    ("personality", drop("file injection was removed")),
                    (
                        "user_data",
                        Action::Transform {
                            to: "user_data_wo_version".to_owned(),
                            how: Transform::UserDataToWriteOnly,
                        },
                    ),
                    (
                        "scheduler_hints",
                        Action::Transform {
                            to: "server_group_id".to_owned(),
                            how: Transform::SchedulerHintGroup,
                        },
                    ),
                ],
            ),
            rule(
                "openstack_compute_servergroup_v2",
                "scs_server_group",
                false,
                &[(
                    "policies",
                    Action::Transform {
                        to: "policy".to_owned(),
                        how: Transform::FirstElement,
                    },
                )],
            ),
        ])
    }

    fn run(files: &[(&str, &str)]) -> Outcome {
        let sources = files
            .iter()
            .map(|(n, t)| (PathBuf::from(n), (*t).to_owned()))
            .collect();
        migrate_sources(sources, &rules()).unwrap()
    }

    fn one(text: &str) -> (String, Outcome) {
        let outcome = run(&[("main.tf", text)]);
        (outcome.files[0].after.clone(), outcome)
    }

    #[test]
    fn renames_the_type_keeps_comments_and_layout_and_adds_a_moved_block() {
        let input = "# The app network.\nresource \"openstack_networking_network_v2\" \"app\" {\n  name    = \"app\"   # trailing\n\n  // spaced\n  admin_state_up = true\n}\n";
        let (out, outcome) = one(input);
        assert_eq!(
            out,
            "# The app network.\nresource \"scs_network\" \"app\" {\n  name    = \"app\"   # trailing\n\n  // spaced\n  admin_state_up = true\n}\n\nmoved {\n  from = openstack_networking_network_v2.app\n  to   = scs_network.app\n}\n"
        );
        assert_eq!(
            outcome.moves,
            [(
                "openstack_networking_network_v2.app".to_owned(),
                "scs_network.app".to_owned()
            )]
        );
    }

    #[test]
    fn running_twice_changes_nothing() {
        let input = "resource \"openstack_networking_network_v2\" \"app\" {\n  name = \"app\"\n  tenant_id = \"x\"\n}\n\noutput \"id\" {\n  value = openstack_networking_network_v2.app.id\n}\n";
        let (once, _) = one(input);
        let (twice, outcome) = one(&once);
        assert_eq!(once, twice);
        assert!(outcome.moves.is_empty());
        assert!(outcome.changed().next().is_none());
    }

    #[test]
    fn rewrites_references_in_every_file_and_kind_of_expression() {
        let outcome = run(&[
            (
                "a.tf",
                "resource \"openstack_blockstorage_volume_v3\" \"data\" {\n  size = 1\n  source_vol_id = \"x\"\n}\n",
            ),
            (
                "b.tf",
                "import {\n  to = openstack_blockstorage_volume_v3.data\n  id = \"v-1\"\n}\n\nlocals {\n  ids = [for v in openstack_blockstorage_volume_v3.data.attachment : v.instance_id]\n  net = data.openstack_networking_network_v2.ext.id\n  s = \"id ${openstack_blockstorage_volume_v3.data.id}\"\n  first = openstack_blockstorage_volume_v3.data.attachment[0].instance_id\n}\n\nresource \"null_resource\" \"x\" {\n  depends_on = [openstack_blockstorage_volume_v3.data]\n}\n\ndata \"openstack_networking_network_v2\" \"ext\" {\n  name = \"public\"\n}\n",
            ),
        ]);
        let a = &outcome.files[0].after;
        assert!(a.contains("resource \"scs_volume\" \"data\""), "{a}");
        assert!(a.contains("  source_volume_id = \"x\""), "{a}");
        let b = &outcome.files[1].after;
        assert!(
            b.contains("for v in scs_volume.data.attachments : v.instance_id"),
            "{b}"
        );
        assert!(b.contains("net = data.scs_network.ext.id"), "{b}");
        assert!(b.contains("s = \"id ${scs_volume.data.id}\""), "{b}");
        assert!(
            b.contains("first = scs_volume.data.attachments[0].server_id"),
            "{b}"
        );
        assert!(b.contains("depends_on = [scs_volume.data]"), "{b}");
        assert!(b.contains("import {\n  to = scs_volume.data\n"), "{b}");
        assert!(b.contains("data \"scs_network\" \"ext\""), "{b}");
        assert!(!b.contains("moved"), "data sources get no moved block: {b}");
    }

    #[test]
    fn untranslatable_is_commented_out_and_reported_with_its_line() {
        let input = "resource \"openstack_compute_instance_v2\" \"vm\" {\n  name = \"vm\"\n  personality {\n    file    = \"/etc/motd\"\n    content = \"hi\"\n  }\n  network {\n    uuid           = \"n\"\n    access_network = true\n  }\n}\n";
        let (out, outcome) = one(input);
        assert!(
            out.contains("  # scs migrate: openstack_compute_instance_v2 block `personality` has no counterpart in scs_server: file injection was removed\n  # personality {\n  #   file    = \"/etc/motd\"\n  #   content = \"hi\"\n  # }\n"),
            "{out}"
        );
        assert!(out.contains("    # access_network = true\n"), "{out}");
        let lines: Vec<(usize, bool)> = outcome
            .findings
            .iter()
            .filter(|f| f.message.starts_with("openstack_compute_instance_v2"))
            .map(|f| (f.line, f.untranslated))
            .collect();
        assert_eq!(lines, [(3, true), (9, true)], "{:#?}", outcome.findings);
        let first = outcome.findings.iter().find(|f| f.line == 3).unwrap();
        assert!(first.to_string().starts_with("main.tf:3: not translated: "));
        // In the output, the lines of the comments that say why (below the moved-in comment).
        let new_lines: Vec<usize> = outcome
            .findings
            .iter()
            .filter(|f| f.message.starts_with("openstack_compute_instance_v2"))
            .map(|f| f.new_line)
            .collect();
        let marked: Vec<usize> = out
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("# scs migrate:"))
            .map(|(i, _)| i + 1)
            .collect();
        assert_eq!(new_lines, marked, "{out}");
    }

    #[test]
    fn unknown_openstack_types_are_reported_and_left_alone() {
        let input = "resource \"openstack_lb_loadbalancer_v2\" \"lb\" {\n  name = \"x\"\n}\n";
        let (out, outcome) = one(input);
        assert_eq!(out, input);
        assert_eq!(outcome.findings.len(), 1);
        assert_eq!(outcome.findings[0].line, 1);
        assert!(
            outcome.findings[0]
                .message
                .contains("openstack_lb_loadbalancer_v2")
        );
    }

    #[test]
    fn reference_to_a_dropped_attribute_is_reported() {
        let input = "resource \"openstack_networking_network_v2\" \"n\" {\n  name = \"n\"\n}\n\noutput \"t\" {\n  value = openstack_networking_network_v2.n.tenant_id\n}\n";
        let (_, outcome) = one(input);
        let f = outcome
            .findings
            .iter()
            .find(|f| f.message.contains("tenant_id"))
            .unwrap();
        assert_eq!(f.line, 6);
        assert!(f.untranslated);
    }

    #[test]
    fn transforms_change_the_shape() {
        let input = "resource \"openstack_compute_servergroup_v2\" \"g\" {\n  name     = \"g\"\n  policies = [\"anti-affinity\"]\n}\n\nresource \"openstack_compute_instance_v2\" \"vm\" {\n  name      = \"vm\"\n  user_data = file(\"init.yaml\")\n  scheduler_hints {\n    group = openstack_compute_servergroup_v2.g.id\n  }\n}\n";
        let (out, _) = one(input);
        assert!(out.contains("  policy = \"anti-affinity\"\n"), "{out}");
        assert!(
            out.contains("  name                 = \"vm\"\n  user_data_wo         = file(\"init.yaml\")\n  user_data_wo_version = 1\n"),
            "{out}"
        );
        assert!(
            out.contains("  server_group_id      = scs_server_group.g.id\n"),
            "{out}"
        );
        assert!(!out.contains("scheduler_hints"), "{out}");
    }

    #[test]
    fn a_policies_list_of_two_is_not_translated() {
        let input = "resource \"openstack_compute_servergroup_v2\" \"g\" {\n  policies = [\"a\", \"b\"]\n}\n";
        let (out, outcome) = one(input);
        assert!(out.contains("  # policies = [\"a\", \"b\"]"), "{out}");
        let reported: Vec<usize> = outcome
            .untranslated()
            .filter(|f| f.message.contains("policies"))
            .map(|f| f.line)
            .collect();
        assert_eq!(reported, [2]);
    }

    #[test]
    fn provider_and_required_providers_are_added_beside_openstack() {
        let input = "terraform {\n  required_providers {\n    openstack = {\n      source = \"terraform-provider-openstack/openstack\"\n    }\n  }\n}\n\nprovider \"openstack\" {\n  cloud     = \"mine\"\n  use_octavia = true\n  tenant_name = \"p\"\n}\n\nresource \"openstack_networking_network_v2\" \"n\" {\n  provider = openstack\n}\n";
        let (out, outcome) = one(input);
        assert!(
            out.contains(
                "    }\n    scs = {\n      source = \"sovereigncloudstack/scs\"\n    }\n  }\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("provider \"openstack\" {\n  cloud     = \"mine\"\n"),
            "{out}"
        );
        assert!(
            out.contains("provider \"scs\" {\n  cloud     = \"mine\"\n  # use_octavia = true\n  project_name = \"p\"\n}"),
            "{out}"
        );
        assert!(out.contains("  provider = scs\n"), "{out}");
        let (again, _) = one(&out);
        assert_eq!(again, out);
        assert!(
            outcome
                .findings
                .iter()
                .any(|f| f.message.contains("use_octavia"))
        );
    }

    #[test]
    fn an_association_merges_into_its_floating_ip() {
        let mut rules = rules();
        for (from, entries) in [
            ("openstack_networking_floatingip_v2", vec![]),
            (
                "openstack_networking_floatingip_associate_v2",
                vec![("floating_ip", rename("address"))],
            ),
            ("openstack_networking_port_v2", vec![]),
        ] {
            let r = rule(
                from,
                if from.ends_with("port_v2") {
                    "scs_port"
                } else {
                    "scs_floating_ip"
                },
                false,
                &entries,
            );
            rules.resources.insert(from.to_owned(), r);
        }
        let fip =
            "resource \"openstack_networking_floatingip_v2\" \"ip\" {\n  pool = \"public\"\n}\n";
        let assoc = "resource \"openstack_networking_floatingip_associate_v2\" \"a\" {\n  floating_ip = openstack_networking_floatingip_v2.ip.address\n  port_id     = openstack_networking_port_v2.p.id\n}\n\noutput \"ip\" {\n  value = openstack_networking_floatingip_associate_v2.a.floating_ip\n}\n";
        let sources = vec![
            (PathBuf::from("fip.tf"), fip.to_owned()),
            (PathBuf::from("assoc.tf"), assoc.to_owned()),
        ];
        let outcome = migrate_sources(sources, &rules).unwrap();
        let fip_out = &outcome.files[0].after;
        assert!(
            fip_out.starts_with("resource \"scs_floating_ip\" \"ip\" {\n  pool    = \"public\"\n  port_id = scs_port.p.id\n}\n"),
            "{fip_out}"
        );
        let assoc_out = &outcome.files[1].after;
        assert!(
            assoc_out
                .contains("# resource \"openstack_networking_floatingip_associate_v2\" \"a\" {"),
            "{assoc_out}"
        );
        assert!(
            assoc_out.contains("removed {\n  from = openstack_networking_floatingip_associate_v2.a\n\n  lifecycle {\n    destroy = false\n  }\n}"),
            "{assoc_out}"
        );
        assert!(
            assoc_out.contains("value = scs_floating_ip.ip.address"),
            "{assoc_out}"
        );
        assert!(!outcome.moves.iter().any(|(f, _)| f.contains("associate")));
        let again = migrate_sources(
            outcome
                .files
                .iter()
                .map(|f| (f.path.clone(), f.after.clone()))
                .collect(),
            &rules,
        )
        .unwrap();
        assert!(again.changed().next().is_none());
    }

    #[test]
    fn a_renamed_key_realigns_its_aligned_run_only() {
        let input = "resource \"openstack_blockstorage_volume_v3\" \"v\" {\n  size          = 1\n  source_vol_id = \"x\"\n\n  name = \"n\"\n  description    = \"mine\"\n}\n";
        let (out, _) = one(input);
        assert!(
            out.contains("  size             = 1\n  source_volume_id = \"x\"\n\n  name = \"n\"\n  description    = \"mine\"\n"),
            "{out}"
        );
        let unaligned = "resource \"openstack_blockstorage_volume_v3\" \"v\" {\n  size = 1\n  description   = \"d\"\n  source_vol_id = \"x\"\n}\n";
        let (out, _) = one(unaligned);
        assert!(
            out.contains("  size = 1\n  description   = \"d\"\n  source_volume_id = \"x\"\n"),
            "{out}"
        );
    }

    #[test]
    fn data_source_filters_change_their_shape() {
        let mut rules = rules();
        let transform = |to: &str, how| Action::Transform {
            to: to.to_owned(),
            how,
        };
        for (from, to, entries) in [
            (
                "openstack_compute_flavor_v2",
                "scs_flavor",
                vec![("ram", transform("ram", Transform::MebibytesToGibibytes))],
            ),
            (
                "openstack_images_image_v2",
                "scs_image",
                vec![(
                    "properties",
                    transform("properties", Transform::PropertiesToAttributes),
                )],
            ),
        ] {
            rules
                .data_sources
                .insert(from.to_owned(), rule(from, to, true, &entries));
        }
        let input = "data \"openstack_compute_flavor_v2\" \"f\" {\n  ram = 4096\n}\n\ndata \"openstack_compute_flavor_v2\" \"odd\" {\n  ram = 1000\n}\n\ndata \"openstack_images_image_v2\" \"i\" {\n  properties = {\n    os_distro  = \"ubuntu\"\n    os_version = \"24.04\"\n  }\n}\n\ndata \"openstack_images_image_v2\" \"j\" {\n  properties = {\n    os_distro = \"debian\"\n    hw_disk_bus = \"scsi\"\n  }\n}\n";
        let sources = vec![(PathBuf::from("d.tf"), input.to_owned())];
        let outcome = migrate_sources(sources, &rules).unwrap();
        let out = &outcome.files[0].after;
        assert!(
            out.contains("data \"scs_flavor\" \"f\" {\n  ram = 4\n}"),
            "{out}"
        );
        assert!(out.contains("  # ram = 1000\n"), "{out}");
        assert!(
            out.contains(
                "data \"scs_image\" \"i\" {\n  os_distro  = \"ubuntu\"\n  os_version = \"24.04\"\n}"
            ),
            "{out}"
        );
        assert!(
            out.contains("  #   hw_disk_bus = \"scsi\"\n  # }\n  os_distro = \"debian\"\n}"),
            "{out}"
        );
        let lines: Vec<usize> = outcome.untranslated().map(|f| f.line).collect();
        assert_eq!(lines, [6, 17], "{:#?}", outcome.findings);
    }

    #[test]
    fn ignore_changes_follows_the_renames() {
        let input = "resource \"openstack_blockstorage_volume_v3\" \"v\" {\n  size = 1\n\n  lifecycle {\n    ignore_changes = [source_vol_id, size]\n  }\n}\n\nresource \"openstack_networking_network_v2\" \"n\" {\n  lifecycle {\n    ignore_changes = [tenant_id]\n  }\n}\n";
        let (out, outcome) = one(input);
        assert!(
            out.contains("ignore_changes = [source_volume_id, size]"),
            "{out}"
        );
        let reported: Vec<usize> = outcome
            .untranslated()
            .filter(|f| f.message.contains("ignore_changes"))
            .map(|f| f.line)
            .collect();
        assert_eq!(reported, [11], "{:#?}", outcome.findings);
    }

    #[test]
    fn a_type_note_is_said_once() {
        let mut rules = rules();
        let mut r = rule("openstack_networking_network_v2", "scs_network", false, &[]);
        r.note = "read this".to_owned();
        rules.resources.insert(r.from.clone(), r);
        let input = "resource \"openstack_networking_network_v2\" \"a\" {}\n\nresource \"openstack_networking_network_v2\" \"b\" {}\n";
        let sources = vec![(PathBuf::from("n.tf"), input.to_owned())];
        let outcome = migrate_sources(sources, &rules).unwrap();
        let notes: Vec<usize> = outcome
            .findings
            .iter()
            .filter(|f| f.message.contains("read this"))
            .map(|f| f.line)
            .collect();
        assert_eq!(notes, [1]);
    }

    #[test]
    fn moved_blocks_already_there_are_left_alone() {
        let input = "moved {\n  from = openstack_networking_network_v2.old\n  to   = openstack_networking_network_v2.n\n}\n";
        let (out, _) = one(input);
        assert_eq!(out, input);
    }

    #[test]
    fn a_parse_error_names_file_and_line() {
        let sources = vec![(
            PathBuf::from("bad.tf"),
            "resource \"x\" {\n  a = \n}\n".to_owned(),
        )];
        let err = migrate_sources(sources, &rules()).unwrap_err().to_string();
        assert!(err.starts_with("bad.tf:"), "{err}");
    }
}

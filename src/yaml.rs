//! YAML read the way kubectl reads it, into JSON values. kubectl splits a file at `---`
//! lines, reads each document as YAML 1.1 (sigs.k8s.io/yaml over a go-yaml v2 fork) and
//! converts it to JSON: `0644` is octal 420, `yes`/`on`/`y` are booleans, `1_000` is 1000,
//! `<<` merges a mapping, timestamps stay strings and mapping keys become strings. The
//! events come from granit-parser (spans, scalar styles, nesting limits); resolving plain
//! scalars, anchors, aliases and merge keys follows go-yaml v2's `resolve.go` and
//! `decode.go` here. Where kubectl is silent this module is stricter: a duplicate key is an
//! error, and nesting deeper than [`MAX_DEPTH`] is rejected before it is read. Errors give
//! a line, a column and what is wrong, never the text of the file (it may hold a secret).
//! Writing goes through serde-saphyr, which quotes every string a YAML 1.1 reader would
//! take for something else, so what this module writes it reads back unchanged.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, IntoDeserializer};
use serde::Serialize;
use serde_json::{Map, Number, Value};
use serde_saphyr::granit_parser::{self as granit, Event, ScalarStyle, Span, Tag};

/// Collections nested deeper than this are rejected (kubectl stops at 10000; nothing real
/// comes near this, and the rest of the tool walks objects recursively).
pub const MAX_DEPTH: usize = 1000;

const CORE: &str = "tag:yaml.org,2002:";

/// One document of a stream, with the line its content starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub line: usize,
    pub value: Value,
}

/// Where and what: a 1-based line and column and the kind of problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct Error {
    pub line: usize,
    pub column: usize,
    pub kind: ErrorKind,
}

/// What is wrong, in words that never quote the file's content.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ErrorKind {
    #[error("{0}")]
    Syntax(String),
    #[error("invalid document separator: only a comment may follow \"---\"")]
    Separator,
    #[error("mapping key {key:?} already defined at line {first}")]
    DuplicateKey { key: String, first: usize },
    #[error("nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("document contains excessive aliasing")]
    ExcessiveAliasing,
    #[error("anchor value contains itself")]
    RecursiveAlias,
    #[error("map merge requires map or sequence of maps as the value")]
    MergeNeedsMap,
    #[error("a mapping key is {0}, which JSON cannot have")]
    BadKey(&'static str),
    #[error("a scalar tagged {0} does not hold such a value")]
    BadTag(String),
    #[error("!!binary value contains invalid base64 data")]
    BadBinary,
    #[error("{0} is not a number JSON can hold")]
    NotFinite(&'static str),
    #[error("not UTF-8 text")]
    Encoding,
    #[error("{0}")]
    Type(String),
}

impl Error {
    fn at(line: usize, column: usize, kind: ErrorKind) -> Error {
        Error { line, column, kind }
    }
    fn span(span: &Span, kind: ErrorKind) -> Error {
        Error::at(span.start.line(), span.start.col() + 1, kind)
    }
    fn shifted(mut self, lines: usize) -> Error {
        self.line += lines;
        self
    }
}

/// A file's bytes as text, as kubectl opens it: a UTF-8 byte order mark is dropped and
/// UTF-16 with a byte order mark is decoded.
pub fn decode(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, Error> {
    let utf16 = |big: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if big {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units)
            .map(std::borrow::Cow::Owned)
            .map_err(|_| Error::at(1, 1, ErrorKind::Encoding))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => std::str::from_utf8(rest)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| encoding_error(rest, e)),
        [0xFF, 0xFE, ..] => utf16(false),
        [0xFE, 0xFF, ..] => utf16(true),
        _ => std::str::from_utf8(bytes)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|e| encoding_error(bytes, e)),
    }
}

fn encoding_error(bytes: &[u8], e: std::str::Utf8Error) -> Error {
    let before = &bytes[..e.valid_up_to()];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = before.len()
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    Error::at(line, column, ErrorKind::Encoding)
}

/// Every document of a stream, split at `---` lines as kubectl splits them; documents
/// that hold nothing (empty, only comments, `null`) are left out.
pub fn read_stream(text: &str) -> Result<Vec<Document>, Error> {
    let mut documents = Vec::new();
    for (first_line, chunk) in split(text)? {
        let read = read_document(chunk, false).map_err(|e| e.shifted(first_line - 1))?;
        if let Some((line, value)) = read.root {
            if !value.is_null() {
                documents.push(Document {
                    line: first_line + line - 1,
                    value,
                });
            }
        }
    }
    Ok(documents)
}

/// A file holding one document, as one value (`null` when it holds nothing).
pub fn read(text: &str) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Ok(read_document(text, false)?
        .root
        .map_or(Value::Null, |(_, v)| v))
}

/// A file holding one document, into a Rust type; an error names the line of the value
/// at fault.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let read = read_document(text, true)?;
    let value = read.root.map_or(Value::Null, |(_, v)| v);
    let context = Context {
        positions: read.positions,
        current: RefCell::new(String::new()),
    };
    T::deserialize(Node {
        value: &value,
        path: String::new(),
        context: &context,
    })
    .map_err(|e| {
        let mut path = context.current.borrow().clone();
        loop {
            if let Some(&(line, column)) = context.positions.get(&path) {
                return Error::at(line, column, ErrorKind::Type(e.0.clone()));
            }
            match path.rfind('/') {
                Some(i) => path.truncate(i),
                None => return Error::at(1, 1, ErrorKind::Type(e.0.clone())),
            }
        }
    })
}

/// A value as YAML text that [`read`] reads back as the same value.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_saphyr::to_string(value).map_err(|e| e.to_string())
}

/// kubectl's `YAMLReader`: a line that starts with `---` ends a document, and only a
/// comment may follow the dashes. Returns each document's text with its first line.
fn split(text: &str) -> Result<Vec<(usize, &str)>, Error> {
    let mut chunks = Vec::new();
    let (mut start, mut start_line, mut offset) = (0, 1, 0);
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if let Some(rest) = line.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(Error::at(index + 1, 4, ErrorKind::Separator));
            }
            chunks.push((start_line, &text[start..offset]));
            start = offset + line.len();
            start_line = index + 2;
        }
        offset += line.len();
    }
    chunks.push((start_line, &text[start..]));
    Ok(chunks
        .into_iter()
        .filter(|(_, chunk)| !chunk.trim().is_empty())
        .collect())
}

/// A document read: its root with the root's line, and when asked, where every value
/// starts (by JSON pointer), for error messages.
struct Read {
    root: Option<(usize, Value)>,
    positions: HashMap<String, (usize, usize)>,
}

/// A plain or tagged scalar's meaning, as go-yaml v2 resolves it.
enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

/// An anchored node: its value, what decoding it cost (go-yaml's alias accounting) and
/// how deep it is.
struct Anchored {
    value: Result<Value, ErrorKind>,
    /// The key a scalar makes; a collection makes none.
    key: Option<Result<String, ErrorKind>>,
    weight: u64,
    depth: usize,
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        start: u64,
        depth: usize,
        merge: bool,
        /// Where the sequence starts, for the root's line.
        line: usize,
    },
    Map {
        map: Map<String, Value>,
        /// Lines of the keys written out in this mapping, for duplicate detection.
        lines: HashMap<String, usize>,
        key: Option<Key>,
        anchor: usize,
        start: u64,
        depth: usize,
        /// Where the mapping starts, for the root's line.
        line: usize,
    },
}

enum Key {
    Merge,
    Plain(String, usize, usize),
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Anchored>,
    /// Anchors being built, to catch an alias inside its own anchor.
    open: Vec<usize>,
    decode_count: u64,
    alias_count: u64,
    positions: Option<HashMap<String, (usize, usize)>>,
    root: Option<(usize, Value)>,
}

fn read_document(text: &str, with_positions: bool) -> Result<Read, Error> {
    let options = granit::options! {
        // libyaml keeps a BOM inside a document as text.
        bom_inside_document_as_content: true,
        emit_comments: false,
        flow_nesting_limit: MAX_DEPTH,
        block_nesting_limit: MAX_DEPTH,
    };
    let mut parser = granit::Parser::new_from_str_with_options(text, options);
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        open: Vec::new(),
        decode_count: 1, // the document node
        alias_count: 0,
        positions: with_positions.then(HashMap::new),
        root: None,
    };
    let mut started = false;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(scan_error)?;
        match event {
            Event::DocumentStart(..) => {
                // go-yaml reads the first document of what kubectl hands it, and no more.
                if started {
                    break;
                }
                started = true;
            }
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Scalar(text, style, anchor, tag) => {
                b.scalar(&text, style, anchor, tag.as_deref(), &span)?
            }
            Event::Alias(id) => b.alias(id, &span)?,
            Event::SequenceStart(_, anchor, _) => b.open(&span, anchor, false)?,
            Event::MappingStart(_, anchor, _) => b.open(&span, anchor, true)?,
            Event::SequenceEnd | Event::MappingEnd => b.close(&span)?,
            _ => {}
        }
    }
    Ok(Read {
        root: b.root,
        positions: b.positions.unwrap_or_default(),
    })
}

fn scan_error(e: granit::ScanError) -> Error {
    use granit::ErrorKind as K;
    let message = match e.kind() {
        K::RecursionLimitExceeded => return position(&e, ErrorKind::TooDeep),
        K::UnexpectedCharacter { .. } => "unexpected character".to_string(),
        K::InputDecoding { .. } | K::Custom(_) => "unreadable input".to_string(),
        kind => kind.to_string(),
    };
    position(&e, ErrorKind::Syntax(message))
}

fn position(e: &granit::ScanError, kind: ErrorKind) -> Error {
    Error::at(e.marker().line().max(1), e.marker().col() + 1, kind)
}

impl Builder {
    fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The JSON pointer of the node about to be placed, when positions are kept.
    fn pointer(&self) -> Option<String> {
        self.positions.as_ref()?;
        let mut path = String::new();
        for frame in &self.stack {
            path.push('/');
            match frame {
                Frame::Seq { items, .. } => path.push_str(&items.len().to_string()),
                Frame::Map { key, .. } => match key {
                    Some(Key::Plain(k, ..)) => {
                        path.push_str(&k.replace('~', "~0").replace('/', "~1"))
                    }
                    _ => path.push('<'),
                },
            }
        }
        Some(path)
    }

    fn record(&mut self, span: &Span) {
        if let Some(path) = self.pointer() {
            if let Some(positions) = self.positions.as_mut() {
                positions
                    .entry(path)
                    .or_insert((span.start.line(), span.start.col() + 1));
            }
        }
    }

    fn in_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn in_merge(&self) -> bool {
        match self.stack.last() {
            Some(Frame::Map {
                key: Some(Key::Merge),
                ..
            }) => true,
            Some(Frame::Seq { merge, .. }) => *merge,
            _ => false,
        }
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        span: &Span,
    ) -> Result<(), Error> {
        let tag = tag.map(|t| format!("{}{}", t.handle(), t.suffix()));
        let plain = style == ScalarStyle::Plain;
        if self.in_key_position()
            && text == "<<"
            && ((plain && tag.is_none()) || tag.as_deref() == Some("tag:yaml.org,2002:merge"))
        {
            // A merge key: go-yaml does not decode it.
            if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                *key = Some(Key::Merge);
            }
            return Ok(());
        }
        let resolved =
            scalar_value(text, plain, tag.as_deref()).map_err(|kind| Error::span(span, kind))?;
        self.decode_count += 1;
        let key = key_text(&resolved);
        let value = json_value(resolved);
        if anchor != 0 {
            self.anchors.insert(
                anchor,
                Anchored {
                    value: value.clone(),
                    key: Some(key.clone()),
                    weight: 1,
                    depth: 0,
                },
            );
        }
        if self.in_key_position() {
            let key = key.map_err(|kind| Error::span(span, kind))?;
            return self.set_key(key, span);
        }
        let value = value.map_err(|kind| Error::span(span, kind))?;
        self.place(value, 0, span)
    }

    fn set_key(&mut self, key: String, span: &Span) -> Result<(), Error> {
        if let Some(Frame::Map { key: slot, .. }) = self.stack.last_mut() {
            *slot = Some(Key::Plain(key, span.start.line(), span.start.col() + 1));
        }
        // A value is found at its key, where an unknown key is reported too.
        self.record(span);
        Ok(())
    }

    fn alias(&mut self, id: usize, span: &Span) -> Result<(), Error> {
        if self.open.contains(&id) {
            return Err(Error::span(span, ErrorKind::RecursiveAlias));
        }
        let Some(target) = self.anchors.get(&id) else {
            return Err(Error::span(
                span,
                ErrorKind::Syntax("unknown anchor referenced".into()),
            ));
        };
        // go-yaml v2's bound on alias expansion ("billion laughs"), counted the same way.
        self.decode_count += 1 + target.weight;
        self.alias_count += target.weight;
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::span(span, ErrorKind::ExcessiveAliasing));
        }
        if self.depth() + target.depth > MAX_DEPTH {
            return Err(Error::span(span, ErrorKind::TooDeep));
        }
        if self.in_key_position() {
            let key = match &target.key {
                Some(key) => key.clone(),
                None => Err(ErrorKind::BadKey("a collection")),
            };
            let key = key.map_err(|kind| Error::span(span, kind))?;
            return self.set_key(key, span);
        }
        let depth = target.depth;
        let value = target
            .value
            .clone()
            .map_err(|kind| Error::span(span, kind))?;
        self.place(value, depth, span)
    }

    fn open(&mut self, span: &Span, anchor: usize, mapping: bool) -> Result<(), Error> {
        if self.depth() >= MAX_DEPTH {
            return Err(Error::span(span, ErrorKind::TooDeep));
        }
        if self.in_key_position() {
            return Err(Error::span(span, ErrorKind::BadKey("a collection")));
        }
        let merge = !mapping && self.in_merge();
        if !mapping && merge && matches!(self.stack.last(), Some(Frame::Seq { .. })) {
            return Err(Error::span(span, ErrorKind::MergeNeedsMap));
        }
        // A sequence of merged maps is not decoded as a node of its own.
        if !merge {
            self.decode_count += 1;
        }
        if anchor != 0 {
            self.open.push(anchor);
        }
        let line = span.start.line();
        let start = self.decode_count - u64::from(!merge);
        self.stack.push(if mapping {
            Frame::Map {
                map: Map::new(),
                lines: HashMap::new(),
                key: None,
                anchor,
                start,
                depth: 0,
                line,
            }
        } else {
            Frame::Seq {
                items: Vec::new(),
                anchor,
                start,
                depth: 0,
                merge,
                line,
            }
        });
        if self.positions.is_some() {
            // Recorded under the parent's pointer, before the frame existed.
            let frame = self.stack.pop();
            self.record(span);
            self.stack.extend(frame);
        }
        Ok(())
    }

    fn close(&mut self, span: &Span) -> Result<(), Error> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (value, anchor, start, depth, line) = match frame {
            Frame::Seq {
                items,
                anchor,
                start,
                depth,
                merge,
                line,
            } => {
                if merge {
                    // Earlier maps take precedence: apply them last.
                    if anchor != 0 {
                        self.open.retain(|a| *a != anchor);
                    }
                    return self.merge_sequence(items, span);
                }
                (Value::Array(items), anchor, start, depth, line)
            }
            Frame::Map {
                map,
                anchor,
                start,
                depth,
                line,
                ..
            } => (Value::Object(map), anchor, start, depth, line),
        };
        let depth = depth + 1;
        if anchor != 0 {
            self.open.retain(|a| *a != anchor);
            self.anchors.insert(
                anchor,
                Anchored {
                    value: Ok(value.clone()),
                    key: None,
                    weight: self.decode_count - start,
                    depth,
                },
            );
        }
        if self.stack.is_empty() {
            self.root = Some((line, value));
            return Ok(());
        }
        self.place_built(value, depth, span)
    }

    fn merge_sequence(&mut self, items: Vec<Value>, span: &Span) -> Result<(), Error> {
        for item in items.into_iter().rev() {
            self.merge_into_parent(item, span)?;
        }
        self.clear_key();
        Ok(())
    }

    fn merge_into_parent(&mut self, value: Value, span: &Span) -> Result<(), Error> {
        let Value::Object(source) = value else {
            return Err(Error::span(span, ErrorKind::MergeNeedsMap));
        };
        if let Some(Frame::Map { map, .. }) = self.stack.last_mut() {
            for (k, v) in source {
                map.insert(k, v);
            }
        }
        Ok(())
    }

    fn clear_key(&mut self) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }

    /// Places a scalar or an alias's value.
    fn place(&mut self, value: Value, depth: usize, span: &Span) -> Result<(), Error> {
        if self.positions.is_some() {
            self.record(span);
        }
        self.place_built(value, depth, span)
    }

    /// Places a finished value as the next item, the current key's value, or the root.
    fn place_built(&mut self, value: Value, depth: usize, span: &Span) -> Result<(), Error> {
        let merging = self.in_merge();
        match self.stack.last_mut() {
            None => self.root = Some((span.start.line(), value)),
            Some(Frame::Seq {
                items,
                depth: deepest,
                merge,
                ..
            }) => {
                if *merge && !value.is_object() {
                    return Err(Error::span(span, ErrorKind::MergeNeedsMap));
                }
                *deepest = (*deepest).max(depth);
                items.push(value);
            }
            Some(Frame::Map { .. }) if merging => {
                self.merge_into_parent(value, span)?;
                self.clear_key();
            }
            Some(Frame::Map {
                map,
                lines,
                key,
                depth: deepest,
                ..
            }) => {
                let Some(Key::Plain(name, line, column)) = key.take() else {
                    return Ok(());
                };
                if let Some(first) = lines.get(&name) {
                    return Err(Error::at(
                        line,
                        column,
                        ErrorKind::DuplicateKey {
                            key: name,
                            first: *first,
                        },
                    ));
                }
                lines.insert(name.clone(), line);
                *deepest = (*deepest).max(depth);
                map.insert(name, value);
            }
        }
        Ok(())
    }
}

/// go-yaml v2's `allowedAliasRatio`.
fn allowed_alias_ratio(decode_count: u64) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let count = decode_count as f64;
    if count <= LOW {
        0.99
    } else if count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((count - LOW) / (HIGH - LOW))
    }
}

/// A scalar's JSON value: a quoted scalar is a string; a plain one, or one with a core
/// tag, is resolved as go-yaml v2 does; other tags are ignored.
fn scalar_value(text: &str, plain: bool, tag: Option<&str>) -> Result<Resolved, ErrorKind> {
    let suffix = tag.and_then(|t| t.strip_prefix(CORE));
    let resolved = match (tag, suffix) {
        (None, _) if !plain => Resolved::Str(text.to_string()),
        (None, _) => resolve(text),
        (Some(_), Some("str")) => Resolved::Str(text.to_string()),
        (Some(_), Some("binary")) => {
            use base64::Engine;
            let clean: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map_err(|_| ErrorKind::BadBinary)?;
            Resolved::Str(String::from_utf8_lossy(&bytes).into_owned())
        }
        (Some(_), Some(s @ ("bool" | "int" | "float" | "null" | "timestamp"))) => {
            let resolved = resolve(text);
            let bad = || ErrorKind::BadTag(format!("!!{s}"));
            match (s, resolved) {
                ("bool", r @ Resolved::Bool(_)) => r,
                ("null", r @ Resolved::Null) => r,
                ("int", r @ (Resolved::Int(_) | Resolved::Uint(_))) => r,
                ("float", r @ Resolved::Float(_)) => r,
                ("float", Resolved::Int(i)) => Resolved::Float(i as f64),
                ("timestamp", _) if is_timestamp(text) => Resolved::Str(text.to_string()),
                _ => return Err(bad()),
            }
        }
        // Other tags (local ones, `!`, `!!map` on a scalar…) leave the text as it is.
        (Some(_), _) => Resolved::Str(text.to_string()),
    };
    Ok(resolved)
}

/// What the value becomes after kubectl's trip through JSON: integers within int64 stay
/// integers, larger ones and fractions are float64, an integral float is an integer.
fn json_value(resolved: Resolved) -> Result<Value, ErrorKind> {
    Ok(match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Str(s) => Value::String(s),
        Resolved::Int(i) => Value::from(i),
        Resolved::Uint(u) => float(u as f64)?,
        Resolved::Float(f) => float(f)?,
    })
}

fn float(f: f64) -> Result<Value, ErrorKind> {
    if f.is_nan() {
        return Err(ErrorKind::NotFinite("NaN"));
    }
    if f.is_infinite() {
        return Err(ErrorKind::NotFinite("infinity"));
    }
    // Go prints an integral float64 below 1e21 as its shortest digits padded with zeros,
    // and kubectl reads that back as an int64 when it fits (Rust prints it the same way).
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if let Ok(i) = format!("{f}").parse::<i64>() {
            return Ok(Value::from(i));
        }
    }
    Ok(Number::from_f64(f).map_or(Value::Null, Value::Number))
}

/// A scalar used as a mapping key, as sigs.k8s.io/yaml turns it into a string: integers
/// in decimal, booleans as `true`/`false`, floats as Go's `FormatFloat(f, 'g', -1, 32)`.
fn key_text(resolved: &Resolved) -> Result<String, ErrorKind> {
    Ok(match resolved {
        Resolved::Str(s) => s.clone(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Null => return Err(ErrorKind::BadKey("null")),
        Resolved::Uint(_) => return Err(ErrorKind::BadKey("an integer beyond int64")),
        Resolved::Float(f) => go_float32_g(*f),
    })
}

fn go_float32_g(f: f64) -> String {
    let f = f as f32;
    if f.is_nan() {
        return ".nan".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_string();
    }
    // Shortest digits and exponent, then Go's %g layout: exponent form below 1e-4 and
    // from 1e6 up (the shortest format decides with precision 6).
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { "-" } else { "+" };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    format!("{sign}{body}")
}

/// go-yaml v2's `resolve` for an untagged plain scalar.
fn resolve(text: &str) -> Resolved {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let str = || Resolved::Str(text.to_string());
    match text.as_bytes()[0] {
        b'.' => {
            if is_float(text) {
                if let Some(f) = parse_float(text) {
                    return Resolved::Float(f);
                }
            }
            str()
        }
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(text) {
                return str();
            }
            let plain = text.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return Resolved::Int(i);
            }
            if let Some(u) = go_parse_uint(&plain) {
                return Resolved::Uint(u);
            }
            if is_float(&plain) {
                if let Some(f) = parse_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Some(i) = signed(rest, 2) {
                    return Resolved::Int(i);
                }
                if let Some(u) = unsigned(rest, 2) {
                    return Resolved::Uint(u);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if let Some(i) = signed(&format!("-{rest}"), 2) {
                    return Resolved::Int(i);
                }
            }
            str()
        }
        _ => str(),
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((whole, frac)) => digits(whole) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)))
}

/// A finite float64, as Go's `ParseFloat` succeeds (it fails on overflow).
fn parse_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseInt(s, 0, 64)` (the input has no underscores left).
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_uint(digits)?;
    if negative {
        if magnitude <= 1u64 << 63 {
            Some((magnitude as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)`: a 0b, 0o or 0x prefix, or a leading 0 for octal.
fn go_parse_uint(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return None;
    }
    let (radix, digits) = if bytes[0] == b'0' {
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, &s[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, &s[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.is_empty() {
        return (radix == 8).then_some(0);
    }
    unsigned(digits, radix)
}

fn unsigned(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

fn signed(text: &str, radix: u32) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    let magnitude = unsigned(digits, radix)?;
    if negative {
        (magnitude <= 1u64 << 63).then(|| (magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// The timestamp forms go-yaml v2 recognizes (`2001-12-14`, `2001-12-14t21:59:43.10Z`,
/// `2001-12-14 21:59:43.10`…): `YYYY-M-D`, then optionally a time.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let number = |t: &str, max: usize| {
        !t.is_empty() && t.len() <= max && t.bytes().all(|c| c.is_ascii_digit())
    };
    let (date, time) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let parts: Vec<&str> = date.split('-').collect();
    let date_ok = parts.len() == 3
        && number(parts[0], 4)
        && number(parts[1], 2)
        && number(parts[2], 2)
        && (1..=12).contains(&parts[1].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&parts[2].parse::<u32>().unwrap_or(0));
    let Some(time) = time else {
        return date_ok;
    };
    let (clock, zone_ok) = match time.find(['Z', '+', '-']) {
        Some(i) => {
            let zone = &time[i..];
            let ok = zone == "Z" || {
                let z = &zone[1..];
                z.len() == 5 && z.as_bytes()[2] == b':' && number(&z[..2], 2) && number(&z[3..], 2)
            };
            (&time[..i], ok)
        }
        None => (time, !s.contains(['T', 't'])),
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (clock, None),
    };
    let hms: Vec<&str> = hms.split(':').collect();
    date_ok
        && zone_ok
        && hms.len() == 3
        && hms.iter().all(|p| number(p, 2))
        && fraction.is_none_or(|f| number(f, 9))
}

/// Deserializing a read value into a Rust type, remembering which value was being read
/// when an error came up.
struct Context {
    positions: HashMap<String, (usize, usize)>,
    current: RefCell<String>,
}

#[derive(Debug)]
struct DeError(String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError(msg.to_string())
    }
}

#[derive(Clone)]
struct Node<'a> {
    value: &'a Value,
    path: String,
    context: &'a Context,
}

impl<'a> Node<'a> {
    fn enter(&self) {
        self.context.current.replace(self.path.clone());
    }
    fn child(&self, segment: &str, value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: format!(
                "{}/{}",
                self.path,
                segment.replace('~', "~0").replace('/', "~1")
            ),
            context: self.context,
        }
    }
}

impl<'de, 'a> de::Deserializer<'de> for Node<'a> {
    type Error = DeError;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.enter();
        match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    visitor.visit_i64(i)
                } else if let Some(u) = n.as_u64() {
                    visitor.visit_u64(u)
                } else {
                    visitor.visit_f64(n.as_f64().unwrap_or_default())
                }
            }
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visitor.visit_seq(Items {
                node: self.clone(),
                items: items.iter().enumerate(),
            }),
            Value::Object(map) => visitor.visit_map(Entries {
                node: self.clone(),
                entries: map.iter(),
                next: None,
            }),
        }
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.enter();
        if self.value.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.enter();
        match self.value {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => Err(de::Error::custom("expected a string")),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

struct Items<'a, I> {
    node: Node<'a>,
    items: I,
}

impl<'de, 'a, I: Iterator<Item = (usize, &'a Value)>> de::SeqAccess<'de> for Items<'a, I> {
    type Error = DeError;
    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        match self.items.next() {
            Some((i, value)) => seed
                .deserialize(self.node.child(&i.to_string(), value))
                .map(Some),
            None => {
                self.node.enter();
                Ok(None)
            }
        }
    }
}

struct Entries<'a, I> {
    node: Node<'a>,
    entries: I,
    next: Option<Node<'a>>,
}

impl<'de, 'a, I: Iterator<Item = (&'a String, &'a Value)>> de::MapAccess<'de> for Entries<'a, I> {
    type Error = DeError;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.entries.next() {
            Some((key, value)) => {
                let child = self.node.child(key, value);
                child.enter();
                self.next = Some(child);
                seed.deserialize(key.as_str().into_deserializer()).map(Some)
            }
            None => {
                self.node.enter();
                Ok(None)
            }
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, DeError> {
        match self.next.take() {
            Some(child) => seed.deserialize(child),
            None => Err(de::Error::custom("value without a key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        read(text).unwrap()
    }

    #[test]
    fn a_document_starts_where_its_root_starts() {
        let lines: Vec<usize> = read_stream("# c\n- a\n- b\n---\n\n[x,\n y]\n---\nk: v\n")
            .unwrap()
            .iter()
            .map(|d| d.line)
            .collect();
        assert_eq!(lines, [2, 6, 9]);
    }

    #[test]
    fn resolves_scalars_as_yaml_1_1() {
        let v = one(
            "mode: 0644\nhex: 0x1F\nbin: 0b101\noct: 0o17\nu: 1_000\non: on\nyy: y\nno: No\n\
             f: 1.5\ne: 1e3\nnl: ~\nt: 2001-12-14\nq: '0644'\nbig: 18446744073709551615\n\
             neg: -0b11\nnine: 09\ns: 1:20\ntagged: !!int '0x10'\nfl: !!float 2\nstr: !!str yes\n",
        );
        assert_eq!(
            v,
            json!({"mode": 420, "hex": 31, "bin": 5, "oct": 15, "u": 1000, "true": true,
                   "yy": true, "false": false, "f": 1.5, "e": 1000, "nl": null, "t": "2001-12-14",
                   "q": "0644", "big": 18446744073709551615u64 as f64, "neg": -3, "nine": 9,
                   "s": "1:20", "tagged": 16, "fl": 2, "str": "yes"})
        );
    }

    #[test]
    fn keys_become_strings_as_kubectl_makes_them() {
        let v = one("1: a\n1.5: b\n1e6: c\nyes: d\n0x10: e\n");
        assert_eq!(
            v,
            json!({"1": "a", "1.5": "b", "1e+06": "c", "true": "d", "16": "e"})
        );
        assert!(read("~: x\n").is_err());
    }

    #[test]
    fn merges_anchors_like_go_yaml_v2() {
        let v =
            one("base: &b {a: 1, b: 2}\nx:\n  a: 0\n  <<: *b\n  c: 3\nz:\n  <<: [{a: 9}, *b]\n");
        // go-yaml v2 applies a merge where it stands, over keys before it.
        assert_eq!(v["x"], json!({"a": 1, "b": 2, "c": 3}));
        // In a list of merged maps the earlier ones win.
        assert_eq!(v["z"], json!({"a": 9, "b": 2}));
        assert_eq!(one("a: &x [1, 2]\nb: *x\n")["b"], json!([1, 2]));
        let err = read("a: &x 1\nb:\n  <<: *x\n").unwrap_err();
        assert_eq!(err.kind, ErrorKind::MergeNeedsMap);
    }

    #[test]
    fn duplicate_keys_are_errors_with_both_lines() {
        let err = read("a: 1\nb:\n  x: 1\n  x: 2\n").unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(
            err.to_string(),
            "mapping key \"x\" already defined at line 3"
        );
        // Different spellings of one JSON key collide too.
        assert!(read("1: a\n\"1\": b\n").is_err());
        assert!(read("yes: a\ntrue: b\n").is_err());
    }

    #[test]
    fn streams_split_like_kubectl() {
        let text =
            "\u{feff}# c\r\na: 1\r\n---\r\n\r\n--- # comment\nb: |\n  ---\n  x\n---\nnull\n---\n";
        let docs = read_stream(decode(text.as_bytes()).unwrap().as_ref()).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].line, &docs[0].value), (2, &json!({"a": 1})));
        assert_eq!(
            (docs[1].line, &docs[1].value),
            (6, &json!({"b": "---\nx\n"}))
        );
        let err = read_stream("a: 1\n--- {b: 2}\n").unwrap_err();
        assert_eq!((err.line, err.kind), (2, ErrorKind::Separator));
    }

    #[test]
    fn errors_give_the_line_and_never_the_content() {
        let err = read_stream("a: 1\n---\nk: v\nsecret: \"hunter2\n").unwrap_err();
        assert!(err.line >= 4, "{err:?}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        let err = read("a: !!int hunter2\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_refused_quickly() {
        let started = std::time::Instant::now();
        let deep = "[".repeat(100_000);
        assert_eq!(read(&deep).unwrap_err().kind, ErrorKind::TooDeep);
        let deep = "- ".repeat(100_000);
        assert_eq!(read(&deep).unwrap_err().kind, ErrorKind::TooDeep);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [{}]\n",
                vec![format!("*a{p}"); 10].join(", ")
            ));
        }
        assert_eq!(read(&bomb).unwrap_err().kind, ErrorKind::ExcessiveAliasing);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(read("a: &a [*a]\n").unwrap_err().line, 1);
    }

    #[test]
    fn non_finite_values_are_errors() {
        assert!(read("a: .nan\n").is_err());
        assert!(read("a: -.inf\n").is_err());
        assert_eq!(one("a: 1e400\n"), json!({"a": "1e400"}));
    }

    #[test]
    fn typed_reading_names_the_line_at_fault() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            a: Vec<u32>,
            b: Option<String>,
        }
        let t: T = from_str("a: [1, 2]\nb: x\n").unwrap();
        assert_eq!(t.a, vec![1, 2]);
        let err = from_str::<T>("a:\n  - 1\n  - x\n").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = from_str::<T>("a: []\nc: 1\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let value = json!({"s": ["yes", "on", "y", "0644", "1_000", "0x1F", "2001-12-14", "~",
            "", "<<", "--- x", "a: b", "multi\nline\n", " lead", "1e3", ".inf", "1:20", "null"],
            "n": [1, -2, 1.5, true, null], "m": {"k": {}}, "e": []});
        let text = to_string(&value).unwrap();
        assert_eq!(read(&text).unwrap(), value, "{text}");
    }
}

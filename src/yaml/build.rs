//! Building JSON values from the parser's events: anchors and aliases (with a bound on
//! how much aliases may expand), merge keys, duplicate keys and depth, each error with its
//! line and column.

use serde_json::{Map, Value};
use serde_saphyr::granit_parser::{self as granit, Event, ScalarStyle, Span, Tag};
use std::collections::HashMap;

use super::*;

/// A document read: its root with the root's line, and when asked, where every value
/// starts (by JSON pointer), for error messages.
pub(super) struct Read {
    pub(super) root: Option<(usize, Value)>,
    pub(super) positions: HashMap<String, (usize, usize)>,
}

/// An anchored node: its value, what decoding it cost (go-yaml's alias accounting) and
/// how deep it is.
pub(super) struct Anchored {
    pub(super) value: Result<Value, ErrorKind>,
    /// The key a scalar makes; a collection makes none.
    pub(super) key: Option<Result<String, ErrorKind>>,
    pub(super) weight: u64,
    pub(super) depth: usize,
}

pub(super) enum Frame {
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

pub(super) enum Key {
    Merge,
    Plain(String, usize, usize),
}

pub(super) struct Builder {
    pub(super) stack: Vec<Frame>,
    pub(super) anchors: HashMap<usize, Anchored>,
    /// Anchors being built, to catch an alias inside its own anchor.
    pub(super) open: Vec<usize>,
    pub(super) decode_count: u64,
    pub(super) alias_count: u64,
    pub(super) positions: Option<HashMap<String, (usize, usize)>>,
    pub(super) root: Option<(usize, Value)>,
}

pub(super) fn read_document(text: &str, with_positions: bool) -> Result<Read, Error> {
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

pub(super) fn scan_error(e: granit::ScanError) -> Error {
    use granit::ErrorKind as K;
    let message = match e.kind() {
        K::RecursionLimitExceeded => return position(&e, ErrorKind::TooDeep),
        K::UnexpectedCharacter { .. } => "unexpected character".to_string(),
        K::InputDecoding { .. } | K::Custom(_) => "unreadable input".to_string(),
        kind => kind.to_string(),
    };
    position(&e, ErrorKind::Syntax(message))
}

pub(super) fn position(e: &granit::ScanError, kind: ErrorKind) -> Error {
    Error::at(e.marker().line().max(1), e.marker().col() + 1, kind)
}

impl Builder {
    pub(super) fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The JSON pointer of the node about to be placed, when positions are kept.
    pub(super) fn pointer(&self) -> Option<String> {
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

    pub(super) fn record(&mut self, span: &Span) {
        if let Some(path) = self.pointer() {
            if let Some(positions) = self.positions.as_mut() {
                positions
                    .entry(path)
                    .or_insert((span.start.line(), span.start.col() + 1));
            }
        }
    }

    pub(super) fn in_key_position(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    pub(super) fn in_merge(&self) -> bool {
        match self.stack.last() {
            Some(Frame::Map {
                key: Some(Key::Merge),
                ..
            }) => true,
            Some(Frame::Seq { merge, .. }) => *merge,
            _ => false,
        }
    }

    pub(super) fn scalar(
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

    pub(super) fn set_key(&mut self, key: String, span: &Span) -> Result<(), Error> {
        if let Some(Frame::Map { key: slot, .. }) = self.stack.last_mut() {
            *slot = Some(Key::Plain(key, span.start.line(), span.start.col() + 1));
        }
        // A value is found at its key, where an unknown key is reported too.
        self.record(span);
        Ok(())
    }

    pub(super) fn alias(&mut self, id: usize, span: &Span) -> Result<(), Error> {
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

    pub(super) fn open(&mut self, span: &Span, anchor: usize, mapping: bool) -> Result<(), Error> {
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

    pub(super) fn close(&mut self, span: &Span) -> Result<(), Error> {
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

    pub(super) fn merge_sequence(&mut self, items: Vec<Value>, span: &Span) -> Result<(), Error> {
        for item in items.into_iter().rev() {
            self.merge_into_parent(item, span)?;
        }
        self.clear_key();
        Ok(())
    }

    pub(super) fn merge_into_parent(&mut self, value: Value, span: &Span) -> Result<(), Error> {
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

    pub(super) fn clear_key(&mut self) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }

    /// Places a scalar or an alias's value.
    pub(super) fn place(&mut self, value: Value, depth: usize, span: &Span) -> Result<(), Error> {
        if self.positions.is_some() {
            self.record(span);
        }
        self.place_built(value, depth, span)
    }

    /// Places a finished value as the next item, the current key's value, or the root.
    pub(super) fn place_built(
        &mut self,
        value: Value,
        depth: usize,
        span: &Span,
    ) -> Result<(), Error> {
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
pub(super) fn allowed_alias_ratio(decode_count: u64) -> f64 {
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

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

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use serde_saphyr::granit_parser::Span;

mod build;
mod scalar;
mod typed;
use self::{build::*, scalar::*, typed::*};

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

/// Where each document of a stream lies, as `read_stream` finds them: the line of its
/// root value and the byte range of its text between `---` lines. For editing one
/// document in place while the others stay byte for byte.
pub fn document_spans(text: &str) -> Result<Vec<(usize, std::ops::Range<usize>)>, Error> {
    let mut spans = Vec::new();
    for (first_line, chunk) in split(text)? {
        let read = read_document(chunk, false).map_err(|e| e.shifted(first_line - 1))?;
        if let Some((line, value)) = read.root {
            if !value.is_null() {
                let start = chunk.as_ptr() as usize - text.as_ptr() as usize;
                spans.push((first_line + line - 1, start..start + chunk.len()));
            }
        }
    }
    Ok(spans)
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

/// A parser's error message without anything it quotes from the file: the file may not be
/// what it claims (a token, a key), so only the kind of error is kept, with the position
/// printed beside it (a missing or repeated field of the schema is named). Quoted (`"…"`) and backticked (`` `…` ``) text becomes `…`, except
/// after ", expected ", which describes what was wanted, not what the file holds. The
/// parser's own " at line L column C" is dropped.
pub fn redact_message(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    // Fields the schema wants, named by the schema.
    if message.contains("missing field `") || message.contains("duplicate field `") {
        return message.to_string();
    }
    let (found, expected) = match message.find(", expected ") {
        Some(i) => message.split_at(i),
        None => (message, ""),
    };
    let mut out = String::new();
    let mut chars = found.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    match c {
                        '\\' if !escaped => escaped = true,
                        '"' if !escaped => break,
                        _ => escaped = false,
                    }
                }
                out.push('…');
            }
            '`' => {
                chars.by_ref().find(|c| *c == '`');
                out.push('…');
            }
            c => out.push(c),
        }
    }
    out + expected
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

//! Plain scalars resolved as go-yaml v2 resolves YAML 1.1 (booleans, octal, underscores,
//! sexagesimal-free integers, floats, timestamps as strings), and numbers written back as
//! kubectl's JSON writes them.

use serde_json::{Number, Value};

use super::*;

/// A plain or tagged scalar's meaning, as go-yaml v2 resolves it.
pub(super) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

/// A scalar's JSON value: a quoted scalar is a string; a plain one, or one with a core
/// tag, is resolved as go-yaml v2 does; other tags are ignored.
pub(super) fn scalar_value(
    text: &str,
    plain: bool,
    tag: Option<&str>,
) -> Result<Resolved, ErrorKind> {
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
pub(super) fn json_value(resolved: Resolved) -> Result<Value, ErrorKind> {
    Ok(match resolved {
        Resolved::Null => Value::Null,
        Resolved::Bool(b) => Value::Bool(b),
        Resolved::Str(s) => Value::String(s),
        Resolved::Int(i) => Value::from(i),
        Resolved::Uint(u) => float(u as f64)?,
        Resolved::Float(f) => float(f)?,
    })
}

pub(super) fn float(f: f64) -> Result<Value, ErrorKind> {
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
pub(super) fn key_text(resolved: &Resolved) -> Result<String, ErrorKind> {
    Ok(match resolved {
        Resolved::Str(s) => s.clone(),
        Resolved::Bool(b) => b.to_string(),
        Resolved::Int(i) => i.to_string(),
        Resolved::Null => return Err(ErrorKind::BadKey("null")),
        Resolved::Uint(_) => return Err(ErrorKind::BadKey("an integer beyond int64")),
        Resolved::Float(f) => go_float32_g(*f),
    })
}

pub(super) fn go_float32_g(f: f64) -> String {
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
pub(super) fn resolve(text: &str) -> Resolved {
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
pub(super) fn is_float(s: &str) -> bool {
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
pub(super) fn parse_float(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseInt(s, 0, 64)` (the input has no underscores left).
pub(super) fn go_parse_int(s: &str) -> Option<i64> {
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
pub(super) fn go_parse_uint(s: &str) -> Option<u64> {
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

pub(super) fn unsigned(digits: &str, radix: u32) -> Option<u64> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

pub(super) fn signed(text: &str, radix: u32) -> Option<i64> {
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
pub(super) fn is_timestamp(s: &str) -> bool {
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

//! Renderer stub.

use std::io::{self, Write};

use super::{Report, Style};

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let _ = (style, report);
    writeln!(out)
}

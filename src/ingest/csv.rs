//! A strict RFC 4180 reader for comma-separated text, written for its error messages: every
//! problem names the physical line (right after quoted multi-line fields too) and field, and
//! suggests the likely fix (another delimiter, a stray quote, a duplicate header). Cells are
//! kept as text so that ids keep their leading zeros and every cell is validated once, by
//! [`super::load_long`].

use crate::error::{Error, Result};
use std::path::Path;

/// A CSV file as text columns.
#[derive(Debug, Clone, Default)]
pub struct CsvText {
    /// Header names, in file order (unique).
    pub headers: Vec<String>,
    /// One vector per column; an empty unquoted field is `None`.
    pub columns: Vec<Vec<Option<String>>>,
    /// Physical line (1-based) where each data record starts.
    pub lines: Vec<usize>,
}

fn fail(path: &Path, message: String) -> Error {
    Error::Read {
        path: path.into(),
        message,
    }
}

/// Split `text` into records of fields, with the line each record starts on.
/// Empty lines are skipped.
fn records(path: &Path, text: &str) -> Result<Vec<(usize, Vec<Option<String>>)>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0usize, 1usize);
    while i < b.len() {
        // skip empty lines
        if b[i] == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
            line += 1;
            i += 2;
            continue;
        }
        let start_line = line;
        let mut fields = Vec::new();
        loop {
            // one field starting at i
            let field_no = fields.len() + 1;
            if b.get(i) == Some(&b'"') {
                let open_line = line;
                i += 1;
                let mut s = String::new();
                let mut seg = i;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(fail(
                                path,
                                format!(
                                    "line {open_line}, field {field_no}: a quoted field opened here is never closed; close it with \" (a quote inside a quoted field is written as \"\")"
                                ),
                            ));
                        }
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => {
                            s.push_str(&text[seg..=i]);
                            i += 2;
                            seg = i;
                        }
                        Some(b'"') => {
                            s.push_str(&text[seg..i]);
                            i += 1;
                            break;
                        }
                        Some(b'\n') => {
                            line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                fields.push(Some(s));
                match b.get(i) {
                    None | Some(b'\n') | Some(b',') => {}
                    Some(b'\r') if matches!(b.get(i + 1), None | Some(b'\n')) => i += 1,
                    Some(_) => {
                        let rest: String = text[i..]
                            .chars()
                            .take(20)
                            .take_while(|c| *c != '\n')
                            .collect();
                        return Err(fail(
                            path,
                            format!(
                                "line {line}, field {field_no}: text {rest:?} follows a closing quote; quote the whole field, and write a quote inside it as \"\""
                            ),
                        ));
                    }
                }
            } else {
                let start = i;
                while i < b.len() && b[i] != b',' && b[i] != b'\n' {
                    i += 1;
                }
                let mut end = i;
                if end > start && b[end - 1] == b'\r' {
                    end -= 1;
                }
                let f = &text[start..end];
                fields.push((!f.is_empty()).then(|| f.to_string()));
            }
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\n') => {
                    line += 1;
                    i += 1;
                    break;
                }
                _ => break,
            }
        }
        out.push((start_line, fields));
    }
    Ok(out)
}

fn delimiter_hint(header: &str) -> Option<&'static str> {
    [(';', "';'"), ('\t', "tabs"), ('|', "'|'")]
        .into_iter()
        .find(|(c, _)| header.contains(*c))
        .map(|(_, name)| name)
}

/// Read and split a CSV file. Errors name the file, the line and the field, and suggest a fix.
pub fn read(path: &Path, bytes: &[u8]) -> Result<CsvText> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let upto = &bytes[..e.valid_up_to()];
        let line = upto.iter().filter(|&&c| c == b'\n').count() + 1;
        let col = upto.len() - upto.iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1) + 1;
        fail(
            path,
            format!(
                "line {line}, column {col}: byte 0x{:02X} is not UTF-8 text; save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)",
                bytes[e.valid_up_to()]
            ),
        )
    })?;
    if text.contains('\0') {
        let line = text[..text.find('\0').unwrap_or(0)].matches('\n').count() + 1;
        return Err(fail(
            path,
            format!(
                "line {line}: a NUL byte; this is not a text CSV file (is it Parquet? name it .parquet)"
            ),
        ));
    }
    let mut recs = records(path, text)?.into_iter();
    let Some((hline, header)) = recs.next() else {
        return Err(Error::Empty {
            path: path.into(),
            expected: "a header line naming the id, time and value columns".into(),
        });
    };
    let headers: Vec<String> = header.into_iter().map(|h| h.unwrap_or_default()).collect();
    if headers.len() == 1 {
        if let Some(d) = delimiter_hint(&headers[0]) {
            return Err(fail(
                path,
                format!(
                    "line {hline}: the header {:?} is one column; the file looks separated by {d}, but chipcast reads comma-separated CSV; replace the separators with commas (and decimal commas with points), e.g. sed 's/;/,/g'",
                    headers[0]
                ),
            ));
        }
    }
    for (j, h) in headers.iter().enumerate() {
        if h.trim().is_empty() {
            return Err(fail(
                path,
                format!(
                    "line {hline}: header field {} is empty; name every column",
                    j + 1
                ),
            ));
        }
        if let Some(k) = headers[..j].iter().position(|o| o == h) {
            return Err(fail(
                path,
                format!(
                    "line {hline}: the column name {h:?} appears twice (fields {} and {}); rename one so each column has its own name",
                    k + 1,
                    j + 1
                ),
            ));
        }
    }
    let n = headers.len();
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); n];
    let mut lines = Vec::new();
    for (line, fields) in recs {
        if fields.len() != n {
            let hint = if fields.len() > n {
                "; quote fields that contain commas (\"1,5\"), or write decimals with a point"
            } else if fields.len() == 1
                && delimiter_hint(fields[0].as_deref().unwrap_or("")).is_some()
            {
                "; this line looks separated by another character than a comma"
            } else {
                "; every line needs one field per header column"
            };
            return Err(fail(
                path,
                format!(
                    "line {line} has {} fields but the header (line {hline}) has {n} ({}){hint}",
                    fields.len(),
                    headers.join(", ")
                ),
            ));
        }
        for (c, f) in columns.iter_mut().zip(fields) {
            c.push(f);
        }
        lines.push(line);
    }
    Ok(CsvText {
        headers,
        columns,
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<CsvText> {
        read(Path::new("t.csv"), text.as_bytes())
    }

    #[test]
    fn quoted_fields_may_span_lines_and_line_numbers_stay_physical() {
        let t = parse("id,ds,y\n\"a\nb\",1,2\r\nc,\"2\",\"x\"\"y\"\n\nd,3,\n").unwrap();
        assert_eq!(t.lines, vec![2, 4, 6]);
        assert_eq!(t.columns[0][0].as_deref(), Some("a\nb"));
        assert_eq!(t.columns[2][1].as_deref(), Some("x\"y"));
        assert_eq!(t.columns[2][2], None);
    }

    #[test]
    fn problems_name_the_line_and_the_fix() {
        let e = parse("a;b;c\n1;2;3\n").unwrap_err().to_string();
        assert!(e.contains("separated by ';'"), "{e}");
        let e = parse("id,y,y\n1,2,3\n").unwrap_err().to_string();
        assert!(e.contains("\"y\" appears twice"), "{e}");
        let e = parse("id,ds,y\n\"x\n\ny\",1,2\nA,1,2,3\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5 has 4 fields"), "{e}");
        let e = parse("id,ds,y\n\"A,1,2\n").unwrap_err().to_string();
        assert!(e.contains("line 2, field 1: a quoted field"), "{e}");
    }
}

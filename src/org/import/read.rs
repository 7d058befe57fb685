//! Reading an import file: CSV (UTF-8, with or without BOM) or the first
//! sheet of an XLSX workbook, into a table of text cells with line numbers.

use super::*;

/// The cells of a file: the header and the data rows, with their lines.
#[derive(Debug, Default)]
pub(super) struct Table {
    pub(super) header_line: usize,
    pub(super) header: Vec<String>,
    pub(super) rows: Vec<(usize, Vec<String>)>,
    /// Rows that could not be read (e.g. not UTF-8).
    pub(super) errors: Vec<RowError>,
}

pub(super) fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Format(
            "the CSV file is UTF-16: save it as “CSV UTF-8”".into(),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Table::default();
    let mut record = csv::ByteRecord::new();
    let mut lines = LineCounter {
        bytes,
        pos: 0,
        line: 1,
    };
    let mut header_seen = false;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| ImportError::Format(format!("CSV: {e}")))?
    {
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.line_at(start);
        let cells: Result<Vec<String>, _> = record
            .iter()
            .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
            .collect();
        let Ok(cells) = cells else {
            if !header_seen {
                return Err(ImportError::Format(
                    "the header is not UTF-8 text: save the file as “CSV UTF-8”".into(),
                ));
            }
            table.errors.push(RowError {
                line,
                message: "not UTF-8 text: save the file as “CSV UTF-8”".into(),
            });
            continue;
        };
        if header_seen {
            table.rows.push((line, cells));
        } else {
            header_seen = true;
            table.header_line = line;
            table.header = cells;
        }
    }
    if !header_seen {
        return Err(ImportError::Format("the file is empty".into()));
    }
    Ok(table)
}

/// 1-based line numbers of byte offsets, counted by the import itself: the
/// csv crate's own count is one short after a CRLF line end.
pub(super) struct LineCounter<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    pub(super) line: usize,
}

impl LineCounter<'_> {
    /// The line of the first byte at or after `start` that is not a line
    /// end (a record's start offset may point at the end of the line before).
    /// Offsets must not decrease from call to call.
    pub(super) fn line_at(&mut self, start: usize) -> usize {
        let mut start = start.min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.pos {
            self.line += self.bytes[self.pos..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.pos = start;
        }
        self.line
    }
}

pub(super) fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Format(format!("not a readable XLSX workbook: {e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::Format("the workbook has no worksheet".into()))?
        .map_err(|e| ImportError::Format(format!("the first worksheet cannot be read: {e}")))?;
    let Some((first_row, _)) = range.start() else {
        return Err(ImportError::Format("the first worksheet is empty".into()));
    };
    let mut table = Table::default();
    for (i, row) in range.rows().enumerate() {
        let line = first_row as usize + i + 1;
        let mut cells = Vec::with_capacity(row.len());
        for (col, data) in row.iter().enumerate() {
            match cell_text(data) {
                Ok(text) => cells.push(text),
                Err(e) => {
                    table.errors.push(RowError {
                        line,
                        message: format!("cell {} holds the error {e}", column_letters(col)),
                    });
                    cells.push(String::new());
                }
            }
        }
        if i == 0 {
            table.header_line = line;
            table.header = cells;
        } else {
            table.rows.push((line, cells));
        }
    }
    Ok(table)
}

/// A cell as text: whole numbers without `.0` (phone numbers typed as
/// numbers), booleans as `true`/`false`.
pub(super) fn cell_text(data: &calamine::Data) -> Result<String, String> {
    use calamine::Data;
    Ok(match data {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => return Err(e.to_string()),
        other => other.to_string(),
    })
}

/// Column letters of a 0-based column index relative to the sheet (`A`, `AB`).
pub(super) fn column_letters(mut col: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

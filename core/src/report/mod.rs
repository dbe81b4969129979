//! Output formats for a report. Both can be written file by file as a scan goes (see
//! [`JsonWriter`] and [`text_file`]), so a large scan needs no memory for the whole report.

mod json;
mod text;

pub use json::{json, JsonWriter};
pub use text::{text, text_file, text_summary};

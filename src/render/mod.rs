//! Renderers: a finished `Report` written out for people and programs, each given color,
//! width and "now" as data (`Style`): side by side (the default), unified (a patch), JSON
//! (the versioned document), a summary table, JUnit XML and one HTML page. The renderers
//! that show diffs share one line-diff engine, `hunks`.

pub mod compare;
pub mod html;
mod hunks;
pub mod json;
pub mod junit;
pub mod side_by_side;
pub mod summary;
pub mod unified;

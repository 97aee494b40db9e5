//! The line diff every format that shows one is drawn from: the Git and live YAML diffed
//! line by line once, then cut into hunks (the changes with a few unchanged lines around
//! them) and gaps (the longer unchanged runs between). Side-by-side and unified leave the
//! gaps out, as `diff -u` does; HTML folds them behind a toggle. One cut for all three keeps
//! them showing the same lines.

use similar::udiff::UnifiedHunkHeader;
use similar::{ChangeTag, DiffOp, TextDiff};

/// Lines of unchanged YAML kept around each change.
pub const CONTEXT_LINES: usize = 3;

/// Which side of a row changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mark {
    Same,
    /// Only in Git.
    Deleted,
    /// Only live.
    Inserted,
    /// Git's line on the left replaced by the live line on the right.
    Replaced,
}

/// One row of a side-by-side diff: a 1-based line number and the line (without its line
/// break) per side, or nothing on the side that has no line here.
#[derive(Debug)]
pub struct Row<'a> {
    pub left: Option<(usize, &'a str)>,
    pub right: Option<(usize, &'a str)>,
    pub mark: Mark,
}

/// A run of the diff's operations: a group of changes with their context, or, in a
/// [`Piece::Gap`], the unchanged lines left out between groups.
#[derive(Debug)]
pub struct Hunk {
    ops: Vec<DiffOp>,
}

/// A part of a cut diff, in text order.
#[derive(Debug)]
pub enum Piece {
    Hunk(Hunk),
    /// Unchanged lines left out; [`LineDiff::rows`] still gives them to a format that folds
    /// rather than drops them.
    Gap(Hunk),
}

/// Where an unchanged run is cut.
#[derive(Clone, Copy, Debug)]
pub struct Fold {
    /// Unchanged lines kept next to a change, on each side of it.
    pub context: usize,
    /// The fewest lines a gap may hold.
    pub min_gap: usize,
}

impl Fold {
    /// Every unchanged line beyond the context left out: exactly `diff -u`'s hunks.
    pub const HUNKS: Fold = Fold {
        context: CONTEXT_LINES,
        min_gap: 1,
    };
    /// A fold behind a toggle hides at least two lines, or it would save nothing.
    pub const FOLDS: Fold = Fold {
        context: CONTEXT_LINES,
        min_gap: 2,
    };
}

/// Two texts diffed line by line.
pub struct LineDiff<'a> {
    diff: TextDiff<'a, 'a, str>,
}

impl<'a> LineDiff<'a> {
    pub fn new(old: &'a str, new: &'a str) -> Self {
        LineDiff {
            diff: TextDiff::from_lines(old, new),
        }
    }

    /// The diff cut into hunks and gaps; None when no line differs. With `min_gap` 1 the
    /// hunks are those of `similar::group_diff_ops`, which unified diffs are made of.
    pub fn pieces(&self, fold: Fold) -> Option<Vec<Piece>> {
        let ops = self.diff.ops();
        if ops.iter().all(|op| matches!(op, DiffOp::Equal { .. })) {
            return None;
        }
        let mut pieces = Vec::new();
        let mut hunk: Vec<DiffOp> = Vec::new();
        for (i, op) in ops.iter().enumerate() {
            let DiffOp::Equal {
                old_index,
                new_index,
                len,
            } = *op
            else {
                hunk.push(*op);
                continue;
            };
            // Context above a change is kept unless this run opens the text, below unless
            // it ends it.
            let head = if i == 0 { 0 } else { fold.context };
            let tail = if i + 1 == ops.len() { 0 } else { fold.context };
            if len < head.saturating_add(tail).saturating_add(fold.min_gap) {
                hunk.push(*op);
                continue;
            }
            let equal = |from: usize, to: usize| DiffOp::Equal {
                old_index: old_index + from,
                new_index: new_index + from,
                len: to - from,
            };
            if head > 0 {
                hunk.push(equal(0, head));
            }
            if !hunk.is_empty() {
                pieces.push(Piece::Hunk(Hunk {
                    ops: std::mem::take(&mut hunk),
                }));
            }
            pieces.push(Piece::Gap(Hunk {
                ops: vec![equal(head, len - tail)],
            }));
            if tail > 0 {
                hunk.push(equal(len - tail, len));
            }
        }
        if !hunk.is_empty() {
            pieces.push(Piece::Hunk(Hunk { ops: hunk }));
        }
        Some(pieces)
    }

    /// The hunk's lines paired into rows: an unchanged line beside itself, a replaced run
    /// line by line, the longer side of it against nothing.
    pub fn rows(&self, hunk: &Hunk) -> Vec<Row<'_>> {
        let mut rows = Vec::new();
        for op in &hunk.ops {
            let (old, new) = (op.old_range(), op.new_range());
            for k in 0..old.len().max(new.len()) {
                let left = (k < old.len())
                    .then(|| (old.start + k + 1, line(self.diff.old_slice(old.start + k))));
                let right = (k < new.len())
                    .then(|| (new.start + k + 1, line(self.diff.new_slice(new.start + k))));
                let mark = match (op, &left, &right) {
                    (DiffOp::Equal { .. }, _, _) => Mark::Same,
                    (_, Some(_), Some(_)) => Mark::Replaced,
                    (_, Some(_), None) => Mark::Deleted,
                    _ => Mark::Inserted,
                };
                rows.push(Row { left, right, mark });
            }
        }
        rows
    }

    /// `@@ -a,b +c,d @@`, the hunk's header in a unified diff.
    pub fn header(&self, hunk: &Hunk) -> String {
        UnifiedHunkHeader::new(&hunk.ops).to_string()
    }

    /// The hunk's lines in unified order (a replaced run's deletions before its
    /// insertions), each with its line break.
    pub fn changes(&self, hunk: &Hunk) -> Vec<(ChangeTag, &str)> {
        hunk.ops
            .iter()
            .flat_map(|op| self.diff.iter_changes(op))
            .map(|change| (change.tag(), change.value()))
            .collect()
    }
}

/// One line of a text without its line break.
fn line(text: Option<&str>) -> &str {
    text.unwrap_or_default().trim_end_matches(['\n', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_unchanged_runs_fold_around_changes() {
        let left: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let right = left.replace("line 10\n", "line ten\n");
        let diff = LineDiff::new(&left, &right);
        let kinds: Vec<(bool, usize)> = diff
            .pieces(Fold::FOLDS)
            .unwrap()
            .iter()
            .map(|p| match p {
                Piece::Hunk(h) => (false, diff.rows(h).len()),
                Piece::Gap(h) => (true, diff.rows(h).len()),
            })
            .collect();
        // 6 folded above, 3 + change + 3 shown, 7 folded below.
        assert_eq!(kinds, [(true, 6), (false, 7), (true, 7)]);
        assert!(LineDiff::new(&left, &left).pieces(Fold::FOLDS).is_none());
    }

    #[test]
    fn a_fold_hides_two_lines_or_none() {
        // Lines 1-4 unchanged before the change: one line beyond the context, so shown.
        let left = "a\nb\nc\nd\nx\n";
        let right = "a\nb\nc\nd\ny\n";
        let diff = LineDiff::new(left, right);
        let folds = diff.pieces(Fold::FOLDS).unwrap();
        assert!(matches!(folds[..], [Piece::Hunk(_)]));
        let hunks = diff.pieces(Fold::HUNKS).unwrap();
        assert!(matches!(hunks[..], [Piece::Gap(_), Piece::Hunk(_)]));
    }

    #[test]
    fn rows_pair_replaced_lines_and_number_them() {
        let diff = LineDiff::new("a\nb\nc\n", "a\nB\nC\nD\n");
        let pieces = diff.pieces(Fold::HUNKS).unwrap();
        let [Piece::Hunk(hunk)] = &pieces[..] else {
            panic!("one hunk expected: {pieces:?}");
        };
        let rows: Vec<_> = diff
            .rows(hunk)
            .into_iter()
            .map(|r| (r.left, r.right, r.mark))
            .collect();
        assert_eq!(
            rows,
            [
                (Some((1, "a")), Some((1, "a")), Mark::Same),
                (Some((2, "b")), Some((2, "B")), Mark::Replaced),
                (Some((3, "c")), Some((3, "C")), Mark::Replaced),
                (None, Some((4, "D")), Mark::Inserted),
            ]
        );
    }

    /// Seeded texts of lines from a small alphabet, so that unchanged runs of every length
    /// come up.
    fn texts(seed: u64) -> (String, String) {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let old: Vec<String> = (0..next(40)).map(|i| format!("line {i}")).collect();
        let mut new = Vec::new();
        for line in &old {
            match next(10) {
                0 => {}
                1 => new.push(format!("{line} changed")),
                2 => {
                    new.push(line.clone());
                    new.push("added".to_string());
                }
                _ => new.push(line.clone()),
            }
        }
        let join = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect();
        (join(&old), join(&new))
    }

    #[test]
    fn hunks_are_those_of_a_unified_diff() {
        for seed in 0..500 {
            let (old, new) = texts(seed);
            let ours = LineDiff::new(&old, &new);
            let mut got = Vec::new();
            for piece in ours.pieces(Fold::HUNKS).unwrap_or_default() {
                if let Piece::Hunk(hunk) = piece {
                    let changes = ours
                        .changes(&hunk)
                        .into_iter()
                        .map(|(t, v)| (t, v.to_string()));
                    got.push((ours.header(&hunk), changes.collect::<Vec<_>>()));
                }
            }
            let theirs = TextDiff::from_lines(&old, &new);
            let want: Vec<_> = theirs
                .unified_diff()
                .context_radius(CONTEXT_LINES)
                .iter_hunks()
                .map(|h| {
                    let changes = h.iter_changes().map(|c| (c.tag(), c.value().to_string()));
                    let changes: Vec<_> = changes.collect();
                    (h.header().to_string(), changes)
                })
                .collect();
            assert_eq!(got, want, "seed {seed}");
        }
    }

    #[test]
    fn pieces_hold_every_line_once_in_order() {
        for seed in 0..500 {
            let (old, new) = texts(seed);
            let diff = LineDiff::new(&old, &new);
            for fold in [Fold::HUNKS, Fold::FOLDS] {
                let Some(pieces) = diff.pieces(fold) else {
                    assert_eq!(old, new, "seed {seed}");
                    continue;
                };
                let (mut left, mut right) = (Vec::new(), Vec::new());
                for piece in &pieces {
                    let (Piece::Hunk(h) | Piece::Gap(h)) = piece;
                    let rows = diff.rows(h);
                    if matches!(piece, Piece::Gap(_)) {
                        assert!(rows.len() >= fold.min_gap, "seed {seed}");
                        assert!(rows.iter().all(|r| r.mark == Mark::Same), "seed {seed}");
                    }
                    left.extend(rows.iter().filter_map(|r| r.left.map(|l| l.0)));
                    right.extend(rows.iter().filter_map(|r| r.right.map(|r| r.0)));
                }
                assert_eq!(
                    left,
                    (1..=old.lines().count()).collect::<Vec<_>>(),
                    "seed {seed}"
                );
                assert_eq!(
                    right,
                    (1..=new.lines().count()).collect::<Vec<_>>(),
                    "seed {seed}"
                );
            }
        }
    }
}

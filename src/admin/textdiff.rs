//! A small line diff for showing a moderator what a change did (history,
//! edit preview): `-` for a removed line, `+` for an added one, two lines of
//! context, `…` between distant hunks. Entry files are short (tens of
//! lines), so the quadratic longest-common-subsequence table is fine; longer
//! texts fall back to "everything removed, everything added".

/// Texts longer than this many lines are not diffed line by line.
const MAX_DIFF_LINES: usize = 2_000;
const CONTEXT: usize = 2;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Keep,
    Remove,
    Add,
}

/// The diff of `before` and `after`, one line per changed or context line.
pub(crate) fn line_diff(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let ops = if old.len() > MAX_DIFF_LINES || new.len() > MAX_DIFF_LINES {
        old.iter()
            .map(|line| (Op::Remove, *line))
            .chain(new.iter().map(|line| (Op::Add, *line)))
            .collect()
    } else {
        diff_ops(&old, &new)
    };
    let changed: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter(|(_, (op, _))| *op != Op::Keep)
        .map(|(index, _)| index)
        .collect();
    let shown = |index: usize| {
        changed
            .iter()
            .any(|&c| index + CONTEXT >= c && index <= c + CONTEXT)
    };
    let mut out = String::new();
    let mut last_shown: Option<usize> = None;
    for (index, (op, line)) in ops.iter().enumerate() {
        if !shown(index) {
            continue;
        }
        if last_shown.is_some_and(|last| index > last + 1) {
            out.push_str("…\n");
        }
        let marker = match op {
            Op::Keep => ' ',
            Op::Remove => '-',
            Op::Add => '+',
        };
        out.push(marker);
        out.push_str(line);
        out.push('\n');
        last_shown = Some(index);
    }
    out
}

fn diff_ops<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(Op, &'a str)> {
    // lengths[i][j]: the longest common subsequence of old[i..] and new[j..].
    let mut lengths = vec![vec![0u32; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lengths[i][j] = if old[i] == new[j] {
                lengths[i + 1][j + 1] + 1
            } else {
                lengths[i + 1][j].max(lengths[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(old.len() + new.len());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            ops.push((Op::Keep, old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lengths[i + 1][j] >= lengths[i][j + 1]) {
            ops.push((Op::Remove, old[i]));
            i += 1;
        } else {
            ops.push((Op::Add, new[j]));
            j += 1;
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let before = "a\nb\nc\nd\ne\nf\ng\n";
        let after = "a\nb\nc\nD\ne\nf\ng\n";
        assert_eq!(line_diff(before, after), " b\n c\n-d\n+D\n e\n f\n");
    }

    #[test]
    fn distant_hunks_are_separated() {
        let before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
        let after = "x\n2\n3\n4\n5\n6\n7\n8\ny\n";
        assert_eq!(
            line_diff(before, after),
            "-1\n+x\n 2\n 3\n…\n 7\n 8\n-9\n+y\n"
        );
    }

    #[test]
    fn identical_texts_have_an_empty_diff() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), "");
    }
}

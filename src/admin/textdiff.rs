//! A small line diff for showing a moderator what a change did (history,
//! edit preview): `-` for a removed line, `+` for an added one, two lines of
//! context, `…` between distant hunks. The diff itself is `similar`'s
//! (Myers); texts longer than [`MAX_DIFF_LINES`] are shown as "everything
//! removed, everything added".

use similar::{Algorithm, DiffTag};

/// Texts longer than this many lines are not diffed line by line.
const MAX_DIFF_LINES: usize = 2_000;
const CONTEXT: usize = 2;

/// The diff of `before` and `after`, one line per changed or context line.
pub(crate) fn line_diff(before: &str, after: &str) -> String {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    if old == new {
        return String::new();
    }
    if old.len() > MAX_DIFF_LINES || new.len() > MAX_DIFF_LINES {
        let mut out = String::new();
        push_lines(&mut out, '-', &old);
        push_lines(&mut out, '+', &new);
        return out;
    }
    let ops = similar::capture_diff_slices(Algorithm::Myers, &old, &new);
    let hunks: Vec<String> = similar::group_diff_ops(ops, CONTEXT)
        .iter()
        .map(|hunk| {
            let mut out = String::new();
            for op in hunk {
                let (tag, old_range, new_range) = op.as_tag_tuple();
                match tag {
                    DiffTag::Equal => push_lines(&mut out, ' ', &old[old_range]),
                    DiffTag::Delete => push_lines(&mut out, '-', &old[old_range]),
                    DiffTag::Insert => push_lines(&mut out, '+', &new[new_range]),
                    DiffTag::Replace => {
                        push_lines(&mut out, '-', &old[old_range]);
                        push_lines(&mut out, '+', &new[new_range]);
                    }
                }
            }
            out
        })
        .collect();
    hunks.join("…\n")
}

/// Each of `lines` after `marker`, one per line.
fn push_lines(out: &mut String, marker: char, lines: &[&str]) {
    for line in lines {
        out.push(marker);
        out.push_str(line);
        out.push('\n');
    }
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
    fn additions_and_removals_at_the_ends() {
        assert_eq!(line_diff("", "a\nb\n"), "+a\n+b\n");
        assert_eq!(line_diff("a\nb\n", ""), "-a\n-b\n");
        assert_eq!(line_diff("a\nb\nc\n", "a\nb\nc\nd\n"), " b\n c\n+d\n");
    }

    #[test]
    fn identical_texts_have_an_empty_diff() {
        assert_eq!(line_diff("a\nb\n", "a\nb\n"), "");
    }
}

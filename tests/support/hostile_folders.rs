//! Forty hostile FAQ folders (issue 13's target: "`faqbot check` on any of
//! 40 hostile folders ends within 2 s with every problem at path:line:col").
//!
//! Each is a copy of the repository's `faq/` with one or more hostile
//! alterations: FIFOs, symlinks to devices or out of the folder, huge
//! (sparse) files, binary garbage, byte-order marks, CRLF and bare CR line
//! ends, non-UTF-8 bytes, deep nesting in conditions and in TOML, empty
//! files, folders where files belong, odd file names, many files and long
//! lines. Every alteration leaves at least one problem `check` must report,
//! at a known file ([`Case::expect`]).
//!
//! Shared by `tests/hostile_folders.rs` (exit code, path:line:col, a hang
//! guard) and `benches/check_hostile.rs` (the time per folder), included in
//! both with `#[path]`, beside `tests/support/common.rs` as `crate::common`.
//! Unix only: FIFOs and symlinks.

#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{copy_tree, manifest_dir};

/// One hostile alteration of a copy of `faq/`.
pub struct Case {
    /// A short name, unique among the cases (used for folder names and
    /// benchmark ids).
    pub name: &'static str,
    /// Where, relative to the FAQ folder, a problem must be reported ("" for
    /// the folder itself).
    pub expect: &'static str,
    /// Alters the copy; given the sandbox root and the FAQ folder in it.
    pub make: fn(root: &Path, faq: &Path),
}

/// A generated hostile folder.
pub struct Folder {
    pub name: &'static str,
    pub expect: &'static str,
    /// The sandbox for this case: `faq/`, `config.toml` and room outside.
    pub root: PathBuf,
    /// The FAQ folder `check` is pointed at.
    pub faq: PathBuf,
    /// A config naming `faq` as `faq_dir`.
    pub config: PathBuf,
}

/// Every generated folder, under one parent removed when dropped.
pub struct Folders {
    pub parent: PathBuf,
    pub folders: Vec<Folder>,
}

impl Drop for Folders {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.parent);
    }
}

/// Generates every case under a fresh folder in the system temp dir
/// (`label` keeps two users apart).
pub fn generate(label: &str) -> Folders {
    let parent = std::env::temp_dir().join(format!(
        "faqbot-hostile-folders-{label}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&parent);
    fs::create_dir_all(&parent).expect("create parent");
    let folders = CASES
        .iter()
        .map(|case| {
            let root = parent.join(case.name);
            let faq = root.join("faq");
            copy_tree(&manifest_dir().join("faq"), &faq);
            (case.make)(&root, &faq);
            let config = root.join("config.toml");
            fs::write(
                &config,
                format!("faq_dir = {}\n", toml_string(faq.to_str().expect("utf-8"))),
            )
            .expect("write config");
            Folder {
                name: case.name,
                expect: case.expect,
                root,
                faq,
                config,
            }
        })
        .collect();
    Folders { parent, folders }
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

// ---- small tools for the alterations ----

fn mkfifo(path: &Path) {
    let _ = fs::remove_file(path);
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

fn link(target: impl AsRef<Path>, at: &Path) {
    let _ = fs::remove_file(at);
    symlink(target, at).expect("symlink");
}

/// A sparse file of `bytes` bytes (takes no room on disk).
fn sparse(path: &Path, bytes: u64) {
    let _ = fs::remove_file(path);
    let file = fs::File::create(path).expect("create");
    file.set_len(bytes).expect("set length");
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).expect("read")
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    fs::write(path, bytes).expect("write");
}

/// Deterministic pseudo-random bytes (xorshift), so every run sees the
/// same garbage.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

fn entry(faq: &Path, id: &str) -> PathBuf {
    faq.join("entries").join(format!("{id}.toml"))
}

/// The text of an entry file renamed to `id` (valid but for what the case
/// adds).
fn entry_as(faq: &Path, id: &str) -> String {
    read(&entry(faq, "shin-splints")).replace("id = \"shin-splints\"", &format!("id = \"{id}\""))
}

/// Replaces the first `from` in the file at `path` with `to`.
fn replace_in(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    write(path, text.replacen(from, to, 1));
}

const CONDITION: &str = "ask_if = \"ecq_pain_when_walking = yes\"";

/// The forty cases.
pub const CASES: [Case; 40] = [
    // FIFOs: opening one blocks until a writer comes.
    Case {
        name: "fifo-entry",
        expect: "entries/waiting.toml",
        make: |_, faq| mkfifo(&entry(faq, "waiting")),
    },
    Case {
        name: "fifo-synonyms",
        expect: "synonyms.toml",
        make: |_, faq| mkfifo(&faq.join("synonyms.toml")),
    },
    Case {
        name: "fifo-symptom-check",
        expect: "symptom-check.toml",
        make: |_, faq| mkfifo(&faq.join("symptom-check.toml")),
    },
    Case {
        name: "fifo-emergency-flags",
        expect: "emergency/flags.toml",
        make: |_, faq| mkfifo(&faq.join("emergency/flags.toml")),
    },
    Case {
        name: "fifo-as-the-faq-folder",
        expect: "",
        make: |_, faq| {
            fs::remove_dir_all(faq).expect("remove");
            mkfifo(faq);
        },
    },
    // Devices: endless, or endless garbage.
    Case {
        name: "dev-zero-entry",
        expect: "entries/zero.toml",
        make: |_, faq| link("/dev/zero", &entry(faq, "zero")),
    },
    Case {
        name: "dev-urandom-urgency",
        expect: "urgency.toml",
        make: |_, faq| link("/dev/urandom", &faq.join("urgency.toml")),
    },
    Case {
        name: "dev-null-entry",
        expect: "entries/null.toml",
        make: |_, faq| link("/dev/null", &entry(faq, "null")),
    },
    Case {
        name: "dev-zero-lexicon",
        expect: "emergency/lexicon.tsv",
        make: |_, faq| link("/dev/zero", &faq.join("emergency/lexicon.tsv")),
    },
    // Symlinks that leave the folder, dangle or loop.
    Case {
        name: "symlink-entry-outside",
        expect: "entries/borrowed.toml",
        make: |root, faq| {
            let outside = root.join("elsewhere");
            fs::create_dir_all(&outside).expect("create");
            write(&outside.join("borrowed.toml"), entry_as(faq, "borrowed"));
            link("../../elsewhere/borrowed.toml", &entry(faq, "borrowed"));
        },
    },
    Case {
        name: "symlink-emergency-folder-outside",
        expect: "emergency/",
        make: |root, faq| {
            let outside = root.join("emergency-elsewhere");
            fs::rename(faq.join("emergency"), &outside).expect("move");
            link("../emergency-elsewhere", &faq.join("emergency"));
        },
    },
    Case {
        name: "symlink-etc-passwd",
        expect: "synonyms.toml",
        make: |_, faq| link("/etc/passwd", &faq.join("synonyms.toml")),
    },
    Case {
        name: "symlink-dangling",
        expect: "entries/ghost.toml",
        make: |_, faq| link("no-such-file.toml", &entry(faq, "ghost")),
    },
    Case {
        name: "symlink-loop",
        expect: "entries/loop.toml",
        make: |_, faq| link("loop.toml", &entry(faq, "loop")),
    },
    // Huge files: 200 MB, sparse.
    Case {
        name: "huge-entry",
        expect: "entries/huge.toml",
        make: |_, faq| sparse(&entry(faq, "huge"), 200 << 20),
    },
    Case {
        name: "huge-symptom-check",
        expect: "symptom-check.toml",
        make: |_, faq| sparse(&faq.join("symptom-check.toml"), 200 << 20),
    },
    Case {
        name: "huge-lexicon",
        expect: "emergency/lexicon.tsv",
        make: |_, faq| sparse(&faq.join("emergency/lexicon.tsv"), 200 << 20),
    },
    // Binary garbage and other encodings.
    Case {
        name: "binary-entry",
        expect: "entries/garbage.toml",
        make: |_, faq| write(&entry(faq, "garbage"), garbage(64 << 10, 1)),
    },
    Case {
        name: "binary-model",
        expect: "emergency/model.tsv",
        make: |_, faq| write(&faq.join("emergency/model.tsv"), garbage(200 << 10, 2)),
    },
    Case {
        name: "control-characters-entry",
        expect: "entries/controls.toml",
        make: |_, faq| {
            let text =
                entry_as(faq, "controls").replace("question = ", "question\0 = \u{7}\u{1b}[31m");
            write(&entry(faq, "controls"), text);
        },
    },
    Case {
        name: "utf16-entry",
        expect: "entries/wide.toml",
        make: |_, faq| {
            let mut bytes = vec![0xFF, 0xFE];
            for unit in entry_as(faq, "wide").encode_utf16() {
                bytes.extend_from_slice(&unit.to_le_bytes());
            }
            write(&entry(faq, "wide"), bytes);
        },
    },
    Case {
        name: "non-utf8-entry",
        expect: "entries/shin-splints.toml",
        make: |_, faq| {
            let path = entry(faq, "shin-splints");
            let mut bytes = fs::read(&path).expect("read");
            let at = bytes
                .windows(8)
                .position(|w| w == b"question")
                .expect("found");
            bytes.insert(at + 12, 0xFF);
            write(&path, bytes);
        },
    },
    Case {
        name: "latin1-synonyms",
        expect: "synonyms.toml",
        make: |_, faq| {
            let path = faq.join("synonyms.toml");
            let mut bytes = fs::read(&path).expect("read");
            bytes.extend_from_slice(b"\n[spelling]\ncaf\xE9 = \"cafe\"\n");
            write(&path, bytes);
        },
    },
    Case {
        name: "non-utf8-lexicon",
        expect: "emergency/lexicon.tsv",
        make: |_, faq| {
            let path = faq.join("emergency/lexicon.tsv");
            let mut bytes = fs::read(&path).expect("read");
            bytes.extend_from_slice(b"calf\tcalf \xC3\x28 muscle\n");
            write(&path, bytes);
        },
    },
    // Byte-order marks and line ends: tolerated where harmless, so each
    // case also carries a mistake the check must place at the right line.
    Case {
        name: "bom-and-unknown-key",
        expect: "entries/shin-splints.toml",
        make: |_, faq| {
            let path = entry(faq, "shin-splints");
            write(&path, format!("\u{FEFF}colour = \"red\"\n{}", read(&path)));
        },
    },
    Case {
        name: "bom-inside-a-file",
        expect: "entries/sciatica.toml",
        make: |_, faq| replace_in(&entry(faq, "sciatica"), "question =", "\u{FEFF}question ="),
    },
    Case {
        name: "crlf-everywhere-and-unknown-key",
        expect: "entries/sciatica.toml",
        make: |_, faq| {
            for path in [
                faq.join("synonyms.toml"),
                faq.join("urgency.toml"),
                faq.join("symptom-check.toml"),
                faq.join("emergency/flags.toml"),
                entry(faq, "sciatica"),
            ] {
                write(&path, read(&path).replace('\n', "\r\n"));
            }
            let path = entry(faq, "sciatica");
            write(&path, format!("{}colour = 1\r\n", read(&path)));
        },
    },
    Case {
        name: "bare-cr-line-ends",
        expect: "urgency.toml",
        make: |_, faq| {
            let path = faq.join("urgency.toml");
            write(&path, read(&path).replace('\n', "\r"));
        },
    },
    // Nesting deep enough to overflow a recursive reader.
    Case {
        name: "nested-brackets-condition",
        expect: "symptom-check.toml",
        make: |_, faq| {
            let depth = 100_000;
            let nested = format!(
                "ask_if = \"{}ecq_pain_when_walking = yes{}\"",
                "(".repeat(depth),
                ")".repeat(depth)
            );
            replace_in(&faq.join("symptom-check.toml"), CONDITION, &nested);
        },
    },
    Case {
        name: "nested-not-condition",
        expect: "symptom-check.toml",
        make: |_, faq| {
            let nested = format!(
                "ask_if = \"{}ecq_pain_when_walking = yes\"",
                "not ".repeat(100_000)
            );
            replace_in(&faq.join("symptom-check.toml"), CONDITION, &nested);
        },
    },
    Case {
        name: "nested-toml-arrays",
        expect: "entries/arrays.toml",
        make: |_, faq| {
            let depth = 50_000;
            let text = format!(
                "{}\nsee_also = {}\"x\"{}\n",
                entry_as(faq, "arrays").replace("see_also", "old_see_also"),
                "[".repeat(depth),
                "]".repeat(depth)
            );
            write(&entry(faq, "arrays"), text);
        },
    },
    Case {
        name: "nested-inline-tables",
        expect: "synonyms.toml",
        make: |_, faq| {
            let depth = 50_000;
            let path = faq.join("synonyms.toml");
            let text = format!(
                "{}\nnested = {}1{}\n",
                read(&path),
                "{ a = ".repeat(depth),
                " }".repeat(depth)
            );
            write(&path, text);
        },
    },
    Case {
        name: "nested-table-headers",
        expect: "emergency/context.toml",
        make: |_, faq| {
            let path = faq.join("emergency/context.toml");
            let header = vec!["a"; 50_000].join(".");
            write(&path, format!("{}\n[{header}]\nb = 1\n", read(&path)));
        },
    },
    // Empty files and folders where files belong.
    Case {
        name: "empty-files",
        expect: "symptom-check.toml",
        make: |_, faq| {
            for name in ["synonyms.toml", "urgency.toml", "symptom-check.toml"] {
                write(&faq.join(name), "");
            }
            write(&entry(faq, "empty"), "");
        },
    },
    Case {
        name: "folder-as-symptom-check",
        expect: "symptom-check.toml",
        make: |_, faq| {
            fs::remove_file(faq.join("symptom-check.toml")).expect("remove");
            fs::create_dir_all(faq.join("symptom-check.toml")).expect("create");
        },
    },
    Case {
        name: "folder-as-emergency-flags",
        expect: "emergency/flags.toml",
        make: |_, faq| {
            fs::remove_file(faq.join("emergency/flags.toml")).expect("remove");
            fs::create_dir_all(faq.join("emergency/flags.toml/inner")).expect("create");
        },
    },
    // Odd names, deep folders, many files, long lines.
    Case {
        name: "odd-unicode-file-names",
        expect: "entries/",
        make: |_, faq| {
            for name in [
                "ca\u{301}lf\u{202E}txt.toml",
                "new\nline.toml",
                "tab\there.toml",
            ] {
                write(
                    &faq.join("entries").join(name),
                    entry_as(faq, "shin-splints"),
                );
            }
            let name = std::ffi::OsStr::from_bytes(b"latin\xE9.toml");
            write(
                &faq.join("entries").join(name),
                entry_as(faq, "shin-splints"),
            );
        },
    },
    Case {
        name: "deeply-nested-folders",
        expect: "entries/d/d/",
        make: |_, faq| {
            let mut dir = faq.join("entries");
            for _ in 0..200 {
                dir.push("d");
            }
            fs::create_dir_all(&dir).expect("create");
            write(&dir.join("deep.toml"), "id = \"deep\"\nquestion = 1\n");
        },
    },
    Case {
        name: "thousands-of-broken-entries",
        expect: "entries/many-0.toml",
        make: |_, faq| {
            for i in 0..3_000 {
                let mut file = fs::File::create(entry(faq, &format!("many-{i}"))).expect("create");
                writeln!(file, "id = \"many-{i}\"\nquestion = [\nanswer = 3").expect("write");
            }
        },
    },
    Case {
        name: "one-long-line",
        expect: "entries/long.toml",
        make: |_, faq| {
            let words = "my calf hurts when I walk and eases when I stop. ".repeat(18_000);
            let text = entry_as(faq, "long").replacen(
                "answer = \"\"\"",
                &format!("answer = \"\"\"{words}"),
                1,
            );
            write(&entry(faq, "long"), text);
        },
    },
];

use std::os::unix::ffi::OsStrExt;

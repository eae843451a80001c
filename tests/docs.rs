//! The docs cannot rot: every page of `docs/` (and the README) is compiled as doctests by
//! `src/lib.rs`, every fenced block says its language, and no Rust block opts out of compiling.
//! These checks read the files only, so they run in every feature subset.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// README.md and every docs/*.md, sorted.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|entry| entry.expect("docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    pages.sort();
    pages.insert(0, root().join("README.md"));
    pages
}

/// A fenced block: the line it opens on (1-based) and its info string, trimmed.
#[derive(Debug, PartialEq)]
struct Fence {
    line: usize,
    info: String,
    body: String,
}

fn fences(text: &str) -> Vec<Fence> {
    let mut fences = Vec::new();
    let mut open: Option<(Fence, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(info)) => {
                let fence = Fence {
                    line: i + 1,
                    info: info.trim().to_owned(),
                    body: String::new(),
                };
                open = Some((fence, indent));
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                fences.push(open.take().expect("an open fence").0);
            }
            (Some((fence, indent)), _) => {
                fence
                    .body
                    .push_str(line.get(*indent..).unwrap_or(line.trim_start()));
                fence.body.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "a fence is never closed");
    fences
}

/// What rustdoc compiles: an info string with `rust` in it, or made of rustdoc's own attributes
/// only (empty included).
fn is_rust(info: &str) -> bool {
    const ATTRIBUTES: [&str; 7] = [
        "rust",
        "ignore",
        "no_run",
        "should_panic",
        "compile_fail",
        "edition2021",
        "edition2024",
    ];
    let mut tokens = info.split([',', ' ']).filter(|token| !token.is_empty());
    tokens.clone().any(|token| token == "rust") || tokens.all(|token| ATTRIBUTES.contains(&token))
}

#[test]
fn every_page_is_compiled_as_doctests_by_lib_rs() {
    let lib = read(&root().join("src/lib.rs"));
    let missing: Vec<String> = pages()
        .iter()
        .map(|page| {
            let name = page.strip_prefix(root()).expect("under the root");
            format!("#[doc = include_str!(\"../{}\")]", name.display())
        })
        .filter(|include| !lib.contains(include.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "src/lib.rs does not compile these pages' Rust blocks: {missing:?}"
    );
}

#[test]
fn every_fenced_block_names_its_language_and_every_rust_block_compiles() {
    let mut problems = Vec::new();
    for page in pages() {
        let name = page
            .strip_prefix(root())
            .expect("under the root")
            .display()
            .to_string();
        for fence in fences(&read(&page)) {
            if fence.info.is_empty() {
                problems.push(format!(
                    "{name}:{}: no language (rust, text, sh, toml...)",
                    fence.line
                ));
            } else if is_rust(&fence.info) && fence.info.split(',').any(|a| a.trim() == "ignore") {
                problems.push(format!(
                    "{name}:{}: `ignore` is not compiled; use hidden `#` lines or `no_run`",
                    fence.line
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_fence_reader_sees_languages_and_indented_blocks() {
    let text = "a\n```rust,ignore\nx\n```\n  ```\n  y\n  ```\n```sh\nz\n```\n";
    let got = fences(text);
    assert_eq!(got.len(), 3);
    assert_eq!(
        (got[0].line, got[0].info.as_str(), got[0].body.as_str()),
        (2, "rust,ignore", "x\n")
    );
    assert_eq!(
        (got[1].line, got[1].info.as_str(), got[1].body.as_str()),
        (5, "", "y\n")
    );
    assert_eq!((got[2].line, got[2].info.as_str()), (8, "sh"));
    assert!(is_rust("rust,no_run") && is_rust("") && is_rust("no_run"));
    assert!(!is_rust("text") && !is_rust("sql") && is_rust("rust,text"));
}

/// The code of `examples/newcomer.rs`, without its `//!` header.
fn newcomer_example() -> String {
    let source = read(&root().join("examples/newcomer.rs"));
    let code: Vec<&str> = source
        .lines()
        .filter(|line| !line.starts_with("//!"))
        .collect();
    format!("{}\n", code.join("\n").trim_matches('\n'))
}

#[test]
fn the_quick_start_begins_with_the_newcomer_s_receiver_in_at_most_15_lines() {
    let readme = read(&root().join("README.md"));
    let quick_start = readme
        .find("\n## Quick start\n")
        .expect("a Quick start section");
    let first_rust = fences(&readme[quick_start..])
        .into_iter()
        .find(|fence| is_rust(&fence.info))
        .expect("a Rust block in the quick start");
    assert_eq!(
        first_rust.info, "rust,no_run",
        "it serves, so it compiles without running"
    );
    let example = newcomer_example();
    assert_eq!(
        first_rust.body, example,
        "the README's quick start and examples/newcomer.rs differ"
    );
    // Counted as rustfmt leaves it (CI checks the example's formatting), imports excluded.
    let lines: Vec<&str> = example
        .lines()
        .skip_while(|line| line.starts_with("use ") || line.trim().is_empty())
        .collect();
    assert!(
        lines.len() <= 15,
        "the newcomer's receiver is {} lines besides its imports:\n{}",
        lines.len(),
        lines.join("\n")
    );
    // A real receiver: configured from the environment, served, every delivery printed.
    for part in [
        "Config::from_env()?",
        "axum::router(config,",
        "axum::serve(",
        "println!",
    ] {
        assert!(
            example.contains(part),
            "no `{part}` in the newcomer's receiver"
        );
    }
}

//! The library's data flow runs one way (ingest → series → models → evaluation → scenarios →
//! market → commands → outputs) and no two of its modules import each other, read from the source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// In import order: a module may name its own layer and earlier ones. `series` comes first
/// because ingest returns its validated types.
const LAYERS: [&str; 8] = [
    "series",
    "ingest",
    "models",
    "evaluation",
    "scenarios",
    "market",
    "commands",
    "outputs",
];

/// `layer/module` of every non-test source file under `src/<layer>/`, with the
/// `layer/module`s it names (`crate::layer::module`, `super::module`).
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for layer in LAYERS {
        let Ok(dir) = std::fs::read_dir(src.join(layer)) else {
            continue;
        };
        for entry in dir.flatten() {
            let path = entry.path();
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if path.extension().is_none_or(|e| e != "rs") || stem == "mod" || stem == "tests" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let mut deps = BTreeSet::new();
            for (prefix, own) in [("crate::", false), ("super::", true)] {
                for part in code.split(prefix).skip(1) {
                    let names: Vec<&str> = part
                        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .next()
                        .unwrap_or("")
                        .split("::")
                        .collect();
                    let dep = if own {
                        names.first().map(|m| format!("{layer}/{m}"))
                    } else if names.len() >= 2 && LAYERS.contains(&names[0]) {
                        Some(format!("{}/{}", names[0], names[1]))
                    } else {
                        names.first().map(|l| format!("{l}/"))
                    };
                    if let Some(d) = dep.filter(|d| *d != format!("{layer}/{stem}")) {
                        deps.insert(d);
                    }
                }
            }
            out.insert(format!("{layer}/{stem}"), deps);
        }
    }
    out
}

#[test]
fn no_module_imports_a_later_layer() {
    let rank = |m: &str| LAYERS.iter().position(|l| m.starts_with(&format!("{l}/")));
    for (m, deps) in imports() {
        for d in deps {
            if let (Some(a), Some(b)) = (rank(&m), rank(&d)) {
                assert!(b <= a, "{m} imports {d}, a later layer");
            }
        }
    }
}

#[test]
fn no_two_modules_import_each_other_even_through_others() {
    let g = imports();
    // depth-first search for a cycle among the files
    fn visit(
        n: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) {
        if done.contains(n) {
            return;
        }
        if let Some(i) = stack.iter().position(|s| s == n) {
            panic!("import cycle: {} -> {n}", stack[i..].join(" -> "));
        }
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if g.contains_key(d) {
                visit(d, g, stack, done);
            }
        }
        stack.pop();
        done.insert(n.to_string());
    }
    let mut done = BTreeSet::new();
    for n in g.keys() {
        visit(n, &g, &mut Vec::new(), &mut done);
    }
    assert!(g.contains_key("scenarios/vintage") && g.contains_key("market/backtest"));
}

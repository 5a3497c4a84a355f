//! The hostile corpus: bad files, bad flags and bad output paths, across every input kind and
//! command. Each case runs the real binary in a directory holding every fixture below plus
//! pre-existing outputs, and asserts the exit code, a message substring, no panic, no hang,
//! and that every file in the directory is byte-for-byte unchanged afterwards (no partial
//! output, no temporary file left behind, nothing overwritten).

use crate::common::chipcast;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

fn csv_series(ids: &[&str], periods: &[String], value: impl Fn(usize) -> String) -> String {
    let mut s = String::from("unique_id,ds,y\n");
    for id in ids {
        for (i, p) in periods.iter().enumerate() {
            s.push_str(&format!("{id},{p},{}\n", value(i)));
        }
    }
    s
}

fn years(a: i64, b: i64) -> Vec<String> {
    (a..=b).map(|y| y.to_string()).collect()
}

/// A valid Parquet file written by chipcast itself (a forecast table: columns
/// unique_id, ds, model, mean, ...), made once per test run.
fn parquet_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("g.csv"),
            csv_series(&["A"], &years(2000, 2009), |i| (i + 1).to_string()),
        )
        .unwrap();
        let out = chipcast(dir.path())
            .args([
                "forecast",
                "--input",
                "g.csv",
                "--model",
                "naive",
                "-o",
                "f.parquet",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::read(dir.path().join("f.parquet")).unwrap()
    })
}

/// Every fixture, written into each case's directory.
fn fixtures() -> Vec<(&'static str, Vec<u8>)> {
    let good = csv_series(&["A", "B"], &years(2000, 2011), |i| {
        (10 + i * 2).to_string()
    });
    let one = csv_series(&["A"], &years(2000, 2011), |i| (10 + i * 2).to_string());
    let months: Vec<String> = (0..24)
        .map(|i| format!("{}-{:02}", 9998 + i / 12, i % 12 + 1))
        .collect();
    let end9999 = csv_series(&["A"], &months, |i| (100 + i).to_string());
    let near_max: Vec<String> = (999_999_999_990i64..=999_999_999_999)
        .map(|y| y.to_string())
        .collect();
    let zeros = csv_series(&["A", "B"], &years(2000, 2005), |i| (i % 2).to_string());
    let scenario = |body: &str| body.as_bytes().to_vec();
    let base_scenario = "name = \"t\"\nfrom = 2024\nto = 2030\n[[demand]]\nlabel = \"x\"\nvalue_busd = 5000\n[assumptions]\nai_share_of_chip_sales = { value = 0.2 }\nchip_share_of_capex = { value = 0.3 }\ncapex_intensity = { value = 0.1 }\n";
    let pq = parquet_bytes().to_vec();
    vec![
        ("good.csv", good.clone().into_bytes()),
        ("one.csv", one.clone().into_bytes()),
        ("end9999.csv", end9999.into_bytes()),
        (
            "near_max.csv",
            csv_series(&["A"], &near_max, |i| (i + 1).to_string()).into_bytes(),
        ),
        (
            "i64max.csv",
            b"unique_id,ds,y\nA,9223372036854775806,1\nA,9223372036854775807,2\n".to_vec(),
        ),
        ("zeros.csv", zeros.into_bytes()),
        ("semicolon.csv", good.replace(',', ";").into_bytes()),
        ("tabs.csv", good.replace(',', "\t").into_bytes()),
        ("pipes.csv", good.replace(',', "|").into_bytes()),
        (
            "spaced_header.csv",
            one.replacen("unique_id,ds,y", "unique_id, ds, y", 1)
                .into_bytes(),
        ),
        (
            "dup_header.csv",
            b"unique_id,ds,y,y\nA,2000,1,2\nA,2001,2,3\n".to_vec(),
        ),
        (
            "empty_header_field.csv",
            b"unique_id,,y\nA,2000,1\n".to_vec(),
        ),
        (
            "padded_id.csv",
            b"unique_id,ds,y\nA,2000,1\n A ,2001,2\nA,2002,3\n".to_vec(),
        ),
        ("exp_time.csv", b"unique_id,ds,y\nA,1e3,1\nA,1001,2\n".to_vec()),
        (
            "decimal_time.csv",
            b"unique_id,ds,y\nA,2000.0,1\nA,2001.0,2\n".to_vec(),
        ),
        ("plus_time.csv", b"unique_id,ds,y\nA,+2000,1\n".to_vec()),
        (
            "mixed_time.csv",
            b"unique_id,ds,y\nA,2000,1\nA,2001-01,2\n".to_vec(),
        ),
        (
            "bad_month.csv",
            b"unique_id,ds,y\nA,2000-13,1\nA,2000-14,2\n".to_vec(),
        ),
        (
            "bad_date.csv",
            b"unique_id,ds,y\nA,2001-02-29,1\n".to_vec(),
        ),
        (
            "multiline.csv",
            b"unique_id,ds,y\n\"A\nB\",2000,1\n\"A\nB\",2001,2\n\"A\nB\",2002,oops\n".to_vec(),
        ),
        (
            "unclosed.csv",
            b"unique_id,ds,y\nA,2000,1\n\"A,2001,2\nA,2002,3\n".to_vec(),
        ),
        (
            "after_quote.csv",
            b"unique_id,ds,y\n\"A\"x,2000,1\n".to_vec(),
        ),
        (
            "extra_field.csv",
            b"unique_id,ds,y\nA,2000,1\nA,2001,1,5\n".to_vec(),
        ),
        ("short_row.csv", b"unique_id,ds,y\nA,2000,1\nA,2001\n".to_vec()),
        (
            "latin1.csv",
            b"unique_id,ds,y\nA\xe9,2000,1\nA\xe9,2001,2\n".to_vec(),
        ),
        ("nul.csv", b"unique_id,ds,y\nA,2000,1\0\n".to_vec()),
        ("empty.csv", Vec::new()),
        ("newlines.csv", b"\n\n\n".to_vec()),
        ("header_only.csv", b"unique_id,ds,y\n".to_vec()),
        ("nan.csv", b"unique_id,ds,y\nA,2000,1\nA,2001,NaN\n".to_vec()),
        ("inf.csv", b"unique_id,ds,y\nA,2000,1\nA,2001,-inf\n".to_vec()),
        (
            "comma_decimal.csv",
            b"unique_id,ds,y\nA,2000,\"1,5\"\nA,2001,\"2,5\"\n".to_vec(),
        ),
        ("no_id.csv", b"unique_id,ds,y\nA,2000,1\n,2001,2\n".to_vec()),
        ("no_time.csv", b"unique_id,ds,y\nA,2000,1\nA,,2\n".to_vec()),
        ("no_value.csv", b"unique_id,ds,y\nA,2000,1\nA,2001,\n".to_vec()),
        (
            "dup_period.csv",
            b"unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2000,3\n".to_vec(),
        ),
        (
            "gap.csv",
            b"unique_id,ds,y\nA,2000,1\nA,2001,2\nA,2005,3\n".to_vec(),
        ),
        ("huge_value.csv", b"unique_id,ds,y\nA,2000,1e400\n".to_vec()),
        ("data.xlsx", b"PK\x03\x04".to_vec()),
        ("data.tsv", good.replace(',', "\t").into_bytes()),
        // JSON
        (
            "object.json",
            br#"{"unique_id": "A", "ds": 2000, "y": 1}"#.to_vec(),
        ),
        ("deep.json", "[".repeat(5000).into_bytes()),
        (
            "nested_value.json",
            br#"[{"unique_id": "A", "ds": 2000, "y": [1, 2]}]"#.to_vec(),
        ),
        ("scalar.json", b"42".to_vec()),
        ("empty_array.json", b"[]".to_vec()),
        ("truncated.json", br#"[{"unique_id": "A", "ds": 20"#.to_vec()),
        (
            "float_time.json",
            br#"[{"unique_id": "A", "ds": 1e3, "y": 1}, {"unique_id": "A", "ds": 1001.5, "y": 2}]"#
                .to_vec(),
        ),
        (
            "wrong_cols.json",
            br#"[{"id": "A", "t": 2000, "v": 1}]"#.to_vec(),
        ),
        (
            "string_value.json",
            br#"[{"unique_id": "A", "ds": 2000, "y": "one"}]"#.to_vec(),
        ),
        (
            "dup_key.json",
            b"[{\"unique_id\": \"A\", \"ds\": 2000, \"y\": 1,\n  \"y\": 5}]".to_vec(),
        ),
        (
            "dup_key.ndjson",
            b"{\"unique_id\":\"A\",\"ds\":2000,\"y\":1}\n{\"unique_id\":\"A\",\"ds\":2001,\"ds\":1}\n".to_vec(),
        ),
        ("latin1.json", b"[{\"unique_id\": \"A\xe9\"}]".to_vec()),
        (
            "nested.ndjson",
            b"{\"unique_id\":\"A\",\"ds\":2000,\"y\":{\"a\":{\"b\":1}}}\n".to_vec(),
        ),
        ("deep.ndjson", "{\"a\":".repeat(3000).into_bytes()),
        ("array_line.ndjson", b"[1,2,3]\n".to_vec()),
        ("garbage.ndjson", b"hello world\n".to_vec()),
        (
            "bad_value.ndjson",
            b"{\"unique_id\":\"A\",\"ds\":2000,\"y\":1}\n{\"unique_id\":\"A\",\"ds\":2001,\"y\":null}\n"
                .to_vec(),
        ),
        // Parquet
        ("garbage.parquet", b"PAR1 this is not parquet at all PAR1".to_vec()),
        ("truncated.parquet", pq[..pq.len() / 2].to_vec()),
        ("csv_named.parquet", good.clone().into_bytes()),
        ("forecast.parquet", pq.clone()),
        // found by mutating a valid file: a data page claiming 2^64 values (polars allocated
        // 2^61 bytes and aborted), and a footer whose thrift panicked the metadata reader
        (
            "page_count.parquet",
            include_bytes!("../fixtures/bad/corrupt_page_count.parquet").to_vec(),
        ),
        (
            "footer_thrift.parquet",
            include_bytes!("../fixtures/bad/corrupt_footer_thrift.parquet").to_vec(),
        ),
        // regressors
        (
            "reg_collinear.csv",
            {
                let mut s = String::from("ds,r1,r2\n");
                for y in 2000..=2017 {
                    let r1 = (y - 2000) as f64 * 1.5 + ((y * 7) % 5) as f64;
                    s.push_str(&format!("{y},{r1},{}\n", 2.0 * r1 + 1.0));
                }
                s.into_bytes()
            },
        ),
        (
            "reg_short.csv",
            b"ds,r1\n2000,1\n2001,2\n".to_vec(),
        ),
        (
            "reg_bad.csv",
            b"ds,r1\n2000,1\n2001,x\n".to_vec(),
        ),
        // scenarios (TOML)
        ("syntax.toml", scenario("name = \"t\nfrom = ")),
        (
            "deep.toml",
            scenario(&format!("x = {}{}\n", "[".repeat(5000), "]".repeat(5000))),
        ),
        (
            "unknown_key.toml",
            scenario(&format!("{base_scenario}colour = \"red\"\n")),
        ),
        (
            "huge_to.toml",
            scenario(&base_scenario.replace("to = 2030", "to = 9223372036854775807")),
        ),
        (
            "from_after_to.toml",
            scenario(&base_scenario.replace("from = 2024", "from = 2031")),
        ),
        (
            "many_demand.toml",
            scenario(&format!(
                "{base_scenario}{}",
                "[[demand]]\nlabel = \"y\"\nvalue_busd = 1\n".repeat(20_000)
            )),
        ),
        (
            "big_grid.toml",
            scenario(&format!(
                "{base_scenario}[sensitivity]\nai_share_of_chip_sales = [{}]\n",
                vec!["0.5"; 20_000].join(",")
            )),
        ),
        (
            "bad_row.toml",
            scenario(&base_scenario.replace(
                "value_busd = 5000",
                "row = \"demand_estimates.csv:99999\"",
            )),
        ),
        (
            "bad_share.toml",
            scenario(&base_scenario.replace("{ value = 0.2 }", "{ value = 7 }")),
        ),
        (
            "no_demand_value.toml",
            scenario(&base_scenario.replace("value_busd = 5000\n", "")),
        ),
        (
            "huge.toml",
            scenario(&format!("{base_scenario}# {}\n", "x".repeat(2 << 20))),
        ),
        // pre-existing outputs that a failed run must leave alone
        ("out.csv", b"precious output\n".to_vec()),
        ("out.json", b"[\"precious\"]\n".to_vec()),
        ("out.parquet", b"precious parquet\n".to_vec()),
        ("chart.png", b"precious chart\n".to_vec()),
        ("chart.svg", b"<svg>precious</svg>\n".to_vec()),
        ("params.csv", b"precious params\n".to_vec()),
        ("timing.csv", b"precious timing\n".to_vec()),
    ]
}

/// `(name, args, exit code, message substring)`.
type Case = (&'static str, &'static [&'static str], i32, &'static str);

const F: &str = "forecast";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- never lose data: outputs checked before any work ---
    ("failed one-series run keeps -o", &[F, "--input", "zeros.csv", "--id", "A", "--model", "logdrift", "-H", "3", "-o", "out.csv"], 2, "growth rates need every value > 0"),
    ("every series failing is an error", &[F, "--input", "zeros.csv", "--model", "logdrift", "-o", "out.csv"], 2, "every series failed (2 of 2)"),
    ("-o equal to --input", &[F, "--input", "good.csv", "-o", "good.csv"], 2, "same file as --input"),
    ("-o equal to --input via ./", &[F, "--input", "good.csv", "-o", "./good.csv"], 2, "same file as --input"),
    ("--params equal to -o", &[F, "--input", "good.csv", "-o", "out.csv", "--params", "./out.csv"], 2, "name the same file"),
    ("--timing equal to -o", &[F, "--input", "good.csv", "-o", "out.csv", "--timing", "out.csv"], 2, "name the same file"),
    ("--chart .jpg", &[F, "--input", "one.csv", "-o", "out.csv", "--chart", "fan.jpg"], 2, "--chart needs one of the extensions .png, .svg (got .jpg)"),
    ("--timing in a missing directory", &[F, "--input", "good.csv", "-o", "out.csv", "--timing", "nodir/t.csv"], 2, "the directory nodir does not exist"),
    ("-o .txt", &[F, "--input", "good.csv", "-o", "out.txt"], 2, "--output needs one of the extensions .csv, .json, .parquet (got .txt)"),
    ("-o without extension", &[F, "--input", "good.csv", "-o", "out"], 2, "(got none)"),
    ("-o a directory", &[F, "--input", "good.csv", "-o", "adir.csv"], 2, "is a directory"),
    ("-o in a missing directory", &[F, "--input", "good.csv", "-o", "no/such/out.csv"], 2, "does not exist"),
    ("--params .xlsx", &[F, "--input", "good.csv", "--params", "p.xlsx"], 2, "--params needs one of the extensions"),
    ("--timing .json", &[F, "--input", "good.csv", "--timing", "t.json"], 2, "--timing needs one of the extensions .csv"),
    ("gap -o .txt", &["gap", "-o", "gap.txt"], 2, "--output needs one of the extensions"),
    ("gap --chart .gif", &["gap", "--chart", "gap.gif"], 2, "--chart needs one of the extensions .png, .svg"),
    ("gap -o equal to --scenario", &["gap", "--scenario", "bad_share.toml", "-o", "bad_share.toml"], 2, "--output needs one of the extensions"),
    ("milestone --chart .jpg", &["milestone", "--chart", "m.jpg"], 2, "--chart needs one of the extensions"),
    ("milestone -o = --input", &["milestone", "--input", "one.csv", "-o", "one.csv"], 2, "same file as --input"),
    ("nowcast -o = --next-output", &["nowcast", "-o", "out.csv", "--next-output", "out.csv"], 2, "name the same file"),
    ("nowcast --next-output .txt", &["nowcast", "--next-output", "n.txt"], 2, "--next-output needs one of the extensions"),
    ("backtest -o .md", &["backtest", "-o", "b.md"], 2, "--output needs one of the extensions"),
    ("vintages --chart .pdf", &["vintages", "--chart", "v.pdf"], 2, "--chart needs one of the extensions"),
    ("regions -o missing dir", &["regions", "-o", "nodir/r.csv"], 2, "the directory nodir does not exist"),
    ("--regressors equal to -o", &[F, "--input", "one.csv", "--model", "regression", "--regressors", "reg_bad.csv", "-o", "reg_bad.csv"], 2, "same file as --regressors"),
    // --- limits ---
    ("horizon u64::MAX", &[F, "--input", "good.csv", "--horizon", "18446744073709551615"], 2, "MAX_HORIZON"),
    ("horizon beyond u128", &[F, "--input", "good.csv", "--horizon", "999999999999999999999999999999999999999999"], 2, "MAX_HORIZON"),
    ("horizon 1e10 naive", &[F, "--input", "good.csv", "--horizon", "10000000000", "--model", "naive"], 2, "more than the limit of 1000 steps"),
    ("horizon 1e6", &[F, "--input", "good.csv", "--horizon", "1000000"], 2, "MAX_HORIZON"),
    ("horizon 1001", &[F, "--input", "good.csv", "--horizon", "1001"], 2, "MAX_HORIZON"),
    ("horizon 0", &[F, "--input", "good.csv", "--horizon", "0"], 2, "at least 1"),
    ("horizon -1 without =", &[F, "--input", "good.csv", "--horizon", "-1"], 2, "--horizon=-1"),
    ("horizon=-1", &[F, "--input", "good.csv", "--horizon=-1"], 2, "not a whole number of steps"),
    ("horizon 1.5", &[F, "--input", "good.csv", "--horizon", "1.5"], 2, "not a whole number of steps"),
    ("horizon abc", &[F, "--input", "good.csv", "--horizon", "abc"], 2, "not a number of steps"),
    ("until far future", &[F, "--input", "good.csv", "--until", "99999"], 2, "MAX_HORIZON"),
    ("until i64 max", &[F, "--input", "good.csv", "--until", "9223372036854775807"], 2, "MAX_HORIZON"),
    ("until i64 min", &[F, "--input", "good.csv", "--until", "-9223372036854775808"], 2, "--until=-9223372036854775808"),
    ("until=i64 min", &[F, "--input", "good.csv", "--until=-9223372036854775808"], 2, "not after the last period"),
    ("until before data", &[F, "--until", "1990"], 2, "not after the last period"),
    ("until junk", &[F, "--until", "soon"], 2, "is not a period"),
    ("monthly 9999-12 + horizon", &[F, "--input", "end9999.csv", "--horizon", "1"], 2, "MAX_YEAR"),
    ("integer periods near the limit", &[F, "--input", "near_max.csv", "--horizon", "6"], 2, "MAX_INTEGER_PERIOD"),
    ("integer periods past i64", &[F, "--input", "i64max.csv"], 2, "out of range (MAX_INTEGER_PERIOD"),
    ("paths 1e8", &[F, "--paths", "100000000"], 2, "MAX_PATHS"),
    ("paths 0", &[F, "--paths", "0"], 2, "MAX_PATHS"),
    ("paths huge", &["milestone", "--paths", "99999999999999999999999"], 2, "--paths"),
    ("milestone --by i64 max", &["milestone", "--by", "9223372036854775807"], 2, "MAX_YEARS_AHEAD"),
    ("milestone --by 99999", &["milestone", "--by", "99999"], 2, "MAX_YEARS_AHEAD"),
    ("milestone --until 1990", &["milestone", "--until", "1990"], 2, "is before --by"),
    ("milestone --until before data", &["milestone", "--by", "1995", "--until", "1999"], 2, "not after the last data year"),
    ("milestone --until far", &["milestone", "--until", "5000"], 2, "MAX_YEARS_AHEAD"),
    ("milestone --target -5", &["milestone", "--target=-5"], 2, "must be a positive number"),
    ("milestone --target nan", &["milestone", "--target", "NaN"], 2, "must be a positive number"),
    ("gap --to i64 max", &["gap", "--to", "9223372036854775807"], 2, "MAX_YEARS_AHEAD"),
    ("gap --to 200000", &["gap", "--to", "200000"], 2, "MAX_YEARS_AHEAD"),
    ("gap --from after --to", &["gap", "--from", "2031", "--to", "2030"], 2, "after --to"),
    ("gap --from before data", &["gap", "--from", "1900"], 2, "before the data starts"),
    ("gap --demand negative", &["gap", "--demand=-5"], 2, "not a positive amount"),
    ("regions --until huge", &["regions", "--until", "9223372036854775807"], 2, "MAX_YEARS_AHEAD"),
    ("regions --until past", &["regions", "--until", "1990"], 2, "not after the last data year"),
    ("vintages --target-year huge", &["vintages", "--target-year", "9223372036854775807"], 2, "MAX_YEARS_AHEAD"),
    ("nowcast --year huge", &["nowcast", "--year", "99999"], 2, "--year 99999 is outside"),
    ("nowcast --from-year ancient", &["nowcast", "--from-year=-9223372036854775808"], 2, "--from-year"),
    ("backtest --horizon 0", &["backtest", "--horizon", "0"], 2, "at least 1"),
    ("backtest --horizon huge", &["backtest", "--horizon", "18446744073709551615"], 2, "MAX_HORIZON"),
    ("backtest --from ancient", &["backtest", "--from=-9223372036854775808"], 2, "--from"),
    ("as-of after the data", &[F, "--as-of", "2031"], 2, "after the last period of the data"),
    ("as-of after input data", &[F, "--input", "good.csv", "--as-of", "2031"], 2, "after the last period of the data"),
    ("as-of junk", &[F, "--as-of", "yesterday"], 2, "is not a period"),
    ("since junk", &[F, "--since", "2000-99"], 2, "is not a period"),
    ("level 0", &[F, "--level", "0"], 2, "level"),
    ("level 150", &[F, "--level", "150"], 2, "level"),
    ("level nan", &[F, "--level", "NaN"], 2, "level"),
    ("cap negative", &[F, "--model", "logistic", "--cap=-1"], 2, "must be a positive number"),
    // --- CSV input messages ---
    ("semicolons", &[F, "--input", "semicolon.csv"], 2, "separated by ';'"),
    ("tabs", &[F, "--input", "tabs.csv"], 2, "separated by tabs"),
    ("pipes", &[F, "--input", "pipes.csv"], 2, "separated by '|'"),
    ("header with spaces", &[F, "--input", "spaced_header.csv"], 2, "with spaces around the name"),
    ("duplicate header", &[F, "--input", "dup_header.csv"], 2, "\"y\" appears twice (fields 3 and 4)"),
    ("empty header field", &[F, "--input", "empty_header_field.csv"], 2, "header field 2 is empty"),
    ("padded id", &[F, "--input", "padded_id.csv"], 2, "line 3, column \"unique_id\": the series id has leading or trailing spaces"),
    ("ds 1e3", &[F, "--input", "exp_time.csv"], 2, "line 2, column \"ds\": not a period (value \"1e3\")"),
    ("ds 2000.0", &[F, "--input", "decimal_time.csv"], 2, "not a period (value \"2000.0\")"),
    ("ds +2000", &[F, "--input", "plus_time.csv"], 2, "not a period (value \"+2000\")"),
    ("mixed time styles", &[F, "--input", "mixed_time.csv"], 2, "use one style for the whole column"),
    ("month 13", &[F, "--input", "bad_month.csv"], 2, "not a period (value \"2000-13\")"),
    ("Feb 29 2001", &[F, "--input", "bad_date.csv"], 2, "not a period (value \"2001-02-29\")"),
    ("line numbers after multi-line fields", &[F, "--input", "multiline.csv"], 2, "line 6, column \"y\": not a number (value \"oops\")"),
    ("unclosed quote", &[F, "--input", "unclosed.csv"], 2, "line 3, field 1: a quoted field opened here is never closed"),
    ("text after a quote", &[F, "--input", "after_quote.csv"], 2, "follows a closing quote"),
    ("extra field", &[F, "--input", "extra_field.csv"], 2, "line 3 has 4 fields but the header (line 1) has 3"),
    ("short row", &[F, "--input", "short_row.csv"], 2, "line 3 has 2 fields"),
    ("latin-1 bytes", &[F, "--input", "latin1.csv"], 2, "line 2, column 2: byte 0xE9 is not UTF-8"),
    ("NUL byte", &[F, "--input", "nul.csv"], 2, "a NUL byte"),
    ("empty file", &[F, "--input", "empty.csv"], 2, "no data rows"),
    ("only newlines", &[F, "--input", "newlines.csv"], 2, "no data rows"),
    ("header only", &[F, "--input", "header_only.csv"], 2, "no data rows"),
    ("NaN value", &[F, "--input", "nan.csv"], 2, "non-finite value (value \"NaN\")"),
    ("-inf value", &[F, "--input", "inf.csv"], 2, "non-finite value"),
    ("1e400 value", &[F, "--input", "huge_value.csv"], 2, "non-finite value"),
    ("decimal comma", &[F, "--input", "comma_decimal.csv"], 2, "a point, not a comma"),
    ("missing id", &[F, "--input", "no_id.csv"], 2, "line 3, column \"unique_id\": missing series id"),
    ("missing period", &[F, "--input", "no_time.csv"], 2, "line 3, column \"ds\": missing period"),
    ("missing value", &[F, "--input", "no_value.csv"], 2, "line 3, column \"y\": missing value"),
    ("duplicate period", &[F, "--input", "dup_period.csv"], 2, "period 2000 appears twice (line 2 and line 4)"),
    ("gap in a series", &[F, "--input", "gap.csv"], 2, "gap between 2001 and 2005"),
    ("unknown column", &[F, "--input", "good.csv", "--value-col", "valeu"], 2, "no column named \"valeu\""),
    ("two roles, one column", &[F, "--input", "good.csv", "--value-col", "ds"], 2, "both name the column \"ds\""),
    ("unknown id", &[F, "--input", "good.csv", "--id", "Z"], 2, "no series with id \"Z\""),
    ("directory without data files as input", &[F, "--input", "adir.csv"], 2, "is a directory with no .csv, .parquet, .json or .ndjson file in it"),
    ("missing input", &[F, "--input", "nothere.csv"], 2, "no such file"),
    ("xlsx input", &[F, "--input", "data.xlsx"], 2, "unsupported extension \"xlsx\""),
    ("tsv input", &[F, "--input", "data.tsv"], 2, "unsupported extension \"tsv\""),
    // --- JSON / NDJSON / Parquet input ---
    ("JSON object", &[F, "--input", "object.json"], 2, "the top level is one JSON object"),
    ("JSON [ x5000", &[F, "--input", "deep.json"], 2, "a nested array or object"),
    ("JSON nested value", &[F, "--input", "nested_value.json"], 2, "line 1, column 38: a nested array or object"),
    ("JSON scalar", &[F, "--input", "scalar.json"], 2, "not a JSON array of records"),
    ("JSON []", &[F, "--input", "empty_array.json"], 2, "empty_array.json: the file has no data rows"),
    ("JSON truncated", &[F, "--input", "truncated.json"], 2, "not valid JSON"),
    ("JSON float periods", &[F, "--input", "float_time.json"], 2, "holds floating-point numbers"),
    ("JSON wrong columns", &[F, "--input", "wrong_cols.json"], 2, "no column named \"unique_id\""),
    ("JSON text value", &[F, "--input", "string_value.json"], 2, "record 1, column \"y\": not a number"),
    ("JSON duplicate key", &[F, "--input", "dup_key.json"], 2, "line 2: the key \"y\" appears twice in one record"),
    ("NDJSON duplicate key", &[F, "--input", "dup_key.ndjson"], 2, "line 2: the key \"ds\" appears twice"),
    ("forecast --by i64 max", &[F, "--by", "9223372036854775807"], 2, "MAX_YEARS_AHEAD"),
    ("forecast --by ancient", &[F, "--by", "1000"], 2, "not after the last data year"),
    ("forecast --target negative", &[F, "--target=-5"], 2, "must be a positive number"),
    ("forecast --target nan", &[F, "--input", "one.csv", "--target", "NaN"], 2, "must be a positive number"),
    ("forecast --target default --by far for index periods", &[F, "--input", "near_max.csv", "--target", "5"], 2, "--by (default 2030)"),
    ("vintages --target negative", &["vintages", "--target=-1"], 2, "must be a positive number"),
    ("JSON latin-1", &[F, "--input", "latin1.json"], 2, "is not UTF-8"),
    ("NDJSON nested", &[F, "--input", "nested.ndjson"], 2, "a nested array or object (depth 2)"),
    ("NDJSON deep", &[F, "--input", "deep.ndjson"], 2, "a nested array or object"),
    ("NDJSON array line", &[F, "--input", "array_line.ndjson"], 2, "line 1: \"[1,2,3]\" is not a JSON object"),
    ("NDJSON garbage", &[F, "--input", "garbage.ndjson"], 2, "is not a JSON object"),
    ("NDJSON null value", &[F, "--input", "bad_value.ndjson"], 2, "record 2, column \"y\": missing value"),
    ("Parquet garbage", &[F, "--input", "garbage.parquet"], 2, "not a readable Parquet file"),
    ("Parquet truncated", &[F, "--input", "truncated.parquet"], 2, "not a readable Parquet file"),
    ("CSV named .parquet", &[F, "--input", "csv_named.parquet"], 2, "not a readable Parquet file"),
    ("Parquet wrong columns", &[F, "--input", "forecast.parquet"], 2, "no column named \"y\""),
    // --- regressors ---
    ("collinear regressors", &[F, "--input", "one.csv", "--model", "regression", "--regressors", "reg_collinear.csv", "-H", "2"], 2, "regressor \"r2\" is a linear combination of the intercept, the time trend, r1"),
    ("regressors too short", &[F, "--input", "one.csv", "--model", "regression", "--regressors", "reg_short.csv", "-H", "2"], 2, "the regressors have no row for 2002"),
    ("regressor not a number", &[F, "--input", "one.csv", "--model", "regression", "--regressors", "reg_bad.csv"], 2, "line 3, column \"r1\": not a finite number"),
    ("regression without regressors", &[F, "--model", "regression"], 2, "go together"),
    // --- scenarios (TOML) ---
    ("TOML syntax", &["gap", "--scenario", "syntax.toml"], 2, "not a valid scenario"),
    ("TOML [ x5000", &["gap", "--scenario", "deep.toml"], 2, "MAX_NESTING"),
    ("TOML unknown key", &["gap", "--scenario", "unknown_key.toml"], 2, "colour"),
    ("TOML to = i64 max", &["gap", "--scenario", "huge_to.toml"], 2, "not a year from 1900 to 2100"),
    ("TOML from after to", &["gap", "--scenario", "from_after_to.toml"], 2, "is after to"),
    ("TOML 20000 demand entries", &["gap", "--scenario", "many_demand.toml"], 2, "MAX_DEMAND_ENTRIES"),
    ("TOML 20000 sensitivity values", &["gap", "--scenario", "big_grid.toml"], 2, "MAX_SENSITIVITY_VALUES"),
    ("TOML bad row reference", &["gap", "--scenario", "bad_row.toml"], 2, "has data on lines 2 to"),
    ("TOML share above 1", &["gap", "--scenario", "bad_share.toml"], 2, "must be a share in (0, 1]"),
    ("TOML demand without value", &["gap", "--scenario", "no_demand_value.toml"], 2, "needs either `row` or a positive `value_busd`"),
    ("TOML larger than 1 MiB", &["gap", "--scenario", "huge.toml"], 2, "MAX_SCENARIO_BYTES"),
    ("TOML missing file", &["gap", "--scenario", "nothere.toml"], 2, "nothere.toml"),
    // --- usage ---
    ("unknown subcommand", &["forcast"], 2, "unrecognized subcommand"),
    ("unknown flag", &[F, "--horizn", "3"], 2, "unexpected argument"),
    ("unknown model", &[F, "--model", "prophet"], 2, "invalid value 'prophet'"),
    ("unknown built-in series", &[F, "--series", "mars"], 2, "valid: worldwide"),
    ("--series with --input", &[F, "--series", "japan", "--input", "good.csv"], 2, "cannot be used with"),
    ("unknown dataset", &["data", "show", "nope"], 2, "nope"),
    ("--chart with many series", &[F, "--input", "good.csv", "--chart", "chart.png"], 2, "--chart draws one series"),
    // --- many-series inputs and outputs: globs, directories, partitions, batches ---
    ("glob matching nothing", &[F, "--input", "nomatch*.csv"], 2, "no file matches this pattern"),
    ("invalid glob", &[F, "--input", "[abc"], 2, "not a valid glob pattern"),
    ("directory without data files", &[F, "--input", "adir.csv"], 2, "is a directory with no .csv"),
    ("--partitions is a file", &[F, "--input", "good.csv", "--partitions", "out.csv"], 2, "--partitions names a directory"),
    ("--partitions is the input", &[F, "--input", "good.csv", "--partitions", "good.csv"], 2, "--partitions names a directory"),
    ("--partitions holds the input", &[F, "--input", "good.csv", "--partitions", "."], 2, "would replace the directory that holds --input"),
    ("--partitions with one series", &[F, "--input", "one.csv", "--partitions", "parts"], 2, "has one series; write it with -o"),
    ("--batch 0", &[F, "--input", "good.csv", "--batch", "0"], 2, "0 is not in 1.."),
    ("Parquet page with a corrupt value count", &[F, "--input", "page_count.parquet"], 2, "hold more than the 3 values it declares"),
    ("Parquet footer with corrupt thrift", &[F, "--input", "footer_thrift.parquet"], 2, "not a readable Parquet file"),
    // --- --json ---
    ("milestone --json with -o -", &["milestone", "--json", "-o", "-"], 2, "cannot write a table there too"),
    ("vintages --json with -o -", &["vintages", "--json", "-o", "-"], 2, "cannot write a table there too"),
];

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut m = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        let content = if e.file_type().unwrap().is_dir() {
            b"<dir>".to_vec()
        } else {
            std::fs::read(e.path()).unwrap()
        };
        m.insert(name, content);
    }
    m
}

fn setup(dir: &Path) {
    for (name, bytes) in fixtures() {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    std::fs::create_dir(dir.join("adir.csv")).unwrap();
}

#[test]
fn the_corpus_has_at_least_one_hundred_distinct_cases() {
    assert!(CASES.len() >= 100, "{} cases", CASES.len());
    let mut names: Vec<&str> = CASES.iter().map(|c| c.0).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len(), "case names must be unique");
}

#[test]
fn every_hostile_case_fails_cleanly_and_leaves_every_file_untouched() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let before = snapshot(dir.path());
    let mut problems = Vec::new();
    for (name, args, code, needle) in CASES {
        let out = chipcast(dir.path())
            .args(*args)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        let err = String::from_utf8_lossy(&out.stderr);
        let mut bad = Vec::new();
        if out.status.code() != Some(*code) {
            bad.push(format!("exit {:?}, expected {code}", out.status.code()));
        }
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            bad.push("panicked".into());
        }
        if !err.contains(needle) {
            bad.push(format!("message lacks {needle:?}"));
        }
        let after = snapshot(dir.path());
        if after != before {
            let changed: Vec<&String> = after
                .keys()
                .chain(before.keys())
                .filter(|k| after.get(*k) != before.get(*k))
                .collect();
            bad.push(format!("files changed: {changed:?}"));
            // restore for the next case
            for k in after.keys().filter(|k| !before.contains_key(*k)) {
                let p = dir.path().join(k);
                let _ = std::fs::remove_file(&p).or_else(|_| std::fs::remove_dir_all(&p));
            }
            for (k, v) in &before {
                if after.get(k) != Some(v) && v.as_slice() != b"<dir>" {
                    std::fs::write(dir.path().join(k), v).unwrap();
                }
            }
        }
        if !bad.is_empty() {
            problems.push(format!(
                "{name} {args:?}: {}\n    stderr: {}",
                bad.join("; "),
                err.trim()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} cases misbehaved:\n{}",
        problems.len(),
        CASES.len(),
        problems.join("\n")
    );
}

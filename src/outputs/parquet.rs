//! Parquet files with provenance that every reader sees.
//!
//! Parquet has two places for key-value metadata: the file footer, which polars and
//! `pyarrow.parquet.read_metadata` show, and the Arrow schema that Arrow writers store
//! in the footer under `ARROW:schema`, which is what `pyarrow.parquet.read_table(f)
//! .schema.metadata` and pandas read. polars fills `ARROW:schema` with an empty
//! metadata map, so the keys are written in both places here: polars keeps an
//! `ARROW:schema` entry that the caller supplies (`polars-io`'s `BatchedWriter::finish`),
//! and this one is the same schema polars would write, with the metadata added. The
//! same pairs also go, as one JSON object, under `PANDAS_ATTRS`, which pandas turns into
//! `DataFrame.attrs`.

use base64::Engine as _;
use polars::prelude::*;
use polars_arrow::io::ipc::write::{default_ipc_fields, schema_to_bytes};
use std::path::Path;

/// The footer key under which Arrow writers store the serialized Arrow schema.
pub const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// The `ARROW:schema` value for `df` with `metadata` as its schema metadata: the IPC
/// schema message, length-prefixed as Arrow's legacy format expects, in base64.
pub fn arrow_schema_value(df: &DataFrame, metadata: &[(String, String)]) -> String {
    let schema = df.schema().to_arrow(CompatLevel::newest());
    let custom: polars_arrow::datatypes::Metadata = metadata
        .iter()
        .map(|(k, v)| (PlSmallStr::from_str(k), PlSmallStr::from_str(v)))
        .collect();
    let bytes = schema_to_bytes(
        &schema,
        &default_ipc_fields(schema.iter_values()),
        Some(&custom),
    );
    let mut framed = Vec::with_capacity(bytes.len() + 8);
    framed.extend_from_slice(&[0xff, 0xff, 0xff, 0xff]);
    framed.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    framed.extend_from_slice(&bytes);
    base64::engine::general_purpose::STANDARD.encode(framed)
}

/// The key pandas (2.1 and later) reads into `DataFrame.attrs`: a JSON object.
pub const PANDAS_ATTRS_KEY: &str = "PANDAS_ATTRS";

/// `metadata` plus [`PANDAS_ATTRS_KEY`] holding the same pairs as one JSON object (keys
/// sorted), so `pandas.read_parquet(f).attrs` shows them. Empty metadata stays empty.
pub fn with_pandas_attrs(metadata: &[(String, String)]) -> Vec<(String, String)> {
    let mut all = metadata.to_vec();
    if !metadata.is_empty() {
        let attrs: serde_json::Map<String, serde_json::Value> = metadata
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        all.push((
            PANDAS_ATTRS_KEY.to_string(),
            serde_json::Value::Object(attrs).to_string(),
        ));
    }
    all
}

/// Write `df` to `path` (Zstd, optional full statistics) with `metadata`, and
/// [`PANDAS_ATTRS_KEY`], in the footer and in the Arrow schema.
pub fn write(
    df: &mut DataFrame,
    path: &Path,
    metadata: &[(String, String)],
    statistics: bool,
) -> PolarsResult<()> {
    let metadata = with_pandas_attrs(metadata);
    let mut kv = vec![(
        ARROW_SCHEMA_KEY.to_string(),
        arrow_schema_value(df, &metadata),
    )];
    kv.extend(metadata.iter().cloned());
    let file = std::fs::File::create(path)?;
    let mut w = ParquetWriter::new(file)
        .with_compression(ParquetCompression::Zstd(None))
        .with_key_value_metadata(Some(KeyValueMetadata::from_static(kv)));
    if statistics {
        w = w.with_statistics(StatisticsOptions::default());
    }
    w.finish(df)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        DataFrame::new_infer_height(vec![
            Column::new("id".into(), ["a", "b"]),
            Column::new("v".into(), [1.5, 2.5]),
        ])
        .unwrap()
    }

    fn decoded_schema(value: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(value)
            .unwrap()
    }

    #[test]
    fn the_arrow_schema_carries_the_metadata_it_was_given() {
        let meta = vec![("chipcast.model".to_string(), "drift".to_string())];
        let bytes = decoded_schema(&arrow_schema_value(&frame(), &meta));
        assert_eq!(&bytes[..4], &[0xff; 4]);
        let len = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        assert_eq!(bytes.len(), len + 8);
        let (schema, _, custom) =
            polars_arrow::io::ipc::read::deserialize_schema(&bytes[8..]).unwrap();
        assert_eq!(schema.len(), 2);
        let custom = custom.expect("schema metadata");
        assert_eq!(
            custom.get("chipcast.model").map(|v| v.as_str()),
            Some("drift")
        );
    }

    #[test]
    fn the_file_keeps_one_arrow_schema_entry_and_every_key_in_the_footer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.parquet");
        let meta = vec![("k".to_string(), "v".to_string())];
        write(&mut frame(), &p, &meta, true).unwrap();
        let kv = super::super::export::parquet_metadata(&p).unwrap();
        assert_eq!(kv.iter().filter(|(k, _)| k == ARROW_SCHEMA_KEY).count(), 1);
        assert!(kv.contains(&("k".to_string(), "v".to_string())));
        assert!(kv.contains(&(PANDAS_ATTRS_KEY.to_string(), r#"{"k":"v"}"#.to_string())));
        let df = ParquetReader::new(std::fs::File::open(&p).unwrap())
            .finish()
            .unwrap();
        assert_eq!(df, frame());
    }
}

#!/usr/bin/env python3
"""Reads an `openubi export` directory with pandas (pyarrow and fastparquet engines) and checks it statically
against Spark 3.x's Parquet reader.

    python3 scripts/parquet-readers.py --dir EXPORT_DIR --expected EXPECTED.json
    python3 scripts/parquet-readers.py --self-test

EXPECTED.json (written by bench/parquet-readers.ts from SQL on the exporting database):

    {"days": ["2024-03-05", ...], "tripsDistanceM": 112170.0, "harshEvents": 60,
     "tables": {"trips": {"rows": 60, "days": {"2024-03-05": 20, ...},
                          "columns": {"trip_id": "STRING", "start_at": "TIMESTAMP", ...},
                          "sums": {"distance_m": 123.4}, "trueCounts": {"counted": 60},
                          "nullCounts": {"driver_id": 30}, "sumMs": {"start_at": "1709..."},
                          "minMs": {...}, "maxMs": {...},
                          "countIn": {"kind": {"values": ["harsh_braking", ...], "n": 12}}}, ...}}

Prints a JSON report on stdout and exits 0 when every check passes, 1 when any fails (every mismatch is named
in the report and on stderr), 2 on bad usage, 3 when pandas / pyarrow / fastparquet are missing.

The Spark check is static (Spark cannot run on this machine): it walks every file's footer with
pyarrow.parquet.read_metadata and every column chunk's page headers, and applies the rules of Spark's reader:

- Column types: org.apache.spark.sql.execution.datasources.parquet.ParquetToSparkSchemaConverter
  .convertPrimitiveField (apache/spark, sql/core/.../parquet/ParquetSchemaConverter.scala, read at the 3.3-era
  commit de717935f0d21fba0324ee7f4f725356cc66287d and on master): BOOLEAN -> BooleanType, DOUBLE -> DoubleType,
  INT32 (no annotation / INT(32, signed)) -> IntegerType, INT64 TIMESTAMP(MILLIS|MICROS) -> TimestampType
  (TimestampNTZType when not adjusted to UTC and spark.sql.parquet.inferTimestampNTZ.enabled, 3.4+),
  INT64 TIMESTAMP(NANOS) -> illegal (LongType only with the legacy nanosAsLong flag), BINARY STRING/ENUM/JSON ->
  StringType, unannotated BINARY -> BinaryType unless spark.sql.parquet.binaryAsString, INT32 TIMESTAMP(MILLIS) ->
  "not implemented", unsigned integers -> wider signed types only since SPARK-34817 (3.2; earlier: rejected),
  INT96 -> TimestampType (legacy). Spark 3.0/3.1 decide on the legacy converted type (OriginalType); parquet-mr
  derives it from the logical type, TIMESTAMP(MILLIS, *) -> TIMESTAMP_MILLIS (see the review of
  apache/spark#31776, SPARK-34661), which 3.0/3.1 also read as TimestampType.
- Value encodings (the vectorized reader, on by default): Spark 3.0-3.2's VectorizedColumnReader.initDataReader
  accepts only PLAIN and PLAIN_DICTIONARY / RLE_DICTIONARY and throws "Unsupported encoding: RLE" otherwise. RLE
  booleans in data page v2 became readable in 3.3 (SPARK-37864, apache/spark#35163), the DELTA_* encodings in
  3.3 (SPARK-36879, apache/spark#34471 and follow-ups). Data page v2 headers themselves are read since 2.x
  (VectorizedColumnReader.readPageV2).
- Calendar rebase: a file without Spark's writer metadata is read in the mode of
  spark.sql.parquet.datetimeRebaseModeInRead (SPARK-31361, apache/spark#28137), EXCEPTION by default in 3.x (CORRECTED
  from 4.0, SPARK-46440), which fails on timestamps before 1900-01-01T00:00:00Z: the column statistics' minimum is
  checked against that.
- Partition discovery: Spark 3.x docs (apache/spark docs/sql-data-sources-parquet.md, v3.1.1/v3.2.1, "Partition
  Discovery"): `name=value` directories, value types inferred (numeric, date, timestamp, string) while
  spark.sql.sources.partitionColumnTypeInference.enabled (default true); files whose names start with '_' or '.'
  are ignored by Spark's file listing.
"""
import argparse
import datetime as dt
import json
import math
import os
import re
import sys
import tempfile

try:
    import fastparquet
    import numpy as np
    import pandas as pd
    import pyarrow
    import pyarrow.parquet as pq
    from fastparquet import parquet_thrift
    from fastparquet.cencoding import NumpyIO, ThriftObject
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write(f'parquet-readers: missing Python module ({e}); run: pip install pandas pyarrow fastparquet\n')
    sys.exit(3)

TABLES = ('trips', 'events', 'trip_features')
PARTITION = 'dt'
DAY_RE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
NAME_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
ENC = parquet_thrift.Encoding._VALUES_TO_NAMES
PAGE = parquet_thrift.PageType._VALUES_TO_NAMES


def versions():
    return {
        'python': sys.version.split()[0],
        'pandas': pd.__version__,
        'pyarrow': pyarrow.__version__,
        'fastparquet': fastparquet.__version__,
    }


# ----------------------------------------------------------------------------------------------------------
# pandas readers


def day_str(v):
    if isinstance(v, str):
        return v
    return pd.Timestamp(v).strftime('%Y-%m-%d')


def data_files(table_dir):
    out = []
    for part in sorted(os.listdir(table_dir)):
        p = os.path.join(table_dir, part)
        if not os.path.isdir(p) or part.startswith(('.', '_')):
            continue
        for f in sorted(os.listdir(p)):
            if f.endswith('.parquet') and not f.startswith(('.', '_')):
                out.append((part, os.path.join(p, f)))
    return out


def read_table(table_dir, engine, notes):
    """The whole table as pandas reads a Hive-partitioned directory; dt must come from the directory names."""
    try:
        df = pd.read_parquet(table_dir, engine=engine)
    except Exception as e:  # noqa: BLE001 - any reader failure is reported, then worked around
        notes.append(f'{engine}: pd.read_parquet(<dir>) failed ({type(e).__name__}: {e}); read file by file, dt added')
        return read_files(table_dir, engine), False
    if PARTITION not in df.columns:
        notes.append(f'{engine}: pd.read_parquet(<dir>) gave no {PARTITION} column; read file by file, dt added')
        return read_files(table_dir, engine), False
    return df, True


def read_files(table_dir, engine):
    frames = []
    for part, f in data_files(table_dir):
        d = pd.read_parquet(f, engine=engine)
        d[PARTITION] = part.split('=', 1)[1]
        frames.append(d)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def dtype_problem(kind, s):
    """None when the pandas dtype of series s is right for the export's column kind, else what is wrong."""
    dtype = s.dtype
    has_nulls = bool(s.isna().any())
    nonnull = s.dropna()
    if kind == 'TIMESTAMP':
        if isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) in ('UTC', 'utc', 'UTC+00:00'):
            return None
        return f'expected a UTC datetime (datetime64[*, UTC]), got {dtype}'
    if kind == 'STRING':
        if pd.api.types.is_string_dtype(dtype) and all(isinstance(v, str) for v in nonnull):
            return None
        return f'expected strings (object/str), got {dtype}'
    if kind == 'DOUBLE':
        if pd.api.types.is_float_dtype(dtype):
            return None
        return f'expected float64, got {dtype}'
    if kind == 'INT32':
        if pd.api.types.is_integer_dtype(dtype):
            return None
        if pd.api.types.is_float_dtype(dtype) and has_nulls and all(float(v).is_integer() for v in nonnull):
            return None  # pandas' NumPy-backed ints cannot hold nulls: a nullable int column becomes float64
        return f'expected an integer dtype, got {dtype}'
    if kind == 'BOOLEAN':
        if pd.api.types.is_bool_dtype(dtype):
            return None
        if dtype == object and has_nulls and all(isinstance(v, bool) for v in nonnull):
            return None  # NumPy bool cannot hold nulls: a nullable bool column becomes object (True/False/None)
        return f'expected booleans, got {dtype}'
    return f'unknown column kind {kind}'


def close(a, b):
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)


def epoch_ms(s):
    """Milliseconds since the epoch of a tz-aware datetime series (nulls dropped)."""
    s = s.dropna()
    return [int(v.value // 1_000_000) for v in s]  # pd.Timestamp.value: ns since the epoch, UTC


def check_engine(root, expected, engine):
    mismatches, notes, tables, seen_days = [], [], {}, set()
    frames = {}
    for table in TABLES:
        exp = expected['tables'][table]
        tdir = os.path.join(root, table)
        where = f'{engine}/{table}'
        if not os.path.isdir(tdir):
            if exp['rows']:
                mismatches.append(f'{where}: directory missing')
            continue
        try:
            df, dir_read = read_table(tdir, engine, notes)
        except Exception as e:  # noqa: BLE001
            mismatches.append(f'{where}: could not be read at all ({type(e).__name__}: {e})')
            continue
        info = {'rows': int(len(df)), 'readAsDirectory': dir_read, 'dtypes': {c: str(df[c].dtype) for c in df.columns}}
        tables[table] = info
        frames[table] = df
        if len(df) != exp['rows']:
            mismatches.append(f'{where}: {len(df)} rows, expected {exp["rows"]}')
        cols = exp['columns']
        extra = sorted(set(df.columns) - set(cols) - {PARTITION})
        missing = [c for c in cols if c not in df.columns]
        if extra:
            mismatches.append(f'{where}: unexpected columns {extra}')
        if missing:
            mismatches.append(f'{where}: missing columns {missing}')
        # dt: the Hive partition column, one value per UTC day, counts per day as in the database
        if PARTITION in df.columns:
            days = df[PARTITION].map(day_str)
            raw = df[PARTITION].dropna()
            info['dtDtype'] = str(df[PARTITION].dtype)
            info['dtValueType'] = type(raw.iloc[0]).__name__ if len(raw) else None
            got = {k: int(v) for k, v in days.value_counts().sort_index().items()}
            seen_days |= set(got)
            if got != exp['days']:
                mismatches.append(f'{where}: rows per {PARTITION} {got}, expected {exp["days"]}')
        else:
            mismatches.append(f'{where}: no {PARTITION} column')
        for c, kind in cols.items():
            if c not in df.columns:
                continue
            p = dtype_problem(kind, df[c])
            if p:
                mismatches.append(f'{where}.{c}: {p}')
        for c, want in exp.get('sums', {}).items():
            if c in df.columns:
                got = pd.to_numeric(df[c], errors='coerce').sum()
                if not close(got, want):
                    mismatches.append(f'{where}.{c}: sum {got!r}, expected {want!r}')
        for c, want in exp.get('trueCounts', {}).items():
            if c in df.columns:
                got = sum(1 for v in df[c] if isinstance(v, (bool, np.bool_)) and bool(v))
                if got != want:
                    mismatches.append(f'{where}.{c}: {got} true values, expected {want}')
        for c, want in exp.get('nullCounts', {}).items():
            if c in df.columns:
                got = int(df[c].isna().sum())
                if got != want:
                    mismatches.append(f'{where}.{c}: {got} nulls, expected {want}')
        for c, cond in exp.get('countIn', {}).items():
            if c in df.columns:
                got = int(df[c].isin(cond['values']).sum())
                if got != cond['n']:
                    mismatches.append(f'{where}.{c}: {got} rows in {cond["values"]}, expected {cond["n"]}')
        for key, agg in (('sumMs', sum), ('minMs', min), ('maxMs', max)):
            for c, want in exp.get(key, {}).items():
                if c not in df.columns or not isinstance(df[c].dtype, pd.DatetimeTZDtype):
                    continue  # the dtype check above already names the column
                ms = epoch_ms(df[c])
                got = agg(ms) if ms else None
                if got is None or int(got) != int(want):
                    mismatches.append(f'{where}.{c}: {key} {got}, expected {want}')
    # the headline figures, straight from the frames
    if 'days' in expected and sorted(seen_days) != sorted(expected['days']):
        mismatches.append(f'{engine}: days {sorted(seen_days)}, expected {sorted(expected["days"])}')
    trips, events = frames.get('trips'), frames.get('events')
    if 'tripsDistanceM' in expected and trips is not None and 'distance_m' in trips.columns:
        got = pd.to_numeric(trips['distance_m'], errors='coerce').sum()
        if not close(got, expected['tripsDistanceM']):
            mismatches.append(f'{engine}: trips distance {got!r} m, expected {expected["tripsDistanceM"]!r}')
    if 'harshEvents' in expected and events is not None and 'kind' in events.columns:
        got = int(events['kind'].astype(str).str.startswith('harsh_').sum())
        if got != expected['harshEvents']:
            mismatches.append(f'{engine}: {got} harsh events, expected {expected["harshEvents"]}')
    return {'ok': not mismatches, 'mismatches': mismatches, 'notes': notes, 'tables': tables}


# ----------------------------------------------------------------------------------------------------------
# Spark 3.x, statically

SPARK_ALL = '3.0-3.5'


def logical_of(col):
    lt = col.logical_type
    if lt is None or lt.type == 'NONE':
        return None
    try:
        return json.loads(lt.to_json())
    except Exception:  # noqa: BLE001
        return {'Type': lt.type}


def spark_type(physical, logical, converted):
    """(Spark SQL type or None, problems, warnings) for one primitive Parquet column, per Spark 3.x's converter."""
    lt = (logical or {}).get('Type')
    problems, warnings = [], []

    def bad(msg):
        problems.append(msg)
        return None

    if physical == 'BOOLEAN':
        return 'BooleanType', problems, warnings
    if physical == 'FLOAT':
        return 'FloatType', problems, warnings
    if physical == 'DOUBLE':
        return 'DoubleType', problems, warnings
    if physical == 'INT32':
        if lt is None and converted in ('NONE', None, 'INT_32'):
            return 'IntegerType', problems, warnings
        if lt == 'Int':
            bits, signed = logical.get('bitWidth'), logical.get('isSigned')
            if signed:
                return {8: 'ByteType', 16: 'ShortType', 32: 'IntegerType'}.get(bits) or bad(f'INT32 Int({bits})'), problems, warnings
            t = {8: 'ShortType', 16: 'IntegerType', 32: 'LongType'}.get(bits)
            return t or bad(f'INT32 UInt({bits})'), problems + [f'unsigned INT32 is rejected before Spark 3.2 (SPARK-34817)'], warnings
        if lt == 'Date':
            return 'DateType', problems, warnings
        if lt == 'Decimal':
            return 'DecimalType', problems, warnings
        return bad(f'INT32 with {logical or converted} has no Spark type (Time/Timestamp on INT32: not implemented)'), problems, warnings
    if physical == 'INT64':
        if lt is None and converted in ('NONE', None, 'INT_64'):
            return 'LongType', problems, warnings
        if lt == 'Int':
            if logical.get('isSigned'):
                return 'LongType', problems, warnings
            return 'DecimalType(20,0)', problems + ['unsigned INT64 is rejected before Spark 3.2 (SPARK-34817)'], warnings
        if lt == 'Decimal':
            return 'DecimalType', problems, warnings
        if lt == 'Timestamp':
            unit = logical.get('timeUnit')
            if unit in ('milliseconds', 'microseconds'):
                if not logical.get('isAdjustedToUTC'):
                    warnings.append('TIMESTAMP not adjusted to UTC: TimestampType in 3.0-3.3, TimestampNTZType in 3.4+ '
                                    'with spark.sql.parquet.inferTimestampNTZ.enabled')
                return 'TimestampType', problems, warnings
            return bad(f'INT64 TIMESTAMP({unit}) is illegal in Spark 3.x (LongType only with the legacy '
                       'spark.sql.legacy.parquet.nanosAsLong, 3.4+)'), problems, warnings
        if lt is None and converted in ('TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS'):
            return 'TimestampType', problems, warnings
        return bad(f'INT64 with {logical or converted} has no Spark type'), problems, warnings
    if physical == 'INT96':
        warnings.append('INT96 timestamps are legacy (read as TimestampType while spark.sql.parquet.int96AsTimestamp)')
        return 'TimestampType', problems, warnings
    if physical == 'BYTE_ARRAY':
        if lt in ('String', 'Enum', 'JSON') or (lt is None and converted in ('UTF8', 'ENUM', 'JSON')):
            return 'StringType', problems, warnings
        if lt is None and converted in ('NONE', None):
            warnings.append('unannotated BINARY is BinaryType unless spark.sql.parquet.binaryAsString')
            return 'BinaryType', problems, warnings
        if lt == 'BSON':
            return 'BinaryType', problems, warnings
        if lt == 'Decimal':
            return 'DecimalType', problems, warnings
        return bad(f'BYTE_ARRAY with {logical or converted} has no Spark type'), problems, warnings
    if physical == 'FIXED_LEN_BYTE_ARRAY':
        if lt == 'Decimal':
            return 'DecimalType', problems, warnings
        return bad(f'FIXED_LEN_BYTE_ARRAY with {logical or converted} is illegal in Spark 3.x'), problems, warnings
    return bad(f'unknown physical type {physical}'), problems, warnings


def page_headers(data, chunk):
    """(page type, encoding, num_values) of every page of a column chunk, from the Thrift page headers."""
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    buf = NumpyIO(data)
    buf.seek(start)
    pages, values = [], 0
    while values < chunk.num_values:
        ph = ThriftObject.from_buffer(buf, 'PageHeader')
        kind = PAGE.get(ph.type, str(ph.type))
        if kind == 'DICTIONARY_PAGE':
            pages.append((kind, ENC.get(ph.dictionary_page_header.encoding), 0))
        elif kind in ('DATA_PAGE', 'DATA_PAGE_V2'):
            h = ph.data_page_header if kind == 'DATA_PAGE' else ph.data_page_header_v2
            pages.append((kind, ENC.get(h.encoding), h.num_values))
            values += h.num_values
        else:
            pages.append((kind, None, 0))
        buf.seek(ph.compressed_page_size, 1)
    return pages


REBASE_CUTOFF = dt.datetime(1900, 1, 1, tzinfo=dt.timezone.utc)


def ancient(chunk):
    """A problem when a timestamp chunk may hold values Spark 3.x's default rebase mode (EXCEPTION) rejects."""
    st = chunk.statistics
    if st is None or not st.has_min_max:
        return 'no min/max statistics: cannot rule out timestamps before 1900 (datetimeRebaseModeInRead=EXCEPTION)'
    lo = st.min
    if isinstance(lo, dt.datetime):
        lo = lo if lo.tzinfo else lo.replace(tzinfo=dt.timezone.utc)
        if lo < REBASE_CUTOFF:
            return (f'minimum {lo.isoformat()} is before 1900-01-01: Spark 3.x\'s default '
                    'spark.sql.parquet.datetimeRebaseModeInRead=EXCEPTION fails on it (SPARK-31361)')
        return None
    return f'min statistic of unexpected type {type(lo).__name__}'


# Value encodings Spark's vectorized reader reads, by the first 3.x release that reads them.
VECTORIZED_SINCE = {'PLAIN': '3.0', 'PLAIN_DICTIONARY': '3.0', 'RLE_DICTIONARY': '3.0',
                    'DELTA_BINARY_PACKED': '3.3', 'DELTA_LENGTH_BYTE_ARRAY': '3.3', 'DELTA_BYTE_ARRAY': '3.3'}
CODECS_OK = {'UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD'}


def encoding_problem(physical, encoding):
    if encoding == 'RLE' and physical == 'BOOLEAN':
        since = '3.3'
        ref = 'SPARK-37864'
    elif encoding in VECTORIZED_SINCE:
        since = VECTORIZED_SINCE[encoding]
        ref = 'SPARK-36879' if since == '3.3' else None
    else:
        return f'{encoding} values: not read by Spark 3.x\'s vectorized reader'
    if since == '3.0':
        return None
    return (f'{encoding} values: Spark 3.0-3.2\'s vectorized reader (default) fails with "Unsupported encoding: '
            f'{encoding}" ({ref}, fixed in {since}; workaround spark.sql.parquet.enableVectorizedReader=false)')


def check_spark(root):
    problems, warnings, columns, partitions = [], [], {}, {}
    nfiles = 0
    for table in TABLES:
        tdir = os.path.join(root, table)
        if not os.path.isdir(tdir):
            continue
        names = set()
        values = []
        for entry in sorted(os.listdir(tdir)):
            p = os.path.join(tdir, entry)
            if entry.startswith(('.', '_')):
                warnings.append(f'{table}/{entry}: hidden entry (Spark ignores it)')
                continue
            if not os.path.isdir(p) or '=' not in entry:
                problems.append(f'{table}/{entry}: not a name=value partition directory')
                continue
            name, value = entry.split('=', 1)
            names.add(name)
            values.append(value)
            if not DAY_RE.match(value):
                problems.append(f'{table}/{entry}: value is not yyyy-MM-dd (Spark would infer a string or fail)')
            else:
                try:
                    dt.date.fromisoformat(value)
                except ValueError:
                    problems.append(f'{table}/{entry}: {value} is not a calendar date')
            for f in sorted(os.listdir(p)):
                if f.startswith(('.', '_')):
                    warnings.append(f'{table}/{entry}/{f}: hidden file (Spark ignores it; a leftover temporary?)')
                elif not f.endswith('.parquet'):
                    problems.append(f'{table}/{entry}/{f}: not a Parquet file, Spark would try to read it')
        if len(names) > 1:
            problems.append(f'{table}: mixed partition column names {sorted(names)}')
        partitions[table] = {'column': sorted(names), 'values': values,
                             'sparkType': 'DateType' if values and all(DAY_RE.match(v) for v in values) else 'StringType'}

        schema_sig = None
        table_cols = {}
        for part, f in data_files(tdir):
            nfiles += 1
            rel = os.path.relpath(f, root)
            try:
                md = pq.read_metadata(f)
            except Exception as e:  # noqa: BLE001
                problems.append(f'{rel}: footer unreadable ({e})')
                continue
            schema = md.schema
            with open(f, 'rb') as fh:
                data = np.frombuffer(fh.read(), dtype=np.uint8)
            sig = []
            lower = {}
            for i in range(len(schema)):
                col = schema.column(i)
                logical = logical_of(col)
                converted = col.converted_type
                sig.append((col.path, col.physical_type, json.dumps(logical, sort_keys=True), converted))
                if col.max_repetition_level > 0 or '.' in col.path:
                    problems.append(f'{rel}: {col.path} is nested/repeated (not expected in this export)')
                if not NAME_RE.match(col.name):
                    problems.append(f'{rel}: column name {col.name!r} needs quoting in Spark SQL')
                if col.name.lower() in lower:
                    problems.append(f'{rel}: {col.name} and {lower[col.name.lower()]} clash (Spark is case-insensitive)')
                lower[col.name.lower()] = col.name
                if col.name.lower() == PARTITION:
                    problems.append(f'{rel}: data column {col.name} clashes with the partition column')
                t, probs, warns = spark_type(col.physical_type, logical, converted)
                problems += [f'{rel}: {col.name}: {m}' for m in probs]
                warnings += [f'{rel}: {col.name}: {m}' for m in warns]
                entry = table_cols.setdefault(col.name, {
                    'physical': col.physical_type, 'logical': logical, 'converted': converted, 'sparkType': t,
                    'pageTypes': set(), 'encodings': set(), 'codecs': set(),
                })
                for rg in range(md.num_row_groups):
                    chunk = md.row_group(rg).column(i)
                    entry['codecs'].add(chunk.compression)
                    if t == 'TimestampType':
                        p = ancient(chunk)
                        if p:
                            problems.append(f'{rel}: {col.name}: {p}')
                    if chunk.compression not in CODECS_OK:
                        problems.append(f'{rel}: {col.name}: codec {chunk.compression} is not built into Spark 3.x')
                    try:
                        pages = page_headers(data, chunk)
                    except Exception as e:  # noqa: BLE001
                        problems.append(f'{rel}: {col.name}: page headers unreadable ({e})')
                        continue
                    for kind, enc, _n in pages:
                        entry['pageTypes'].add(kind)
                        if kind == 'DICTIONARY_PAGE':
                            if enc not in ('PLAIN', 'PLAIN_DICTIONARY'):
                                problems.append(f'{rel}: {col.name}: dictionary page encoded {enc}')
                            continue
                        if kind not in ('DATA_PAGE', 'DATA_PAGE_V2'):
                            problems.append(f'{rel}: {col.name}: unexpected {kind} inside a column chunk')
                            continue
                        entry['encodings'].add(enc)
                        p = encoding_problem(col.physical_type, enc)
                        if p:
                            problems.append(f'{rel}: {col.name}: {p}')
            if schema_sig is None:
                schema_sig = sig
            elif sig != schema_sig:
                problems.append(f'{rel}: schema differs from the other files of {table} (Spark reads one footer '
                                'unless mergeSchema)')
        columns[table] = {c: {**v, 'pageTypes': sorted(v['pageTypes']), 'encodings': sorted(v['encodings']),
                              'codecs': sorted(v['codecs'])} for c, v in table_cols.items()}
    # the same problem in every file is one problem: keep the report readable
    problems = dedupe(problems)
    warnings = dedupe(warnings)
    return {'ok': not problems, 'files': nfiles, 'problems': problems, 'warnings': warnings,
            'partitions': partitions, 'columns': columns, 'sparkVersions': SPARK_ALL}


def dedupe(msgs):
    """Collapses 'FILE: rest' messages that differ only by file into 'rest (n files, e.g. FILE)'."""
    by_rest = {}
    order = []
    for m in msgs:
        head, sep, rest = m.partition(': ')
        key = rest if sep and head.endswith('.parquet') else m
        if key not in by_rest:
            by_rest[key] = []
            order.append(key)
        by_rest[key].append(head)
    out = []
    for key in order:
        heads = by_rest[key]
        out.append(key if len(heads) == 1 and not heads[0].endswith('.parquet') else
                   (f'{heads[0]}: {key}' if len(heads) == 1 else f'{key} ({len(heads)} files, e.g. {heads[0]})'))
    return out


# ----------------------------------------------------------------------------------------------------------
# self-test: the Spark check must reject files that Spark 3.x cannot read


def self_test():
    import pyarrow as pa

    failures = []
    with tempfile.TemporaryDirectory() as d:
        part = os.path.join(d, 'trips', 'dt=2024-03-05')
        os.makedirs(part)
        n = 40
        t = pa.table({
            'ok_ts': pa.array([1_700_000_000_000 + i for i in range(n)], pa.timestamp('ms', tz='UTC')),
            'old_ts': pa.array([-3_786_825_600_000 - i for i in range(n)], pa.timestamp('ms', tz='UTC')),  # 1850
            'ns_ts': pa.array([1_700_000_000_000_000_000 + i for i in range(n)], pa.timestamp('ns', tz='UTC')),
            'u64': pa.array(list(range(n)), pa.uint64()),
            'flag': pa.array([i % 3 == 0 for i in range(n)]),
            'dt': pa.array(['x'] * n),
        })
        # data page v2 makes pyarrow write booleans RLE-encoded, as hyparquet-writer does for > 16 values
        pq.write_table(t, os.path.join(part, 'part-0.parquet'), data_page_version='2.0', use_dictionary=False,
                       coerce_timestamps=None, allow_truncated_timestamps=False)
        os.makedirs(os.path.join(d, 'trips', 'day=yesterday'))
        r = check_spark(d)
        text = '\n'.join(r['problems'])
        for needle in ('TIMESTAMP(nanoseconds)', 'unsigned INT64', 'RLE values', 'clashes with the partition',
                       'mixed partition column names', 'not yyyy-MM-dd', 'old_ts: minimum 1849'):
            if needle not in text:
                failures.append(f'the Spark check missed: {needle}')
        if any('ok_ts' in p for p in r['problems']):
            failures.append('the Spark check rejected a TIMESTAMP(MILLIS, UTC) column')
    return {'ok': not failures, 'failures': failures, 'problemsFound': len(r['problems'])}


# ----------------------------------------------------------------------------------------------------------


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--dir', help='export directory (holds trips/, events/, trip_features/)')
    ap.add_argument('--expected', help='JSON file of expected figures')
    ap.add_argument('--self-test', action='store_true', help='check that the Spark check rejects bad files')
    a = ap.parse_args(argv)
    if a.self_test:
        r = self_test()
        print(json.dumps({'selfTest': r, 'readers': versions()}, indent=2))
        return 0 if r['ok'] else 1
    if not a.dir or not a.expected:
        ap.print_usage(sys.stderr)
        return 2
    with open(a.expected) as f:
        expected = json.load(f)
    report = {
        'readers': versions(),
        'pandasPyarrow': check_engine(a.dir, expected, 'pyarrow'),
        'pandasFastparquet': check_engine(a.dir, expected, 'fastparquet'),
        'sparkTypeCheck': check_spark(a.dir),
    }
    report['ok'] = all(report[k]['ok'] for k in ('pandasPyarrow', 'pandasFastparquet', 'sparkTypeCheck'))
    print(json.dumps(report, indent=2, default=str))
    for k in ('pandasPyarrow', 'pandasFastparquet'):
        for m in report[k]['mismatches']:
            sys.stderr.write(f'MISMATCH {k}: {m}\n')
    for m in report['sparkTypeCheck']['problems']:
        sys.stderr.write(f'SPARK {m}\n')
    return 0 if report['ok'] else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

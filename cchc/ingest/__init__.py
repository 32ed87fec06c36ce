"""Imports: files from outside (published index results, exports of the one-stop software) checked
and written into the data directory as Parquet in the layout of cchc.schema.

Every importer is all-or-nothing: a file with a value it cannot read changes nothing, and the
error names the sheet (or record list), the row and the column, in Vietnamese.

    from cchc.ingest import results
    report = results.import_file(path, data_dir)      # the published 766 scores (xlsx or JSON)

    from cchc.ingest import readers
    res = readers.read_file(path)                      # an export (CSV, XLSX, JSON) in the product's
    res.issues += readers.check_rows(res)             # columns, with row-level Vietnamese messages;
                                                       # header aliases: cchc/ingest/aliases.toml
"""

"""The monthly emulation-and-reward report: read from the marts (`data`), written as an XLSX workbook
(`workbook`) and one self-contained HTML page (`html`), recorded in the warehouse (`record`)."""

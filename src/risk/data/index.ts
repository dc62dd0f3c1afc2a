export { type CsvOptions, parseCsv, readCsv } from './csv.ts';
export {
  type CategoricalColumn,
  type Column,
  cellString,
  type Frame,
  frameFromRows,
  getColumn,
  hashColumns,
  type NumericColumn,
  numericColumn,
  type RawRow,
  takeRows,
} from './frame.ts';

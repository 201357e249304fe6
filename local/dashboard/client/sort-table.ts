// Sortable tables: a header click sorts the rows, ascending first, then descending.
const cellValue = (cell: Element | undefined): string | number => {
  const text = cell?.textContent ?? '';
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
};

/** Sorts the table by a header click: ascending first, then descending; aria-sort says which. */
export function sortTable(table: HTMLTableElement, th: HTMLTableCellElement): void {
  const index = [...(th.parentElement?.children ?? [])].indexOf(th);
  const ascending = th.getAttribute('aria-sort') !== 'ascending';
  for (const other of table.querySelectorAll('th')) other.setAttribute('aria-sort', 'none');
  th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  const body = table.tBodies[0];
  if (!body) return;
  const rows = [...body.rows].sort((a, b) => {
    const x = cellValue(a.cells[index]);
    const y = cellValue(b.cells[index]);
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return ascending ? order : -order;
  });
  body.append(...rows);
}

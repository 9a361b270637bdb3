// Small builders of the report page's HTML, shared by its classic and simulation pages.

export function chartSection(id: string, heading: string, note = ''): string {
  const caption = note === '' ? '' : `<p class="note">${escapeHtml(note)}</p>`;
  return `<section><h2>${escapeHtml(heading)}</h2>${caption}<div class="chart"><canvas id="chart-${id}" data-chart="${id}"></canvas></div></section>`;
}

/** A table with a header row; the first column names the row. */
export function horizontalTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  className = '',
): string {
  const head = header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = rows
    // Each cell carries its column's name, for the stacked layout of narrow screens.
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => `<td data-label="${escapeHtml(header[i] ?? '')}">${escapeHtml(cell)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table"><table class="${className}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The summary with one row per figure and one column per run: it stays narrow however many figures. */
export function verticalTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const [first, ...figures] = header;
  const head = `<th>${escapeHtml(first ?? '')}</th>${rows.map((row) => `<th>${escapeHtml(row[0] ?? '')}</th>`).join('')}`;
  const body = figures
    .map(
      (figure, i) =>
        `<tr><td>${escapeHtml(figure)}</td>${rows.map((row) => `<td>${escapeHtml(row[i + 1] ?? '')}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

export function fmt(value: number | null, digits: number): string {
  return value === null || !Number.isFinite(value) ? 'n/a' : value.toFixed(digits);
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** JSON that cannot close its <script> element early. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('<', '\\u003c');
}

// Messages quote what users gave (file names, values, lines of their files), and those may hold escape
// sequences that would drive the terminal (clear it, retitle it, hide text). Control characters are
// shown as \xNN instead; line breaks and tabs stay.

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

import { ImportRefused } from '../import.js';

/**
 * Bytes of a text file (GIFT, XML) to a string. Exports are UTF-8, often with a BOM; Windows
 * Notepad may save UTF-16. A Chinese Windows editor saves GBK/GB18030 unless told otherwise: such
 * a file is refused with a message naming the encoding, never read as mojibake.
 */
export function decodeText(bytes: Uint8Array, place = 'file'): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refused(place, notUtf8(bytes));
  }
}

function notUtf8(bytes: Uint8Array): string {
  const gb = new TextDecoder('gb18030').decode(bytes);
  if (!gb.includes('\uFFFD') && /\p{Script=Han}/u.test(gb)) {
    return 'the file is encoded as GB18030/GBK (a Chinese Windows encoding), not UTF-8: open it in a text editor, save it as UTF-8 and import it again';
  }
  const lossy = new TextDecoder('utf-8').decode(bytes);
  const line = lossy.slice(0, lossy.indexOf('\uFFFD')).split('\n').length;
  return `the file is not UTF-8 text (the first invalid byte is on line ${line}): save it as UTF-8 and import it again`;
}

export const refused = (place: string, message: string) => new ImportRefused([{ kind: 'format', place, message }]);

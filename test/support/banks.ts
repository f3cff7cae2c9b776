import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';

/**
 * The question-bank fixtures (test/fixtures/banks/): a Moodle XML and a GIFT export of one bank, and
 * a Canvas QTI quiz export kept unzipped so it can be read and reviewed; `canvasZip()` packs it as
 * Canvas does (imsmanifest.xml at the top).
 */
export const BANKS = fileURLToPath(new URL('../fixtures/banks/', import.meta.url));
export const bankFile = (name: string) => readFileSync(BANKS + name);

export function zipFolder(dir: string, extra: Record<string, string | Buffer> = {}): Buffer {
  const zip = new AdmZip();
  zip.addLocalFolder(dir);
  for (const [name, data] of Object.entries(extra)) zip.addFile(name, Buffer.from(data));
  return zip.toBuffer();
}

export const canvasZip = (extra?: Record<string, string | Buffer>) => zipFolder(BANKS + 'canvas_qti', extra);

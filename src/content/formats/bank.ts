/**
 * A question bank as read from a teacher's export (Moodle XML, GIFT, QTI 1.2), before it becomes
 * Wayfinder content. Each reader fills these records from its own format; `mapping.ts` decides,
 * per question, whether Wayfinder can score it exactly as the source does, and maps or skips it.
 * Rich text is HTML here (already sanitised by `richtext.ts`), and the place names where it came
 * from (a line, a question name, a zip entry), for messages.
 */
export type BankFormat = 'moodle-xml' | 'gift' | 'qti';
export const BANK_FORMATS: readonly BankFormat[] = ['moodle-xml', 'gift', 'qti'];

export interface Answer {
  /** HTML for choices; plain text for short answers. */
  text: string;
  /** Moodle's answer grade: -1 to 1 of the question's marks. */
  fraction: number;
  feedback?: string;
}

export interface NumericAnswer {
  /** Undefined for Moodle's "*" (any other answer). */
  value?: number;
  tolerance: number;
  fraction: number;
  feedback?: string;
}

export type QuestionBody =
  /**
   * sum: Moodle's rule, the picked fractions added up within 0–1. cancel: Canvas's, each wrong pick
   * cancels a right one (Wayfinder's own rule).
   */
  | { kind: 'choice'; single: boolean; answers: Answer[]; scoring: 'sum' | 'cancel' }
  | { kind: 'truefalse'; correct: boolean; feedbackTrue?: string; feedbackFalse?: string }
  | { kind: 'short'; answers: Answer[]; caseSensitive: boolean; match: 'exact' | 'wildcard' }
  | {
      kind: 'numerical';
      answers: NumericAnswer[];
      units: { unit: string; multiplier: number }[];
      /** 0 when units are not graded. */
      unitPenalty: number;
      unitsLeft: boolean;
    }
  | { kind: 'reading' }
  /** A type Wayfinder has no faithful item for: named as the source names it. */
  | { kind: 'unsupported'; sourceType: string };

export interface SourceQuestion {
  /** Where it is in the file, for messages: `question 3 "Adding fractions"`, `line 12`, `quiz.xml, item "i4"`. */
  place: string;
  /** What identifies it across exports (source id, or category + name), for stable item ids. */
  key: string;
  name: string;
  /** Category path from the top (Moodle), or the quiz/bank title (QTI); empty when none. */
  category: string[];
  tags: string[];
  text: string;
  generalFeedback?: string;
  hints: string[];
  feedback: { correct?: string; partial?: string; incorrect?: string };
  body: QuestionBody;
  /** Things the reader had to change (images without a stored copy, removed unsafe HTML). */
  warnings: string[];
}

export interface Bank {
  format: BankFormat;
  /** The quiz's or bank's title, when the file names one. */
  title?: string;
  questions: SourceQuestion[];
}

/** Limits for one file: refused whole beyond them, with a message saying which. */
export const BANK_LIMITS = { bytes: 20 * 1024 * 1024, questions: 5000, zipEntries: 2000, unzippedBytes: 100 * 1024 * 1024 } as const;

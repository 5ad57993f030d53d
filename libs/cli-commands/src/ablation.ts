// The ablations of issue 7 item 4: the method's variants (fusion, lambda, seeds, copy-paste,
// teacher), each a change of one setting from the default, deduplicated into runs, and their rows.
import type { AblationRow } from '@fmwiss/run-report';
import type { FusionName, RunKnobs } from './run-config';

export const ABLATION_SETS = ['fusion', 'lambda', 'seeds', 'copy-paste', 'teacher'] as const;
export type AblationSet = (typeof ABLATION_SETS)[number];

/** The settings one variant of the method runs with. */
export interface VariantSettings {
  fusion: FusionName;
  lambda: number;
  seeds: number;
  copyPaste: boolean;
  teacher: boolean;
}

/** The method as METHOD.md states it: union fusion, lambda 0.1, nine seeds, copy-paste, teacher. */
export const DEFAULT_VARIANT: VariantSettings = Object.freeze({ fusion: 'union', lambda: 0.1, seeds: 9, copyPaste: true, teacher: true });

/** The values each set tries (the default's value among them). */
export const ABLATION_VALUES: { [S in AblationSet]: Partial<VariantSettings>[] } = {
  fusion: [{ fusion: 'union' }, { fusion: 'intersection' }, { fusion: 'init-only' }],
  lambda: [{ lambda: 0 }, { lambda: 0.1 }],
  seeds: [{ seeds: 1 }, { seeds: 3 }, { seeds: 9 }, { seeds: 27 }],
  'copy-paste': [{ copyPaste: true }, { copyPaste: false }],
  teacher: [{ teacher: true }, { teacher: false }],
};

export interface AblationVariant {
  /** "default", "fusion-intersection", "lambda-0", "seeds-27", "copy-paste-off", "teacher-off". */
  key: string;
  /** "default", "fusion: intersection", "seeds: 27"... (the table shows every setting beside it). */
  label: string;
  /** The set that varies it (absent for the default). */
  set?: AblationSet;
  settings: VariantSettings;
}

const onOff = (value: boolean) => (value ? 'on' : 'off');

/** The table's setting columns of a variant. */
export function settingColumns(settings: VariantSettings): Record<string, string> {
  return {
    fusion: settings.fusion,
    lambda: String(settings.lambda),
    seeds: String(settings.seeds),
    'copy-paste': onOff(settings.copyPaste),
    teacher: onOff(settings.teacher),
  };
}

function sameSettings(a: VariantSettings, b: VariantSettings): boolean {
  return a.fusion === b.fusion && a.lambda === b.lambda && a.seeds === b.seeds && a.copyPaste === b.copyPaste && a.teacher === b.teacher;
}

/** The default, then each chosen set's other values in order: one run per distinct setting. */
export function ablationVariants(sets: readonly AblationSet[]): AblationVariant[] {
  const variants: AblationVariant[] = [{ key: 'default', label: 'default', settings: { ...DEFAULT_VARIANT } }];
  for (const set of ABLATION_SETS.filter((s) => sets.includes(s))) {
    for (const change of ABLATION_VALUES[set]) {
      const settings = { ...DEFAULT_VARIANT, ...change };
      if (variants.some((v) => sameSettings(v.settings, settings))) continue;
      const value = Object.values(change)[0] as string | number | boolean;
      const shown = typeof value === 'boolean' ? onOff(value) : String(value);
      variants.push({ key: `${set}-${shown}`, label: `${set}: ${shown}`, set, settings });
    }
  }
  return variants;
}

/** The knobs that make a variant (over the user's other flags). */
export function variantKnobs(settings: VariantSettings): RunKnobs {
  return { fusion: settings.fusion, contrastiveWeight: settings.lambda, seeds: settings.seeds, copyPaste: settings.copyPaste, useTeacher: settings.teacher };
}

/** A table row of a variant or a baseline from its result (fractions, null where unknown). */
export function ablationRow(
  variant: string,
  settings: Record<string, string>,
  row: { miouOld: number | null; miouNew: number | null; miouAll: number | null; note?: string },
): AblationRow {
  const result: AblationRow = { variant, settings, miouOld: row.miouOld, miouNew: row.miouNew, miouAll: row.miouAll };
  if (row.note) result.note = row.note;
  return result;
}

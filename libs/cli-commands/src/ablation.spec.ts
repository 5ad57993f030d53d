import { ablationVariants, settingColumns, variantKnobs } from './ablation';

describe('ablation variants', () => {
  it('runs the default once and each other value of the chosen sets once', () => {
    const all = ablationVariants(['fusion', 'lambda', 'seeds', 'copy-paste', 'teacher']);
    expect(all.map((v) => v.key)).toEqual([
      'default',
      'fusion-intersection',
      'fusion-init-only',
      'lambda-0',
      'seeds-1',
      'seeds-3',
      'seeds-27',
      'copy-paste-off',
      'teacher-off',
    ]);
    expect(ablationVariants(['lambda']).map((v) => v.label)).toEqual(['default', 'lambda: 0']);
  });

  it('changes exactly one setting from the default', () => {
    const seeds = ablationVariants(['seeds']).find((v) => v.key === 'seeds-27')!;
    expect(settingColumns(seeds.settings)).toEqual({ fusion: 'union', lambda: '0.1', seeds: '27', 'copy-paste': 'on', teacher: 'on' });
    expect(variantKnobs(seeds.settings)).toEqual({ fusion: 'union', contrastiveWeight: 0.1, seeds: 27, copyPaste: true, useTeacher: true });
  });
});

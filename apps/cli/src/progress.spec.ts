import { progress } from './progress';

describe('the progress line', () => {
  it('redraws one line in place and ends it', () => {
    let written = '';
    const stream = {
      isTTY: true,
      write: (text: string) => ((written += text), true),
    } as unknown as NodeJS.WriteStream;
    const bar = progress('verifying the audit chain', { stream, width: 10 });
    bar.update(0, 1200);
    bar.update(1200, 1200);
    bar.stop();
    expect(written).toContain('\rverifying the audit chain  [----------]    0%  0/1,200');
    expect(written.endsWith('[##########]  100%  1,200/1,200\n')).toBe(true);
  });

  it('writes nothing when the output is not a terminal', () => {
    let written = '';
    const stream = {
      isTTY: false,
      write: (text: string) => ((written += text), true),
    } as unknown as NodeJS.WriteStream;
    const bar = progress('reading dead letters', { stream });
    bar.update(3, 3);
    bar.stop();
    expect(written).toBe('');
  });
});

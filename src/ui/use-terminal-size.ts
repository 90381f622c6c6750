// Terminal size from Ink's stdout, re-rendering on resize. Falls back to 80x24
// when the stream does not know (pipes, tests).
import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

export interface TerminalSize {
  columns: number;
  rows: number;
}

function readSize(stdout: NodeJS.WritableStream): TerminalSize {
  // A TTY WriteStream has columns/rows; other writable streams do not.
  const { columns, rows } = stdout as Partial<Pick<NodeJS.WriteStream, 'columns' | 'rows'>>;
  return {
    columns: columns && columns > 0 ? columns : 80,
    rows: rows && rows > 0 ? rows : 24,
  };
}

export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => readSize(stdout));
  useEffect(() => {
    const onResize = () => {
      const next = readSize(stdout);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}

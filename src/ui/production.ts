// Imported by the CLI's TUI entry (src/commands/tui.ts) before anything that loads React: React
// and its reconciler then pick their production builds, as in the compiled binary
// (scripts/build-binary.ts). The development builds check and record every render (a third of
// the TUI's CPU per frame) and may print warnings over the screen. A NODE_ENV the user set wins.
// (A static import cannot do this: the runtime evaluates CommonJS dependencies such as React
// before the ES modules that import them.)
process.env.NODE_ENV ??= 'production';

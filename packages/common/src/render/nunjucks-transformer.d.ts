// nunjucks ships no types for its internal files; the renderer imports this one by path.
declare module 'nunjucks/src/transformer.js' {
  const transformer: unknown;
  export default transformer;
}

/** neo-blessed ships no types; it keeps blessed's API, so @types/blessed describes it. */
declare module 'neo-blessed' {
  import * as blessed from 'blessed';
  export default blessed;
}

// Express 4 under another name beside Express 5 (`npm:express@4`): typed as Express, whose
// application API the conformance suite uses is the same in both.
declare module 'express4' {
  import express from 'express'
  export default express
}

// Types only (see react.d.ts): importing this module does nothing at run time.
export {}

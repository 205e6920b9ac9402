// Types only (see vue.d.ts): importing this module does nothing at run time.
export {}

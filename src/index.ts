// The public API: constructs and their props. Handler code is never exported from here.
export {};

// The protocol layer's public surface: pure IRC grammar and vocabulary, no sockets, no timers.
export * from './message.js';
export * from './casemap.js';
export * from './validate.js';
export * from './numerics.js';
export * from './caps.js';
export * from './isupport.js';
export * from './mask.js';
export * from './sanitize.js';
export * from './truncate.js';

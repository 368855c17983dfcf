// The server's version string, shown by 002, 004 and VERSION.
export const VERSION = 'parley-0.1.0';

/**
 * Whether this code runs inside the functions bundle. The bundler defines `__GEOROUTE_BUNDLE__`
 * (bundle-functions.mjs); everywhere else (tsc's output, jest) it is undeclared. The one switch of the
 * cold-start machinery: no environment variable, nothing to set by hand.
 */
declare const __GEOROUTE_BUNDLE__: boolean | undefined;

export const IN_BUNDLE: boolean = typeof __GEOROUTE_BUNDLE__ !== 'undefined' && __GEOROUTE_BUNDLE__ === true;

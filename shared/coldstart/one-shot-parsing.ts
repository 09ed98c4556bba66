/**
 * zod compiles a parser per object schema on its first parse: a function instance parses its config
 * once and each message once, so compiling costs more than it saves (~25 ms of the first event).
 * Imported for its effect by the functions' core (functions/core.ts) only; the CLI and tests keep the default.
 */
import { config } from 'zod';

config({ jitless: true });

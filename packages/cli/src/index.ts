export { run, COMMANDS, MAIN_HELP } from './main.js';
export { UsageError } from './errors.js';

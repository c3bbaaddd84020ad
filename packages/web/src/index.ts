export { webAppPlugin, WEB_UI_ROUTES } from './plugin.js';
export type { WebAppOptions } from './plugin.js';
export { bundleSize, readAppFiles, DEFAULT_APP_DIR, MissingBundleError } from './app-files.js';
export type { AppFile, AppFiles, BundleSize } from './app-files.js';
